"""`denials run`: the scheduled build. Ingest new files, build, check, then publish; safe to run from cron.

The build works in the warehouse file; readers never open it. Only after every critical check has passed
are the marts copied into a new file that replaces the published one in one atomic rename
(`denials.publish`). So a failing check, a failed dbt build or a kill -9 at any moment leaves the
previously published marts whole, and a reader never waits for a build nor sees marts of two runs.
The raw and staging checks run before the marts are rebuilt, so a broken remit file never reaches them.
Running it again over the same inbox is a no-op apart from the checks (unchanged files are skipped,
models are incremental: the partitioned intermediate and mart models rebuild only the patient control
numbers the new files carry, or everything when a global input changed, and the stage line says which).
A second writer started meanwhile exits at once with the busy code.
"""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from denials.errors import (
    EXIT_BUILD_FAILED,
    EXIT_CHECK_FAILED,
    EXIT_OK,
    EXIT_REJECTED,
    classify,
)
from denials.locking import writer_lock
from denials.pause import pause_point, pauses_at

if TYPE_CHECKING:
    from denials.quality.worker import CheckWorker

MARTS_SELECTOR = "path:models/marts"


@dataclass
class RunOutcome:
    run_id: str
    exit_code: int = EXIT_OK
    stages: list[tuple[str, str]] = field(default_factory=list)  # (stage, result)
    docs_index: Path | None = None
    publication: Any = None  # the publish's PublishResult: the published file, how each table got there
    # wall seconds of each stage: from the end of the one before (or the start) to its result
    seconds: dict[str, float] = field(default_factory=dict)
    _stage_started: float = field(default_factory=time.perf_counter, init=False, repr=False, compare=False)

    @property
    def published(self) -> Path | None:
        """The published file, once this run has published."""
        return None if self.publication is None else self.publication.path

    def stage(self, name: str, result: str) -> None:
        now = time.perf_counter()
        self.stages.append((name, result))
        self.seconds[name] = now - self._stage_started
        self._stage_started = now


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _after_first_node(action: Callable[[], None]) -> Callable[[Any], None]:
    """A dbt callback that runs `action` once, when the first node has finished. dbt's threads finish
    nodes at once, hence the lock."""
    seen = []
    lock = threading.Lock()

    def callback(event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        with lock:
            if seen:
                return
            seen.append(True)
        action()

    return callback


class _BackgroundImport:
    """Imports modules in a daemon thread once started, so that a later stage finds them loaded; as a
    context, started on entry and joined on every way out, so the process never ends inside an import.

    A first import of dbt costs about 2 s of Python, and the ingest spends most of its time in DuckDB, which
    releases the GIL, so the import runs beside it. Great Expectations is imported in a process of its own
    instead (denials.quality.worker): a thread importing it beside the staging build, itself mostly Python,
    lengthened the build by what it saved (at a million claims, a daily run's staging build took 11.0 s
    with that import beside it, 8.8 s without). A module that fails to import here fails again, with its
    message, where it is used."""

    def __init__(self, *modules: str) -> None:
        self._thread = threading.Thread(target=self._import, args=modules, name="background import",
                                        daemon=True)

    @staticmethod
    def _import(*modules: str) -> None:
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception:  # noqa: BLE001 - the stage that needs it imports it again and reports
                continue

    def start(self) -> None:
        if self._thread.ident is None:
            self._thread.start()

    def wait(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()

    def __enter__(self) -> _BackgroundImport:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wait()


def _probe(warehouse: Path) -> None:
    """Open the warehouse for writing once, so that a lock held by another process, a corrupt file or
    another raw layout is reported in one line before dbt starts (dbt would print its own traceback).
    An earlier raw layout that this release can upgrade is upgraded here, within the memory limit; a
    crashed build's log, replayed at this open, is written back at its close."""
    from denials.warehouse import connect

    connect(warehouse).close()


def dbt_build(args: list[str], warehouse: Path, pause_stage: str,
              manifest: object | None = None):  # noqa: ANN202 - DbtOutcome
    """`dbt ARGS` on the warehouse, without the dbt unit tests (they test the code, `make test` runs them).
    A failure of the warehouse itself (held by another process, corrupt, disk full) is raised as the
    command line's one-line error rather than reported as a failed model."""
    from denials.transform import WITHOUT_UNIT_TESTS, run_dbt

    _probe(warehouse)
    # only when a test pauses the run here: a callback makes dbt build every event for it (denials.dbt_events)
    pausing = [_after_first_node(lambda: pause_point(pause_stage))] if pauses_at(pause_stage) else []
    built = run_dbt([*args, *WITHOUT_UNIT_TESTS], warehouse, callbacks=pausing, retry_out_of_memory=True,
                    manifest=manifest)
    if not built.success:
        causes = [built.exception] if built.exception is not None else []
        causes += [RuntimeError(node) for node in built.failed_nodes]
        for cause in causes:
            known = classify(cause, warehouse) if isinstance(cause, Exception) else None
            if known is None and any(marker in str(cause).lower() for marker in _ENVIRONMENT_MARKERS):
                known = classify(duckdb.IOException(str(cause)), warehouse)
            if known is not None:
                raise known
    return built


def retry_note(built: Any) -> str:
    """What a build's stage line says of models dbt had to run again after DuckDB ran out of memory."""
    count = len(built.retried_nodes)
    if not count:
        return ""
    models = "model" if count == 1 else "models"
    return f", {count} {models} out of memory at first, built again one at a time"


# Words in a failed node's message that say the warehouse failed, not the model.
_ENVIRONMENT_MARKERS = ("could not set lock", "no space left", "read-only file system")


def start_checks() -> CheckWorker:
    """The checks of a run: a `CheckWorker` process (a context), which imports Great Expectations on the
    other core while this process ingests and builds (denials.quality.worker)."""
    from denials.quality.worker import CheckWorker

    return CheckWorker()


def scheduled_run(inbox: list[Path], warehouse: Path, say: Callable[[str], None],
                  quarantine: Path | None = None, dashboard: Path | None = None,
                  build_docs: bool = True, payer_overrides: Path | None = None) -> RunOutcome:
    outcome = RunOutcome(run_id=new_run_id())
    with writer_lock(warehouse, "run"):
        checks = start_checks()
        with checks:
            try:
                _run_stages(inbox, warehouse, say, quarantine, outcome, checks, payer_overrides)
            finally:
                if build_docs and checks.checked:
                    _write_docs(checks, outcome, say)
        if outcome.published is not None and dashboard is not None:
            from denials.dashboard import write_dashboard

            outcome.stage("dashboard", str(write_dashboard(outcome.published, dashboard)))
    return outcome


def _run_stages(inbox: list[Path], warehouse: Path, say: Callable[[str], None], quarantine: Path | None,
                outcome: RunOutcome, checks: CheckWorker, payer_overrides: Path | None = None) -> None:
    from denials.compaction import merge_share_threshold
    from denials.incremental import build_scope_summary
    from denials.ingest import ingest_paths
    from denials.ingest.retraction import mark_rebuilt, rebuild_pending
    from denials.key_layout import keys_are_text
    from denials.payer_overrides import load_overrides, read_overrides, resolve_path
    from denials.publish import publish
    from denials.seed_state import build_selection, record_seeds_loaded
    from denials.transform import parse_project

    def after_file(_: object) -> None:
        pause_point("ingest")

    # A bad override file or setting stops the run before anything is ingested or built.
    merge_share_threshold()
    overrides_file = resolve_path(payer_overrides)
    if overrides_file is not None:
        read_overrides(overrides_file)

    # dbt's first import (about 2 s) runs beside the ingest, which spends most of its time in DuckDB. The
    # two threads share the GIL, so the ingest's own time takes part of the import.
    with _BackgroundImport("dbt.cli.main"):
        report = ingest_paths(inbox, warehouse, quarantine_dir=quarantine, on_file=after_file)
        counts = report.counts
        outcome.stage("ingest", ", ".join(f"{counts.get(s, 0)} {s}" for s in
                                          ("loaded", "duplicate", "unchanged", "rejected", "unsupported")))
        for rejected in (o for o in report.files if o.status == "rejected"):
            say(f"rejected {rejected.label}: {rejected.reason}")
        if report.exit_code:
            outcome.exit_code = EXIT_REJECTED

        overrides_file, override_rows = load_overrides(warehouse, payer_overrides)
        if overrides_file is not None:
            outcome.stage("payer overrides", f"{override_rows} rows from {overrides_file}")
        # A retracted file's rows are in the incremental models, or an earlier release's text keys are:
        # rebuild them from scratch once.
        retracted = rebuild_pending(warehouse)
        text_keys = not retracted and keys_are_text(warehouse)
        refresh = retracted or text_keys
        selection, seeds_loaded = build_selection(warehouse, without=MARTS_SELECTOR, full_refresh=refresh)
        staging_args = ["build", *selection, "--quiet"] + (["--full-refresh"] if refresh else [])

    # Both builds take this one parse. They compile in place, in the one manifest, so their selections must
    # not overlap (dbt would not compile a node's ephemeral CTEs twice): staging and intermediate, then marts.
    manifest = parse_project(warehouse)
    built = dbt_build(staging_args, warehouse, "staging", manifest=manifest)
    if built.success and seeds_loaded:
        record_seeds_loaded(warehouse, seeds_loaded)
    if not built.success:
        outcome.stage("build staging", "failed: " + "; ".join(built.failed_nodes[:5]))
        outcome.exit_code = EXIT_BUILD_FAILED
        return
    if refresh:
        mark_rebuilt(warehouse)
    scope = None if refresh else build_scope_summary(warehouse)
    outcome.stage("build staging", f"ok ({len(built.warned_nodes)} warnings"
                  + (", rebuilt from scratch without the retracted files" if retracted else "")
                  + (", rebuilt from scratch: its keys were an earlier release's text" if text_keys else "")
                  + ("" if seeds_loaded else ", seeds unchanged: not loaded again")
                  + retry_note(built) + (f"; {scope})" if scope and not refresh else ")"))

    checked = checks.run_checks(warehouse, ["raw", "staging"], outcome.run_id,
                                after_suite=lambda _: pause_point("check"))
    if not checked.success:
        failed = ", ".join(s.suite for s in checked.critical_failures)
        for line in checked.messages():
            say(line)
        outcome.stage("check raw and staging",
                      f"CRITICAL failure in {failed}: marts not rebuilt, nothing published")
        outcome.exit_code = EXIT_CHECK_FAILED
        return
    outcome.stage("check raw and staging", "passed")

    # the marts too: their partitions hold the retracted files' rows, or were built on the text keys
    marts_args = ["build", "--select", MARTS_SELECTOR, "--quiet"] + (["--full-refresh"] if refresh else [])
    built = dbt_build(marts_args, warehouse, "marts", manifest=manifest)
    if not built.success:
        outcome.stage("build marts", "failed: " + "; ".join(built.failed_nodes[:5]) + "; nothing published")
        outcome.exit_code = EXIT_BUILD_FAILED
        return
    outcome.stage("build marts", f"ok ({len(built.warned_nodes)} warnings{retry_note(built)})")

    checked = checks.run_checks(warehouse, ["marts"], outcome.run_id)
    if not checked.success:
        failed = ", ".join(s.suite for s in checked.critical_failures)
        for line in checked.messages():
            say(line)
        outcome.stage("check marts", f"CRITICAL failure in {failed}: nothing published")
        outcome.exit_code = EXIT_CHECK_FAILED
        return
    outcome.stage("check marts", "passed")

    published = publish(warehouse, outcome.run_id)
    outcome.publication = published
    outcome.stage("publish", f"run {outcome.run_id} -> {published.path} ({published.summary()})")


def _write_docs(checks: CheckWorker, outcome: RunOutcome, say: Callable[[str], None]) -> None:
    try:
        outcome.docs_index, dropped = checks.build_docs()
    except Exception as error:  # noqa: BLE001 - the checks ran and are recorded; say what the docs lack
        say(f"Data Docs not built: {type(error).__name__}")
        return
    for url in dropped:
        say(f"Data Docs: dropped {url} (no local copy)")
