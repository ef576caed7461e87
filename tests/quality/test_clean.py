"""A clean generated warehouse passes every suite, and every expectation really looked at rows."""

from __future__ import annotations

from tests.quality.conftest import Run, results_table


def test_clean_warehouse_passes_every_suite(clean_run: Run) -> None:
    report = clean_run.report
    statuses = {s.suite: (s.status, s.reason) for s in report.suites}
    assert all(s.status == "passed" for s in report.suites if s.layer in ("raw", "staging")), statuses
    # The marts are not built in this warehouse: skipped and said so, never validated as empty.
    for outcome in report.suites:
        if outcome.layer == "marts":
            assert outcome.status == "skipped", outcome
            assert outcome.reason.startswith("skipped: table not built"), outcome
    assert report.success and report.exit_code == 0
    assert report.messages() == []


def test_clean_pass_is_not_vacuous(clean_run: Run) -> None:
    """Never trust an all-pass: every raw and staging expectation checked rows (great_expectations#11579
    is an SQL datasource returning empty batches, on which everything passes)."""
    for outcome in clean_run.report.suites:
        if outcome.layer == "marts":
            continue
        assert outcome.rows > 0 and outcome.batches == 1, outcome.suite
        assert outcome.expectations, outcome.suite
        for expectation in outcome.expectations:
            checked = expectation.element_count - expectation.missing_count
            assert checked > 0, f"{outcome.suite}: {expectation.description} checked no row"


def test_results_are_recorded_per_expectation(clean_run: Run) -> None:
    report = clean_run.report
    assert report.recorded and report.record_error is None
    rows = [r for r in results_table(clean_run.warehouse) if r[0] == report.run_id]
    expected = sum(len(s.expectations) + len(s.notes) + (0 if s.expectations else 1) for s in report.suites)
    assert len(rows) == expected
    by_status = {r[5] for r in rows}
    assert by_status == {"passed", "skipped"}
    severities = {r[10] for r in rows if r[5] == "passed"}
    assert severities == {"critical", "warning"}


def test_docs_index_is_built(clean_run: Run) -> None:
    index = clean_run.report.docs_index
    assert index is not None and index.is_file()
    assert index.is_relative_to(clean_run.gx_root)
