"""A build whose models ran out of DuckDB memory gets one `dbt retry`, one model at a time; nothing else
is retried. dbt is replaced by a recorder here: what is checked is the decision and what it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from denials import transform
from denials.pipeline import retry_note
from denials.transform import DbtOutcome

OOM = ("model.denials.int_line_versions_spined: error: Runtime Error in model int_line_versions_spined\n"
       "  Out of Memory Error: failed to pin block of size 256.0 KiB (2.3 GiB/2.3 GiB used)")
BROKEN = "model.denials.fct_claims: error: Binder Error: column not found"


def fake_dbt(monkeypatch: pytest.MonkeyPatch, outcomes: list[DbtOutcome]) -> list[list[str]]:
    calls: list[list[str]] = []

    def invoke(args: list[str], *_: object) -> DbtOutcome:
        calls.append(args)
        return outcomes[len(calls) - 1]

    monkeypatch.setattr(transform, "_invoke", invoke)
    return calls


def test_out_of_memory_is_retried_once_one_model_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_dbt(monkeypatch, [DbtOutcome(False, failed_nodes=[OOM]), DbtOutcome(True)])
    outcome = transform.run_dbt(["build", "--quiet"], Path("w.duckdb"), retry_out_of_memory=True)
    assert calls == [["build", "--quiet"], ["retry", "--threads", "1"]]
    assert outcome.success
    assert outcome.retried_nodes == ["model.denials.int_line_versions_spined"]
    assert retry_note(outcome) == ", 1 model out of memory at first, built again one at a time"


def test_a_retry_that_fails_again_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dbt(monkeypatch, [DbtOutcome(False, failed_nodes=[OOM]), DbtOutcome(False, failed_nodes=[OOM])])
    outcome = transform.run_dbt(["build"], Path("w.duckdb"), retry_out_of_memory=True)
    assert not outcome.success and outcome.out_of_memory


@pytest.mark.parametrize(("failed", "retry"), [([BROKEN], True), ([OOM], False)],
                         ids=["another failure", "retry not asked for"])
def test_nothing_else_is_retried(monkeypatch: pytest.MonkeyPatch, failed: list[str], retry: bool) -> None:
    calls = fake_dbt(monkeypatch, [DbtOutcome(False, failed_nodes=failed)])
    outcome = transform.run_dbt(["build"], Path("w.duckdb"), retry_out_of_memory=retry)
    assert calls == [["build"]]
    assert not outcome.success and outcome.retried_nodes == [] and retry_note(outcome) == ""
