"""The checks' worker process (`denials run` checks there): it reports what `run_checks` reports in the
caller's process, raises the worker's errors in the caller, and never outlives its caller."""

from __future__ import annotations

import io
import os
import pickle
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
    """A run that stops before its checks (a failed build) kills the worker rather than await its import;
    one that asked and is done lets it end by itself."""
    with CheckWorker() as never_asked:
        pass
    assert never_asked.exit_code == -signal.SIGKILL
    with CheckWorker() as asked, pytest.raises(ValueError, match="unknown suite"):
        asked.run_checks(Path(__file__), ["no_such_suite"], "r")
    assert asked.exit_code == 0


def test_a_request_cut_short_is_not_answered_from_the_pipe(unbalanced_run: Run, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (here: an error in after_suite) while the worker is still checking leaves its replies unread:
    the worker is not asked again (the run's Data Docs are then not built, and say why)."""
    warehouse = copy_warehouse(unbalanced_run.warehouse, tmp_path)
    monkeypatch.setenv("DENIALS_GX_ROOT", str(gx_copy(tmp_path)))

    class Interrupted(Exception):
        pass

    def interrupt(suite: SuiteOutcome) -> None:
        raise Interrupted(suite.suite)

    with CheckWorker() as worker:
        with pytest.raises(Interrupted):
            worker.run_checks(warehouse, None, "cut-short", after_suite=interrupt)
        with pytest.raises(CheckWorkerFailed, match="cannot be asked again: a request was cut short"):
            worker.build_docs()
    assert worker.exit_code == -signal.SIGKILL, "ended at once, mid-check"


def _outlives_its_killed_caller(caller_script: str) -> bool:
    """Run `caller_script`, which prints the pid of the process it starts and then waits; kill -9 it; say
    whether that process is still alive 20 s later."""
    caller = subprocess.Popen([sys.executable, "-c", textwrap.dedent(caller_script)], stdout=subprocess.PIPE,
                              text=True)
    try:
        pid = int(caller.stdout.readline())
        assert not _ended(pid)
        caller.kill()
        caller.wait()
        return not _wait_until_ended(pid)
    finally:
        caller.kill()
        caller.wait()


def test_a_worker_dies_with_its_caller() -> None:
    """kill -9 of the run kills the worker too, whatever it is doing (here: sleeping, where a closed pipe
    would never end it), so it never holds the warehouse for the next run."""
    assert not _outlives_its_killed_caller("""
        import os, subprocess, sys
        subprocess.Popen([sys.executable, "-c", (
            "import os, sys, time\\n"
            "from denials.quality.worker import _die_with\\n"
            "_die_with(int(sys.argv[1]))\\n"
            "print(os.getpid(), flush=True)\\n"
            "time.sleep(120)\\n"), str(os.getpid())])
        subprocess.run(["sleep", "120"])
    """)


def test_the_worker_ends_with_its_caller() -> None:
    """The same, end to end: the worker a run starts ends when the run is killed."""
    assert not _outlives_its_killed_caller("""
        import time
        from denials.quality.worker import CheckWorker
        with CheckWorker() as worker:
            print(worker.pid, flush=True)
            time.sleep(120)
    """)


def test_half_a_reply_is_the_worker_ending() -> None:
    """A worker killed while writing a reply leaves half of it in the pipe: reported as the worker ending,
    not as a pickling error."""
    worker = CheckWorker()
    worker._replies = io.BytesIO(pickle.dumps(("report", list(range(1000))))[:50])
    with pytest.raises(CheckWorkerFailed, match="ended unexpectedly"):
        worker._receive()
