"""Run the dbt project (models/, seeds/, tests) in-process against a warehouse file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from denials.errors import OUT_OF_MEMORY
from denials.paths import PROJECT_ROOT, project_root
from denials.redaction import redact, redact_dbt_logs

__all__ = ["PROJECT_ROOT", "WITHOUT_UNIT_TESTS", "DbtOutcome", "parse_project", "release_warehouse",
           "run_dbt"]
from denials.warehouse import WAREHOUSE_ENV

LOG_TAIL_LINES = 60
# dbt unit tests check the models' SQL on fixed fixtures, not the data: they belong to `make test`, and a
# scheduled build that ran them would spend time on every run proving what the code release proved once.
WITHOUT_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]
# dbt writes every statement it runs to its log file at debug level. A profile of a daily build found its
# worker threads in that logging (formatting, and queueing for the file) in about a third of its samples,
# so the file gets info and above: node starts, results and errors. DBT_LOG_LEVEL_FILE=debug, dbt's own
# setting, brings the statements back when a build needs looking into, their quoted literals redacted as
# every line of the log is (denials.redaction); target/run holds them whole.
LOG_LEVEL_FILE_ENV = "DBT_LOG_LEVEL_FILE"
DEFAULT_LOG_LEVEL_FILE = "info"
# beside dbt's saved parse: the checkout it was parsed from
PARSED_FROM_CHECKOUT_FILE = "parsed_from_checkout.txt"


@dataclass
class DbtOutcome:
    success: bool
    failed_nodes: list[str] = field(default_factory=list)
    warned_nodes: list[str] = field(default_factory=list)
    exception: BaseException | None = None
    log_path: Path | None = None
    result: object | None = None
    # nodes that ran out of memory on the first attempt and were built again by `dbt retry`
    retried_nodes: list[str] = field(default_factory=list)

    @property
    def out_of_memory(self) -> bool:
        return any(OUT_OF_MEMORY in node.lower() for node in self.failed_nodes)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        log_file = (self.log_path or Path("logs")) / "dbt.log"
        if not log_file.exists():
            return f"(no dbt log at {log_file})"
        text = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def release_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process after an invocation.

    dbt-duckdb caches one environment (and its DuckDB instance) per process; while it lives, opening the
    same file with another configuration (read-only, the loader's settings) fails. Closing it lets the
    same process read the warehouse, ingest into it, or run dbt again.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing cached here
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            try:
                _merge_row_groups_if_due(environment)
            finally:
                environment.close()
        DuckDBConnectionManager.close_all_connections()


def _merge_row_groups_if_due(environment: object) -> None:
    """The close of a build is where row groups may be merged (`denials.compaction`), on dbt-duckdb's
    connection, which it keeps open between nodes (keep_open, its default); a connection a failed build
    left unusable closes without."""
    import duckdb

    from denials.compaction import merge_if_due
    from denials.quiet import no_progress_bar

    connection = getattr(environment, "conn", None)
    if connection is None:
        return
    try:
        # dbt-duckdb opened it with DuckDB's progress bar on, and a merge's checkpoint can run past 2 s
        merge_if_due(no_progress_bar(connection))
    except duckdb.Error:
        return


def _drop_parse_of_another_checkout(target: Path, root: Path) -> None:
    """Delete dbt's saved parse in `target` when it was made from a checkout other than `root`.

    The saved parse keeps each seed's absolute path, and dbt reuses it for every file that did not change;
    dbt-duckdb loads a seed's rows from that path. The target folder is the warehouse's, so a checkout
    moved or installed anew in another folder, building the same warehouse, loaded its seeds from the old
    folder: the build failed once that was gone, and took the old folder's rows while it was there. dbt
    then parses in full, once."""
    from dbt.constants import PARTIAL_PARSE_FILE_NAME

    marker = target / PARSED_FROM_CHECKOUT_FILE
    checkout = str(root.resolve())
    try:
        parsed_from = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # none yet, or unreadable: parse in full and write it again
        parsed_from = None
    if parsed_from == checkout:
        return
    (target / PARTIAL_PARSE_FILE_NAME).unlink(missing_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    _replace_whole(marker, checkout)


def _replace_whole(path: Path, text: str) -> None:
    """Write `path` whole or not at all, so another process never reads half of it."""
    written = path.with_name(f"{path.name}.{os.getpid()}")
    written.write_text(text, encoding="utf-8")
    os.replace(written, path)


def redact_run_results(target: Path) -> None:
    """dbt's run_results.json keeps each node's message, and a failed node's message is the database error,
    which quotes the value it failed on: the messages are redacted as the logs are. `dbt retry` reads the
    statuses and node ids, which stay as they are."""
    import json

    path = target / "run_results.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none written (a parse), or not dbt's: nothing to redact
        return
    if not isinstance(results, dict):
        return
    changed = False
    for node_result in results.get("results") or []:
        message = node_result.get("message") if isinstance(node_result, dict) else None
        redacted = redact(message) if isinstance(message, str) else message
        if redacted != message:
            node_result["message"] = redacted
            changed = True
    if changed:
        _replace_whole(path, json.dumps(results))


def _nodes_with_status(result: object, statuses: tuple[str, ...]) -> list[str]:
    nodes = []
    for node_result in getattr(result, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status in statuses:
            name = getattr(getattr(node_result, "node", None), "unique_id", "?")
            # a database error quotes the value it failed on, which may be an identifier
            message = redact(getattr(node_result, "message", "") or "")
            nodes.append(f"{name}: {status}: {message}".rstrip(": "))
    return nodes


def warehouse_target_path(warehouse: Path) -> Path:
    """dbt's target folder (compiled SQL, run results, saved parse) for builds of `warehouse`: its own,
    beside it, as the quarantine is.

    dbt parses the whole project again (about 20 s on a small machine, against 8 s from its saved parse)
    when the profile differs from its last parse in the folder, and the warehouse path is in the profile.
    With one folder for all, builds of two warehouses (a demo and a site, or tests side by side) parsed in
    full every time and overwrote each other's run results."""
    resolved = warehouse.resolve()
    return resolved.parent / "dbt_target" / resolved.stem


def parse_project(warehouse: Path, target_path: Path | None = None, log_path: Path | None = None,
                  project_dir: Path | None = None) -> object | None:
    """dbt's parse of the project for builds of `warehouse` (a Manifest), to hand to several `run_dbt` calls
    in one process; None when it fails (each build then parses, and reports the error, itself).

    Given the manifest, a build neither parses nor writes the manifest and dbt's saved parse again; the
    parse here writes them once. In five side-by-side daily `denials run`s at a million claims, with their
    two builds, that saved 2.6 s on average (from -0.9 to 5.2 s, as the machine's own speed moved)."""
    parsed = _invoke(["parse", "--quiet"], warehouse, target_path, log_path, None, project_dir)
    return getattr(parsed.result, "result", None) if parsed.success else None


def run_dbt(args: list[str], warehouse: Path, target_path: Path | None = None,
            log_path: Path | None = None, callbacks: list | None = None,
            project_dir: Path | None = None, retry_out_of_memory: bool = False,
            manifest: object | None = None) -> DbtOutcome:
    """Invoke `dbt <args>` on the project (this checkout's, or a copy of it at `project_dir`) with
    DENIALS_WAREHOUSE pointing at `warehouse`; `callbacks` receive dbt's events (dbtRunner's callbacks).

    With `retry_out_of_memory`, nodes that failed because DuckDB ran out of memory, and the nodes they
    skipped, are run once more by `dbt retry`, one at a time, in a fresh DuckDB instance. The memory limit
    is shared by the models dbt runs at once and by what a long build leaves in the instance, so a large
    model that fits on its own can fail late in a build; anything else that failed is not retried."""
    outcome = _invoke(args, warehouse, target_path, log_path, callbacks, project_dir, manifest)
    if retry_out_of_memory and not outcome.success and outcome.out_of_memory:
        retried = _invoke(["retry", "--threads", "1"], warehouse, target_path, log_path, callbacks,
                          project_dir)
        retried.retried_nodes = [node.split(":", 1)[0] for node in outcome.failed_nodes]
        return retried
    return outcome


def _invoke(args: list[str], warehouse: Path, target_path: Path | None, log_path: Path | None,
            callbacks: list | None, project_dir: Path | None, manifest: object | None = None) -> DbtOutcome:
    from dbt.cli.main import dbtRunner

    from denials.compaction import merge_share_threshold
    from denials.dbt_events import use_leveled_events

    merge_share_threshold()  # a bad setting stops here, before the build, not at its close
    redact_dbt_logs()
    use_leveled_events()
    root = project_dir or project_root()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    # dbt reads a relative target path from the project's folder
    target = Path(root, target_path or warehouse_target_path(warehouse))
    _drop_parse_of_another_checkout(target, root)
    full_args = [*args, "--project-dir", str(root), "--profiles-dir", str(root), "--target-path", str(target)]
    if log_path is not None:
        log_path.mkdir(parents=True, exist_ok=True)
        full_args += ["--log-path", str(log_path)]
    if LOG_LEVEL_FILE_ENV not in os.environ and "--log-level-file" not in args:
        full_args += ["--log-level-file", DEFAULT_LOG_LEVEL_FILE]
    # A build given a parse made in this process skips dbt's rewrite of manifest.json (the parse wrote it;
    # 3 MB of JSON, about a quarter of a second of Python per build) and writes its run_results.json, which
    # `dbt retry` reads, here instead.
    results_here = manifest is not None and args[:1] == ["build"]
    if results_here:
        full_args.append("--no-write-json")
        (target / "run_results.json").unlink(missing_ok=True)  # never an earlier build's, if this one fails
    result = None
    with _environment(WAREHOUSE_ENV, str(warehouse.resolve())):
        try:
            result = dbtRunner(manifest=manifest, callbacks=callbacks or []).invoke(full_args)
        finally:
            try:
                release_warehouse()
            finally:
                try:
                    if results_here and hasattr(getattr(result, "result", None), "write"):
                        # `dbt retry` takes the flags a build saved here: its own json must be written
                        result.result.args["write_json"] = True
                        result.result.write(str(target / "run_results.json"))
                finally:
                    redact_run_results(target)
    return DbtOutcome(
        success=result.success,
        failed_nodes=_nodes_with_status(result.result, ("error", "fail", "runtime error")),
        warned_nodes=_nodes_with_status(result.result, ("warn",)),
        exception=result.exception,
        log_path=log_path or root / "logs",
        result=result,
    )
