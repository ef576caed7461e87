"""A small warehouse published once per session by `denials run`, and helpers to run the command line
in a child process (as cron does) against copies of it.

Two generated batches of different seeds: the first is published by the fixture, the second is what
the tests' runs ingest, so a reader can tell the two publications apart by their row counts.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from denials.generate import generate
from denials.quality.project import DEFAULT_GX_ROOT

RUN_TIMEOUT = 600


@dataclass(frozen=True)
class Published:
    root: Path
    batch1: Path
    batch2: Path
    warehouse: Path  # warehouse/denials.duckdb, with batch1 built and published
    gx_root: Path
    run_id: str


def cli(*args: str, gx_root: Path, env: dict[str, str] | None = None,
        timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    """`denials ARGS` in a child process; output captured as text."""
    return subprocess.run([sys.executable, "-m", "denials.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=child_env(gx_root, env))


def child_env(gx_root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DENIALS_WAREHOUSE", "DENIALS_PAUSE_AT", "DENIALS_DEBUG")}
    env["DENIALS_GX_ROOT"] = str(gx_root)
    # dbt's target and log folders beside this session's GX copy, not the checkout's: children of tests
    # running at the same time (pytest-xdist workers) must not share dbt's manifest and parse cache
    env["DBT_TARGET_PATH"] = str(gx_root.parent / "dbt-target")
    env["DBT_LOG_PATH"] = str(gx_root.parent / "dbt-logs")
    env.update(extra or {})
    return env


def start(*args: str, gx_root: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`denials ARGS` started in its own process group (so a test can kill -9 exactly it), with Ctrl-C's
    default action: a suite started with `&` by a non-interactive shell (a script, a CI runner) ignores
    SIGINT, and a child would inherit that and never see the interrupt a test sends it."""
    return subprocess.Popen([sys.executable, "-m", "denials.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env(gx_root, env),
                            start_new_session=True, preexec_fn=_default_interrupt)


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(path: Path, process: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the run ended ({process.returncode}) before {path.name}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} not reached in {timeout} s")
        time.sleep(0.1)


def gx_copy(tmp: Path) -> Path:
    target = tmp / "expectations"
    shutil.copytree(DEFAULT_GX_ROOT, target, ignore=shutil.ignore_patterns("uncommitted"))
    return target


def copy_published(published: Published, tmp: Path) -> Path:
    """A copy of the published warehouse folder (warehouse, published file, lock); its new path."""
    target = tmp / "warehouse"
    shutil.copytree(published.warehouse.parent, target)
    return target / published.warehouse.name


def publication(warehouse: Path) -> tuple[str, dict[str, int]]:
    """(run id, {table: rows as recorded}) of the published file; asserts every table is whole."""
    from denials.publish import connect_published

    con = connect_published(warehouse)
    try:
        (run_id,), = con.execute("select run_id from published.publication").fetchall()
        recorded = {f"{schema}.{table}": rows for schema, table, rows in
                    con.execute("select schema_name, table_name, row_count from published.tables").fetchall()}
        for name, rows in recorded.items():
            schema, table = name.split(".")
            actual = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            assert actual == rows, f"{name}: {actual} rows, the publication recorded {rows}"
        return run_id, recorded
    finally:
        con.close()


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("pipeline")
    batch1, batch2 = root / "batch1", root / "batch2"
    generate(batch1, claims=150, seed=41, claims_per_file=50)
    generate(batch2, claims=120, seed=42, claims_per_file=40)
    for batch in (batch1, batch2):
        # The inbox holds what a clearinghouse sends, nothing else.
        shutil.rmtree(batch / "truth")
        (batch / "manifest.json").unlink(missing_ok=True)
    gx_root = gx_copy(root)
    warehouse = root / "warehouse" / "denials.duckdb"
    done = cli("run", str(batch1), "--warehouse", str(warehouse), "--no-docs", gx_root=gx_root)
    assert done.returncode == 0, done.stdout + done.stderr
    run_id, _ = publication(warehouse)
    return Published(root, batch1, batch2, warehouse, gx_root, run_id)


def mart_tables(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {row[0] for row in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    finally:
        con.close()
