"""Batches per chunk give the same verdicts and counts as one batch: memory stays flat on any size."""

from __future__ import annotations

from pathlib import Path

from denials.quality.results import ExpectationOutcome
from denials.quality.runner import _apply_mostly
from tests.quality.conftest import Run, check, copy_warehouse


def _verdicts(report) -> dict:  # noqa: ANN001
    return {(s.suite, e.expectation_id): (e.success, e.element_count, e.missing_count, e.unexpected_count)
            for s in report.suites for e in s.expectations}


def test_small_chunks_match_one_batch(unbalanced_run: Run, tmp_path: Path) -> None:
    warehouse = copy_warehouse(unbalanced_run.warehouse, tmp_path)
    report, _ = check(warehouse, tmp_path, ["raw", "staging"], build_docs=False, record=False, chunk_rows=50)
    assert max(s.batches for s in report.suites) >= 5
    whole = {k: v for k, v in _verdicts(unbalanced_run.report).items() if not k[0].startswith("marts")}
    assert _verdicts(report) == whole
    assert not report.success


def test_mostly_applies_to_the_totals() -> None:
    outcome = ExpectationOutcome(suite="s", expectation_id="e", expectation_type="t", column="c",
                                 description="d", severity="warning", success=False, mostly=0.95,
                                 element_count=200, missing_count=0, unexpected_count=10)
    _apply_mostly(outcome)  # 5% unexpected overall although one chunk had more
    assert outcome.success
    outcome.unexpected_count = 11
    _apply_mostly(outcome)
    assert not outcome.success
