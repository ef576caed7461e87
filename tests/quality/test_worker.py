"""The checks' worker process (`denials run` checks there): it reports what `run_checks` reports in the
caller's process, raises the worker's errors in the caller, and never outlives its caller."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from denials.quality.results import SuiteOutcome
from denials.quality.worker import CheckWorker, CheckWorkerFailed
from tests.quality.conftest import Run, copy_warehouse, gx_copy, results_table


def _summary(suites: list[SuiteOutcome]) -> list[tuple]:
    return [(suite.suite, suite.status, [(e.expectation_id, e.success, e.element_count, e.unexpected_count,
                                          e.failing_rows) for e in suite.expectations])
            for suite in suites]


def _ended(pid: int) -> bool:
    """The process is gone, or a zombie nobody has reaped yet (its parent was killed)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _wait_until_ended(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _ended(pid):
            return True
        time.sleep(0.1)
    return False


def test_the_worker_reports_what_run_checks_reports(unbalanced_run: Run, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The same warehouse (a claim out of balance: a critical failure) checked in the caller's process and in
    the worker gives the same suites and outcomes, failing rows included; each suite reaches the caller's
    `after_suite` as the worker finishes it, and the worker records the results and builds the Data Docs."""
    assert not unbalanced_run.report.success, "the comparison needs a failing check"
    warehouse = copy_warehouse(unbalanced_run.warehouse, tmp_path)
    root = gx_copy(tmp_path)
    monkeypatch.setenv("DENIALS_GX_ROOT", str(root))
    seen: list[tuple[str, int]] = []
    with CheckWorker() as worker:
        report = worker.run_checks(warehouse, None, "worker-run",
                                   after_suite=lambda suite: seen.append((suite.suite, os.getpid())))
        docs_index, dropped = worker.build_docs()
    assert _summary(report.suites) == _summary(unbalanced_run.report.suites)
    assert not report.success and report.run_id == "worker-run"
    assert seen == [(suite.suite, os.getpid()) for suite in report.suites]
    assert report.recorded
    rows_by_run = Counter(row[0] for row in results_table(warehouse))
    assert rows_by_run["worker-run"] == rows_by_run[unbalanced_run.report.run_id] > 0
    assert docs_index.is_file() and docs_index.is_relative_to(root) and dropped == []


def test_an_error_in_the_worker_is_raised_in_the_caller(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    with CheckWorker() as worker, pytest.raises(FileNotFoundError, match="no warehouse at"):
        worker.run_checks(missing, ["raw"], "r")


def test_a_worker_that_died_is_reported(tmp_path: Path) -> None:
    with CheckWorker() as worker:
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(CheckWorkerFailed, match="ended unexpectedly .exit code -9"):
            worker.run_checks(tmp_path / "w.duckdb", ["raw"], "r")


def test_a_worker_never_asked_is_ended_at_once() -> None:
    """A run that stops before its checks (a failed build) does not wait for the worker's import."""
    started = time.monotonic()
    with CheckWorker() as worker:
        pid = worker.pid
    assert pid is not None and _ended(pid)
    assert time.monotonic() - started < 1, "the worker was killed, not awaited through its import"


def test_the_worker_ends_with_its_caller(tmp_path: Path) -> None:
    """kill -9 of the run: the worker dies with it at once, even while busy (here importing, which takes
    seconds; a worker that only noticed its closed pipe would end after that), and so never holds the
    warehouse for the next run."""
    caller = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import time
        from denials.quality.worker import CheckWorker
        with CheckWorker() as worker:
            print(worker.pid, flush=True)
            time.sleep(120)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(caller.stdout.readline())
        time.sleep(0.5)  # the worker is into its import (about 2 s), past its check that its caller lives
        assert not _ended(pid)
        caller.kill()
        caller.wait()
        assert _wait_until_ended(pid, seconds=1.0), "the worker outlived its caller"
    finally:
        caller.kill()
        caller.wait()
