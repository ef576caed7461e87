"""`denials run`: the scheduled build. Ingest new files, build, check, publish; safe to run from cron.

Order matters: the marts are rebuilt only after the raw and staging checks pass, so a broken remit file
never reaches the numbers a revenue-cycle team reads; the previous marts stay in place until then.
Running it again over the same inbox is a no-op apart from the checks (files are duplicates, models
are incremental). A second run started while one is going exits at once instead of waiting.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK, EXIT_REJECTED, EXIT_BUILD_FAILED, EXIT_CHECK_FAILED, EXIT_BUSY = 0, 1, 2, 3, 75
MARTS_SELECTOR = "path:models/marts"


class RunInProgress(RuntimeError):
    """Another `denials run` holds the warehouse."""


@contextmanager
def exclusive_run(warehouse: Path) -> Iterator[None]:
    lock_path = warehouse.parent / f"{warehouse.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "w")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(f"another denials run is using {warehouse} (lock {lock_path})") from None
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


@dataclass
class RunOutcome:
    exit_code: int = EXIT_OK
    stages: list[tuple[str, str]] = field(default_factory=list)  # (stage, result)
    docs_index: Path | None = None

    def stage(self, name: str, result: str) -> None:
        self.stages.append((name, result))


def scheduled_run(inbox: list[Path], warehouse: Path, say: Callable[[str], None],
                  quarantine: Path | None = None, dashboard: Path | None = None,
                  build_docs: bool = True) -> RunOutcome:
    from denials.ingest import ingest_paths
    from denials.quality import run_checks
    from denials.transform import run_dbt

    outcome = RunOutcome()
    with exclusive_run(warehouse):
        report = ingest_paths(inbox, warehouse, quarantine_dir=quarantine)
        counts = report.counts
        outcome.stage("ingest", ", ".join(f"{counts.get(s, 0)} {s}" for s in
                                          ("loaded", "duplicate", "rejected", "unsupported")))
        for rejected in (o for o in report.files if o.status == "rejected"):
            say(f"rejected {rejected.label}: {rejected.reason}")
        if report.exit_code:
            outcome.exit_code = EXIT_REJECTED

        built = run_dbt(["build", "--exclude", MARTS_SELECTOR, "--quiet"], warehouse)
        if not built.success:
            outcome.stage("build staging", "failed: " + "; ".join(built.failed_nodes[:5]))
            outcome.exit_code = EXIT_BUILD_FAILED
            return outcome
        outcome.stage("build staging", f"ok ({len(built.warned_nodes)} warnings)")

        checked = run_checks(warehouse, ["raw", "staging"], build_docs=False)
        if not checked.success:
            failed = ", ".join(s.suite for s in checked.critical_failures)
            for line in checked.messages():
                say(line)
            outcome.stage("check raw and staging",
                          f"CRITICAL failure in {failed}: marts not rebuilt, the previous ones stay")
            outcome.exit_code = EXIT_CHECK_FAILED
            return outcome
        outcome.stage("check raw and staging", "passed")

        built = run_dbt(["build", "--select", MARTS_SELECTOR, "--quiet"], warehouse)
        if not built.success:
            outcome.stage("build marts", "failed: " + "; ".join(built.failed_nodes[:5]))
            outcome.exit_code = EXIT_BUILD_FAILED
            return outcome
        outcome.stage("build marts", f"ok ({len(built.warned_nodes)} warnings)")

        checked = run_checks(warehouse, ["marts"], build_docs=build_docs)
        if not checked.success:
            failed = ", ".join(s.suite for s in checked.critical_failures)
            for line in checked.messages():
                say(line)
            outcome.stage("check marts", f"CRITICAL failure in {failed}")
            outcome.exit_code = EXIT_CHECK_FAILED
            return outcome
        outcome.docs_index = checked.docs_index
        outcome.stage("check marts", "passed")

        if dashboard is not None:
            from denials.dashboard import write_dashboard

            outcome.stage("dashboard", str(write_dashboard(warehouse, dashboard)))
    return outcome
