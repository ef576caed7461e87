"""The published database: what readers (app, report, notebooks, `summary`, BI tools) open.

DuckDB lets one process hold a database file for writing, and while it does no other process may even
read it. So the build works in its own file (the warehouse) and, once its checks pass, copies the marts
and the reference seeds into a new file beside it, then renames that file over the published one. A
rename is atomic: a reader that opens the published path gets either the previous run's file or this
run's, never a mix, and a reader that already has the previous file open keeps reading it (the old
inode lives on until its last reader closes it). A build killed at any moment leaves at most a stray
temporary file, which the next publish removes.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts", "reference")
PUBLISHED_SUFFIX = ".published.duckdb"
TEMPORARY_MARKER = ".publishing-"


def published_path(warehouse: Path) -> Path:
    """`warehouse/denials.duckdb` publishes to `warehouse/denials.published.duckdb`."""
    return warehouse.with_name(warehouse.stem + PUBLISHED_SUFFIX)


def is_warehouse_artifact(path: Path, warehouse: Path) -> bool:
    """Files the warehouse itself writes beside it (the inbox must never ingest them)."""
    return path.name.startswith(warehouse.stem) and path.parent.resolve() == warehouse.parent.resolve()


def remove_stale_temporaries(warehouse: Path) -> None:
    for stray in warehouse.parent.glob(f".{warehouse.stem}{TEMPORARY_MARKER}*"):
        stray.unlink(missing_ok=True)


def publish(warehouse: Path, run_id: str, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS) -> Path:
    """Copy `schemas` of the (closed) warehouse into a new file, then swap it in atomically.

    The caller holds the run lock, so no other publisher races this one; the warehouse must not be open
    for writing in this process.
    """
    target = published_path(warehouse)
    remove_stale_temporaries(warehouse)
    temporary = warehouse.with_name(f".{warehouse.stem}{TEMPORARY_MARKER}{os.getpid()}.duckdb")
    try:
        con = duckdb.connect(str(temporary))
        try:
            con.execute("attach ? as build (read_only)", [str(warehouse)])
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = 'build' and schema_name in (select unnest(?)) "
                "union all "
                "select schema_name, view_name from duckdb_views() "
                "where database_name = 'build' and schema_name in (select unnest(?)) and not internal",
                [list(schemas), list(schemas)],
            ).fetchall()
            for schema in sorted({schema for schema, _ in tables}):
                con.execute(f'create schema "{schema}"')
            for schema, table in sorted(tables):
                con.execute(f'create table "{schema}"."{table}" as select * from build."{schema}"."{table}"')
            con.execute("create schema if not exists published")
            con.execute(
                "create table published.publication as select ? as run_id, ? as published_at",
                [run_id, datetime.now(timezone.utc).replace(tzinfo=None)],
            )
            con.execute("detach build")
            con.execute("checkpoint")
        finally:
            con.close()
        temporary.chmod(0o600)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    return target


def connect_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published marts; never blocks and is never blocked by a build."""
    target = published_path(warehouse)
    if not target.exists():
        raise FileNotFoundError(
            f"nothing published yet at {target}: run `denials run` (or `denials publish`) first"
        )
    return duckdb.connect(str(target), read_only=True)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
