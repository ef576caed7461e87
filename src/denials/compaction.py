"""When DuckDB may merge the warehouse's row groups, rewriting them to gather small ones and drop deleted
rows.

At every checkpoint (when a connection that wrote closes, or its log of changes grows past the
threshold) DuckDB merges adjacent row groups of every table whose remaining rows would fit in fewer
(its vacuum), reading and compressing them again. In a daily run at a million claims that took most of
each build's closing checkpoint: 7 to 9 s with merges, 1.1 to 1.5 s without, out of a 41 s run, on
tables where the day's claims were all new and no row had been deleted; the merges gathered the small
row groups the day's appends had left.

So every connection that writes the warehouse holds the merges back, and the close of a dbt build merges
once the stored rows have grown, or the deleted rows among them have grown, since the last merge by a
share of the rows stored (DENIALS_MERGE_SHARE, 10% by default). Until then each build leaves a small row
group per table it appends to (46 a day at a million claims), and rows it deletes stay stored. With 1% new
files a day that merges about every tenth day; a warehouse where claims get reprocessed (each rebuild of
a claim number deletes its earlier rows) sooner. A merge cannot always drop deleted rows (DuckDB merges
only groups that fit in fewer), so the record counts those it left, and they do not bring the next merge
on again. Row groups whose rows were all deleted are dropped at every checkpoint, merges or not.

A table the record does not hold yet was written whole by the build that created it (a first build, or
the marts build after the staging build in a scheduled run): it has little to gather, and only its deleted
rows count. A close with no merge due adds such tables to the record as it finds them, and their later
growth counts from there. Merging at the close of a first build at a million claims took 3.4 s and left
the largest table 28 row groups of its 29. The record is per table so that a table created after the
first close is measured from when it was created, not counted whole as growth.
"""

from __future__ import annotations

import os

import duckdb

from denials.errors import BadSetting

SHARE_ENV = "DENIALS_MERGE_SHARE"
DEFAULT_SHARE = "0.10"
MERGES_TABLE = "build_state.row_groups_merged"

Tables = list[tuple[str, str, int]]
# (schema, table) -> (rows stored, rows deleted among them)
Counts = dict[tuple[str, str], tuple[int, int]]


def hold_back_merges(con: duckdb.DuckDBPyConnection) -> None:
    """Checkpoints of the database `con` is open on merge no row groups, whichever of its connections in
    this process writes, until the database is closed."""
    con.execute("set global max_vacuum_tasks = 0")


def _tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """The database's tables: schema, name and stored rows. A table's estimated size counts its stored
    rows, deleted or not, until a merge or the drop of their row group removes them."""
    return con.execute(
        "select schema_name, table_name, estimated_size from duckdb_tables() "
        "where database_name = current_database() and not temporary"
    ).fetchall()


def _counts(con: duckdb.DuckDBPyConnection, tables: Tables) -> Counts:
    """The rows stored in each of `tables`, and how many of them are deleted, the record of merges aside."""
    counted = [table for table in tables if f"{table[0]}.{table[1]}" != MERGES_TABLE]
    if not counted:
        return {}
    lives = ", ".join(f'(select count(*) from "{schema}"."{table}")' for schema, table, _ in counted)
    live_counts = con.execute(f"select {lives}").fetchone()
    return {(schema, table): (stored, max(stored - live, 0))
            for (schema, table, stored), live in zip(counted, live_counts, strict=True)}


def _on_record(con: duckdb.DuckDBPyConnection, tables: Tables) -> Counts:
    """Each table's rows stored, and deleted among them, on record: as the last merge left them, or as the
    close that first found the table found it. Empty when nothing is."""
    if not any(f"{schema}.{table}" == MERGES_TABLE for schema, table, _ in tables):
        return {}
    try:
        rows = con.execute(
            f"select schema_name, table_name, rows_stored, rows_deleted from {MERGES_TABLE}"
        ).fetchall()
    except duckdb.BinderException:  # a record of another layout: as none, and the close records anew
        return {}
    return {(schema, table): (stored, deleted) for schema, table, stored, deleted in rows}


def rows_changed_share(con: duckdb.DuckDBPyConnection) -> float:
    """The growth of the stored rows since the last merge, plus that of the deleted rows among them, as a
    share of the rows stored; 0 with nothing stored. Only deleted rows count in a table not on record."""
    return _changed_share(con)[0]


def _changed_share(con: duckdb.DuckDBPyConnection) -> tuple[float, Counts, Counts]:
    """rows_changed_share, each table's counts now, and the record they were measured against."""
    tables = _tables(con)
    now = _counts(con, tables)
    recorded = _on_record(con, tables)
    stored = sum(stored for stored, _ in now.values())
    if not stored:
        return 0.0, now, recorded
    changed = 0
    for table, (stored_now, deleted_now) in now.items():
        stored_then, deleted_then = recorded.get(table, (stored_now, 0))
        changed += max(stored_now - stored_then, 0) + max(deleted_now - deleted_then, 0)
    return min(changed / stored, 1.0), now, recorded


def merge_share_threshold() -> float:
    """DENIALS_MERGE_SHARE as a share from 0 to 1 (0: merge at every build)."""
    text = os.environ.get(SHARE_ENV, DEFAULT_SHARE)
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise BadSetting(f"{SHARE_ENV} must be a share from 0 to 1, such as 0.10")
    return share


def merge_if_due(con: duckdb.DuckDBPyConnection) -> bool:
    """Merge row groups now (a checkpoint) when the rows changed since the last merge have reached the
    threshold's share, and record what the merge left stored; True when it merged. Merges are held back
    again afterwards, whatever happened. With no merge due, the tables not on record yet are added to it as
    they are (merged_at null)."""
    share, now, recorded = _changed_share(con)
    if share < merge_share_threshold():
        if now.keys() - recorded.keys():
            _create_record_table(con)
            _record(con, {table: recorded.get(table, counts) for table, counts in now.items()}, merged=False)
        return False
    try:
        con.execute("reset global max_vacuum_tasks")
        # the record's table is also the change without which the checkpoint would do nothing
        _create_record_table(con)
        con.execute("checkpoint")
    finally:
        hold_back_merges(con)
    _record(con, _counts(con, _tables(con)), merged=True)
    return True


def _create_record_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {MERGES_TABLE.split('.')[0]}")
    con.execute(f"create or replace table {MERGES_TABLE} (schema_name varchar, table_name varchar, "
                "rows_stored bigint, rows_deleted bigint, merged_at timestamp)")


def _record(con: duckdb.DuckDBPyConnection, counts: Counts, merged: bool) -> None:
    """`counts`, into the record's table just created, as the state the next merge is measured from;
    merged_at is null for tables recorded as a close found them."""
    if not counts:
        return
    merged_at = "current_timestamp" if merged else "null"
    rows = ", ".join(f"(?, ?, ?, ?, {merged_at})" for _ in counts)
    values = [value for (schema, table), (stored, deleted) in counts.items()
              for value in (schema, table, stored, deleted)]
    con.execute(f"insert into {MERGES_TABLE} values {rows}", values)
