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

from denials.errors import NothingToDo
from denials.files import private_file, private_umask

PUBLISHED_SCHEMAS = ("marts", "reference")
# What `denials summary` shows about the files behind the published marts: one row per file and per
# transaction set (names, statuses, counts; never element values). The segments themselves stay in the
# warehouse.
PUBLISHED_RAW_TABLES = ("raw.file_registry", "raw.x12_transactions")
PUBLISHED_SUFFIX = ".published.duckdb"
TEMPORARY_MARKER = ".publishing-"


class NothingPublished(NothingToDo, FileNotFoundError):
    """No run has published marts beside this warehouse yet."""


def published_path(warehouse: Path) -> Path:
    """`warehouse/denials.duckdb` publishes to `warehouse/denials.published.duckdb`."""
    return warehouse.with_name(warehouse.stem + PUBLISHED_SUFFIX)


def is_warehouse_artifact(path: Path, warehouse: Path) -> bool:
    """Files the warehouse itself writes beside it (the inbox must never ingest them): the warehouse and
    its write-ahead log, the lock, the published file, and publishing temporaries."""
    if path.parent.resolve() != warehouse.parent.resolve():
        return False
    name = path.name
    owned = (warehouse.name, published_path(warehouse).name)
    return (name in owned or any(name.startswith(own + ".") for own in owned)
            or name.startswith(f".{warehouse.stem}{TEMPORARY_MARKER}"))


def remove_stale_temporaries(warehouse: Path) -> None:
    for stray in warehouse.parent.glob(f".{warehouse.stem}{TEMPORARY_MARKER}*"):
        stray.unlink(missing_ok=True)


def publish(warehouse: Path, run_id: str, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
            raw_tables: tuple[str, ...] = PUBLISHED_RAW_TABLES) -> Path:
    """Copy `schemas` (and `raw_tables`) of the (closed) warehouse into a new file, then swap it in
    atomically. `published.publication` names the run; `published.tables` lists every copied table with
    its row count, so a reader can tell that what it reads is whole and from that one run.

    The caller holds the writer lock, so no other publisher races this one; the warehouse must not be
    open for writing in this process.
    """
    from denials.pause import pause_point

    target = published_path(warehouse)
    remove_stale_temporaries(warehouse)
    temporary = warehouse.with_name(f".{warehouse.stem}{TEMPORARY_MARKER}{os.getpid()}.duckdb")
    try:
        with private_umask():
            con = duckdb.connect(str(temporary))
        try:
            con.execute("attach ? as build (read_only)", [str(warehouse)])
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = 'build' and schema_name in (select unnest(?)) "
                "union all "
                "select schema_name, view_name from duckdb_views() "
                "where database_name = 'build' and schema_name in (select unnest(?)) and not internal "
                "union all "
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = 'build' and schema_name || '.' || table_name in (select unnest(?))",
                [list(schemas), list(schemas), list(raw_tables)],
            ).fetchall()
            if not any(schema == "marts" for schema, _ in tables) and "marts" in schemas:
                raise NothingToDo(f"no marts in {warehouse} to publish: build them first")
            for schema in sorted({schema for schema, _ in tables}):
                con.execute(f'create schema "{schema}"')
            for number, (schema, table) in enumerate(sorted(tables)):
                con.execute(f'create table "{schema}"."{table}" as select * from build."{schema}"."{table}"')
                if number == 0:
                    pause_point("publish")
            con.execute("create schema published")
            con.execute(
                "create table published.publication as select ? as run_id, ? as published_at",
                [run_id, datetime.now(timezone.utc).replace(tzinfo=None)],
            )
            con.execute("create table published.tables (schema_name varchar, table_name varchar, "
                        "row_count bigint)")
            for schema, table in sorted(tables):
                con.execute(f'insert into published.tables select ?, ?, count(*) from "{schema}"."{table}"',
                            [schema, table])
            con.execute("detach build")
            con.execute("checkpoint")
        finally:
            con.close()
        private_file(temporary)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        pause_point("swap")
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    return target


def publication(con: duckdb.DuckDBPyConnection) -> tuple[str, datetime]:
    """(run id, published at) of the published file `con` reads."""
    return con.execute("select run_id, published_at from published.publication").fetchall()[0]


READER_MEMORY_LIMIT = os.environ.get("DENIALS_READER_MEMORY_LIMIT", "1GB")


def connect_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published marts; never blocks and is never blocked by a build.

    A connection keeps reading the file it opened (a consistent snapshot) even after a newer run is
    published; open a new one to see the newer run.
    """
    target = published_path(warehouse)
    if not target.exists():
        raise NothingPublished(
            f"nothing published yet at {target}: run `denials run` (or `denials build` then "
            "`denials publish`) first"
        )
    con = duckdb.connect(str(target), read_only=True)
    # readers are many and long-lived (the app, notebooks): each gets a bounded share of memory and
    # spills beyond it instead of growing with the warehouse
    con.execute(f"set memory_limit = '{READER_MEMORY_LIMIT}'")
    return con


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
