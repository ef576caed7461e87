"""The published database: what readers (app, report, notebooks, `summary`, BI tools) open.

DuckDB lets one process hold a database file for writing, and while it does no other process may even
read it. So the build works in its own file (the warehouse) and, once its checks pass, copies the marts
and the reference seeds into a new file beside it, then renames that file over the published one. A
rename is atomic: a reader that opens the published path gets either the previous run's file or this
run's, never a mix, and a reader that already has the previous file open keeps reading it (the old
inode lives on until its last reader closes it). A build killed at any moment leaves at most a stray
temporary file, which the next publish removes.

A daily build changes a few patient control numbers of marts that hold every claim, and copying those
marts whole took most of a daily run at a million claims. So a publish starts from a copy of the previous
publication when the warehouse says that publication was its last (build_state.publications), and brings
each mart up to date the cheapest way its ledger allows (build_state.unpublished_changes, written by the
models' pre-hook, macros/incremental.sql):
  - a partitioned mart (build_state.published_partitions) that no build touched since: kept as it is;
  - one whose builds replaced some patient control numbers: those numbers' rows deleted and copied again;
  - one rebuilt whole, with other columns, or any other table: copied whole.
Afterwards every table's row count must equal the warehouse's; a table whose count differs is copied
whole and reported, since the ledger then missed a change. Without a matching previous publication
(the first run, a publication replaced or opened for writing by hand, a publish that stopped before
recording itself), or after a build rewrote a mart whole (a retracted file, a full refresh, a changed
rule: the rows it dropped must not stay behind in the file's freed blocks), every table is copied whole
into a new file, as before.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from denials.compaction import hold_back_merges
from denials.errors import NothingToDo
from denials.files import private_file, private_umask
from denials.quiet import quiet_connect

PUBLISHED_SCHEMAS = ("marts", "reference")
# What `denials summary` shows about the files behind the published marts: one row per file and per
# transaction set (names, statuses, counts; never element values). The segments themselves stay in the
# warehouse.
PUBLISHED_RAW_TABLES = ("raw.file_registry", "raw.x12_transactions")
PUBLISHED_SUFFIX = ".published.duckdb"
TEMPORARY_MARKER = ".publishing-"
# The warehouse's record of its last publication and the ledger of mart changes since (macros/incremental.sql)
LAST_PUBLICATION = "build_state.publications"
UNPUBLISHED_CHANGES = "build_state.unpublished_changes"
UNPUBLISHED_NUMBERS = "build_state.unpublished_numbers"
PUBLISHED_PARTITIONS = "build_state.published_partitions"


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


@dataclass
class PublishResult:
    """Where the marts went and how each table got there."""

    path: Path
    copied: list[str] = field(default_factory=list)  # copied whole
    updated: list[str] = field(default_factory=list)  # the rows of changed patient control numbers replaced
    kept: list[str] = field(default_factory=list)  # unchanged since the previous publication
    # updated or kept, yet its row count differed from the warehouse's: copied whole after all
    repaired: list[str] = field(default_factory=list)
    # why the warehouse could not note this publication (the next publish then copies every table)
    not_recorded: str | None = None

    def summary(self) -> str:
        parts = [f"{len(self.copied)} tables copied whole"]
        if self.updated or self.kept:
            parts += [f"{len(self.updated)} updated in place", f"{len(self.kept)} unchanged"]
        if self.repaired:
            parts.append(f"{len(self.repaired)} copied again after a row count differed ("
                         + ", ".join(self.repaired) + ")")
        if self.not_recorded:
            parts.append(f"not noted in the warehouse ({self.not_recorded}): the next publish copies "
                         "every table")
        return ", ".join(parts)


def publish(warehouse: Path, run_id: str, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
            raw_tables: tuple[str, ...] = PUBLISHED_RAW_TABLES) -> PublishResult:
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
        probe = quiet_connect()
        try:
            probe.execute("attach ? as build (read_only)", [str(warehouse)])
            # read even when everything is copied whole: what it lists is then published too
            ledger = _Ledger.read(probe)
            incremental = not ledger.whole and _is_last_publication(probe, target)
        finally:
            probe.close()
        if not incremental:
            ledger.partitions.clear()
        else:
            with private_umask():
                shutil.copyfile(target, temporary)
        with private_umask():
            con = quiet_connect(temporary)
        try:
            con.execute("attach ? as build (read_only)", [str(warehouse)])
            tables = _tables_to_publish(con, schemas, raw_tables)
            if not any(schema == "marts" for schema, _ in tables) and "marts" in schemas:
                raise NothingToDo(f"no marts in {warehouse} to publish: build them first")
            result = PublishResult(target)
            for schema in sorted({schema for schema, _ in tables}):
                con.execute(f'create schema if not exists "{schema}"')
            for number, (schema, table) in enumerate(sorted(tables)):
                how = _bring_up_to_date(con, schema, table, ledger)
                getattr(result, how).append(f"{schema}.{table}")
                if number == 0:
                    pause_point("publish")
            _drop_unpublished(con, set(tables))
            _copy_where_counts_differ(con, result)
            con.execute("drop schema if exists published cascade")
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
        result.not_recorded = _record_publication(warehouse, run_id, ledger.change_ids,
                                                  _file_identity(target))
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    return result


def _tables_to_publish(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...],
                       raw_tables: tuple[str, ...]) -> list[tuple[str, str]]:
    return con.execute(
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


def _file_identity(path: Path) -> tuple[int, int]:
    """(size, modification time in ns) of a publication's file: any write since changes it, while a copy of
    the warehouse folder that keeps times (cp -p, a restore) keeps it."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _is_last_publication(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """True when `target` is, unchanged, the file of the publication the warehouse recorded as its last: a
    file opened for writing since (the DuckDB command line opens read-write unless told) could hold changes
    a publish built on it would carry on. (The caller also starts anew when a build rewrote a mart whole:
    a retracted file, a full refresh or a changed rule, whose dropped rows would stay behind in the freed
    blocks of a file built on the old one.)"""
    if not target.exists():
        return False
    try:
        last = con.execute(f"select run_id, file_size, file_modified_ns "
                           f"from build.{LAST_PUBLICATION}").fetchall()
        con.execute("attach ? as previous (read_only)", [str(target)])
        previous = con.execute("select run_id from previous.published.publication").fetchall()
        return (len(last) == 1 and [(last[0][0],)] == previous
                and tuple(last[0][1:]) == _file_identity(target))
    except duckdb.Error:
        # no publication recorded yet, an unreadable or foreign published file: publish anew
        return False


@dataclass
class _Ledger:
    """The mart changes since the last publication; without partitions every table is copied whole."""

    partitions: dict[tuple[str, str], str] = field(default_factory=dict)  # (schema, table) -> column
    whole: set[str] = field(default_factory=set)  # tables rebuilt whole by some build
    changed: set[str] = field(default_factory=set)  # tables whose builds replaced some numbers
    change_ids: list[str] = field(default_factory=list)  # every ledger entry read

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> _Ledger:
        """The ledger of the warehouse `con` has attached as `build`."""
        ledger = cls()
        try:
            partitions = con.execute("select schema_name, table_name, partition_column "
                                     f"from build.{PUBLISHED_PARTITIONS}").fetchall()
            ledger.partitions = {(schema, table): column for schema, table, column in partitions}
            # a build that replaced no number (no new file touched the mart) changed nothing in it
            for change_id, model, whole, numbers in con.execute(
                    "select change_id, model_name, is_whole, exists (select 1 from "
                    f"build.{UNPUBLISHED_NUMBERS} as numbers where numbers.change_id = changes.change_id) "
                    f"from build.{UNPUBLISHED_CHANGES} as changes").fetchall():
                ledger.change_ids.append(change_id)
                if whole:
                    ledger.whole.add(model)
                elif numbers:
                    ledger.changed.add(model)
        except duckdb.CatalogException:
            # built before the ledger existed: nothing can be updated in place
            return cls()
        return ledger


def _bring_up_to_date(con: duckdb.DuckDBPyConnection, schema: str, table: str, ledger: _Ledger) -> str:
    """Make the copy's `schema.table` equal the warehouse's; say how ('copied', 'updated' or 'kept')."""
    column = ledger.partitions.get((schema, table))
    if column is None or table in ledger.whole or _columns(con, schema, table, "build") != _columns(
            con, schema, table):
        _copy_whole(con, schema, table)
        return "copied"
    if table not in ledger.changed:
        return "kept"
    numbers = (f"select numbers.patient_control_number from build.{UNPUBLISHED_NUMBERS} as numbers "
               "where numbers.change_id in (select changes.change_id "
               f"from build.{UNPUBLISHED_CHANGES} as changes where changes.model_name = ?)")
    con.execute(f'delete from "{schema}"."{table}" where "{column}" in ({numbers})', [table])
    con.execute(f'insert into "{schema}"."{table}" select * from build."{schema}"."{table}" '
                f'where "{column}" in ({numbers})', [table])
    return "updated"


def _copy_whole(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    con.execute(f'create or replace table "{schema}"."{table}" as select * from build."{schema}"."{table}"')


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str,
             database: str | None = None) -> list[tuple[str, str]]:
    """(name, type) of each column of `schema.table`, in the publication being written unless `database`."""
    return con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = "
        "coalesce(?, current_database()) and schema_name = ? and table_name = ? order by column_index",
        [database, schema, table]).fetchall()


def _drop_unpublished(con: duckdb.DuckDBPyConnection, tables: set[tuple[str, str]]) -> None:
    """Drop what the previous publication held and this one does not (a mart removed since)."""
    held = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name <> 'published'").fetchall()
    for schema, table in held:
        if (schema, table) not in tables:
            con.execute(f'drop table "{schema}"."{table}"')


def _copy_where_counts_differ(con: duckdb.DuckDBPyConnection, result: PublishResult) -> None:
    """A table updated in place or kept must have the warehouse's row count; else the ledger missed a
    change, and the table is copied whole."""
    for name in [*result.updated, *result.kept]:
        schema, table = name.split(".", 1)
        ours, theirs = con.execute(
            f'select (select count(*) from "{schema}"."{table}"), '
            f'(select count(*) from build."{schema}"."{table}")').fetchone()
        if ours != theirs:
            _copy_whole(con, schema, table)
            result.repaired.append(name)


def _record_publication(warehouse: Path, run_id: str, change_ids: list[str],
                        identity: tuple[int, int]) -> str | None:
    """The warehouse notes `run_id` and its file's `identity` as its last publication, and forgets the
    changes it took in; None, or why it could not. The publication is in place by then: when this fails
    (another process opened the warehouse meanwhile, say), the next publish finds no match and copies
    everything whole."""
    try:
        con = quiet_connect(warehouse)
    except duckdb.Error as error:
        return type(error).__name__
    try:
        hold_back_merges(con)
        con.execute("begin")
        con.execute("create schema if not exists build_state")
        con.execute(f"create or replace table {LAST_PUBLICATION} as select ? as run_id, ? as file_size, "
                    "? as file_modified_ns", [run_id, *identity])
        # entries were read from these tables, so they exist whenever there is something to forget
        for ledger in (UNPUBLISHED_NUMBERS, UNPUBLISHED_CHANGES) if change_ids else ():
            con.execute(f"delete from {ledger} where change_id in (select unnest(?))", [change_ids])
        con.execute("commit")
    except duckdb.Error as error:
        return type(error).__name__
    finally:
        con.close()
    return None


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
    con = quiet_connect(target, read_only=True)
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
