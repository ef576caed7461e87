"""Run dbt in-process against a throwaway warehouse, for tests of the dbt models.

Every run gets its own target and log folders under the test's tmp folder, so parallel runs (and a
developer's own `dbt build` in the checkout) never share a manifest, a partial-parse file or a log.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult

REPO_ROOT = Path(__file__).resolve().parents[2]
WAREHOUSE_ENV = "DENIALS_WAREHOUSE"
LOG_TAIL_LINES = 60


class DbtRunError(AssertionError):
    """A dbt invocation failed; the message carries the failing nodes and the tail of dbt's log."""


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


def _log_tail(log_dir: Path, lines: int = LOG_TAIL_LINES) -> str:
    log_file = log_dir / "dbt.log"
    if not log_file.exists():
        return f"(no dbt log at {log_file})"
    text = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _failed_nodes(result: dbtRunnerResult) -> list[str]:
    """Names and messages of the nodes that errored or failed (build, run, test, seed results)."""
    failed = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status in ("error", "fail", "runtime error"):
            name = getattr(getattr(node_result, "node", None), "unique_id", "?")
            failed.append(f"{name}: {status}: {getattr(node_result, 'message', '')}")
    return failed


def _release_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process after an invocation.

    dbt-duckdb caches one environment (and its DuckDB instance) per process; while it lives, opening the
    same file with another configuration (read_only=True, the loader's settings) fails with "Can't open a
    connection to same database file with a different configuration". Closing it lets a test read the
    warehouse, ingest more files into it, and run dbt again.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing cached here
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()


def run_dbt(args: list[str], warehouse: Path, tmp: Path) -> dbtRunnerResult:
    """Invoke `dbt <args>` on the repo's project with DENIALS_WAREHOUSE pointing at `warehouse`.

    Target and log paths go under `tmp` (created if needed). Raises DbtRunError with the failing nodes
    and the tail of dbt.log when the invocation does not succeed; warnings do not fail it. The warehouse
    file is released afterwards, so the caller may open it (even read-only) or ingest into it.
    """
    target_path = tmp / "dbt_target"
    log_path = tmp / "dbt_logs"
    log_path.mkdir(parents=True, exist_ok=True)
    full_args = [
        *args,
        "--project-dir", str(REPO_ROOT),
        "--profiles-dir", str(REPO_ROOT),
        "--target-path", str(target_path),
        "--log-path", str(log_path),
    ]
    with _environment(WAREHOUSE_ENV, str(warehouse)):
        try:
            result = dbtRunner().invoke(full_args)
        finally:
            _release_warehouse()
    if not result.success:
        failed = "\n".join(_failed_nodes(result)) or "(no failing node reported)"
        raise DbtRunError(
            f"dbt {' '.join(args)} failed against {warehouse}\n"
            f"exception: {result.exception!r}\n"
            f"failing nodes:\n{failed}\n"
            f"--- last {LOG_TAIL_LINES} lines of {log_path / 'dbt.log'} ---\n{_log_tail(log_path)}"
        )
    return result
