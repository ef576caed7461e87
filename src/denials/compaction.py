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

The first close of a build has no merge to measure from, and its tables were just written whole: there is
nothing to gather, only deleted rows could be worth a merge. So it merges only when those reach the share,
and otherwise records the rows stored as the state the next merge is measured from. Merging at the close
of a first build at a million claims took 3.4 s and left the largest table 28 row groups of its 29.
"""

from __future__ import annotations

import os

import duckdb

from denials.errors import BadSetting

SHARE_ENV = "DENIALS_MERGE_SHARE"
DEFAULT_SHARE = "0.10"
MERGES_TABLE = "build_state.row_groups_merged"

Tables = list[tuple[str, str, int]]


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


def _stored_and_deleted(con: duckdb.DuckDBPyConnection, tables: Tables) -> tuple[int, int]:
    """The rows stored in `tables`, and how many of them are deleted, the record of merges aside."""
    counted = [table for table in tables if f"{table[0]}.{table[1]}" != MERGES_TABLE]
    if not counted:
        return 0, 0
    stored = sum(size for _, _, size in counted)
    counts = " + ".join(f'(select count(*) from "{schema}"."{table}")' for schema, table, _ in counted)
    (live,) = con.execute(f"select {counts}").fetchone()
    return stored, max(stored - live, 0)


def _last_merge(con: duckdb.DuckDBPyConnection, tables: Tables) -> tuple[int, int] | None:
    """The rows stored, and deleted among them, on record: after the last merge, or as the first close
    found them; None when nothing is."""
    if not any(f"{schema}.{table}" == MERGES_TABLE for schema, table, _ in tables):
        return None
    try:
        return con.execute(f"select rows_stored, rows_deleted from {MERGES_TABLE}").fetchone()
    except duckdb.BinderException:  # a record of another layout: as none, and the close records anew
        return None


def rows_changed_share(con: duckdb.DuckDBPyConnection) -> float:
    """The growth of the stored rows since the last merge, plus that of the deleted rows among them, as a
    share of the rows stored: before anything is recorded, the deleted rows' share; 0 with nothing stored."""
    return _changed_share(con)[0]


def _changed_share(con: duckdb.DuckDBPyConnection) -> tuple[float, bool]:
    """rows_changed_share, and whether rows are stored with nothing on record to measure them from."""
    tables = _tables(con)
    stored, deleted = _stored_and_deleted(con, tables)
    if not stored:
        return 0.0, False
    merged = _last_merge(con, tables)
    stored_then, deleted_then = (stored, 0) if merged is None else merged
    share = (max(stored - stored_then, 0) + max(deleted - deleted_then, 0)) / stored
    return min(share, 1.0), merged is None


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
    again afterwards, whatever happened. With nothing on record and no merge due, records the rows stored
    as they are (merged_at null)."""
    share, unrecorded = _changed_share(con)
    if share < merge_share_threshold():
        if unrecorded:
            _record(con, merged=False)
        return False
    try:
        con.execute("reset global max_vacuum_tasks")
        # the record's table is also the change without which the checkpoint would do nothing
        _create_record_table(con)
        con.execute("checkpoint")
    finally:
        hold_back_merges(con)
    _record(con, merged=True)
    return True


def _create_record_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {MERGES_TABLE.split('.')[0]}")
    con.execute(f"create or replace table {MERGES_TABLE} (rows_stored bigint, rows_deleted bigint, "
                "merged_at timestamp)")


def _record(con: duckdb.DuckDBPyConnection, merged: bool) -> None:
    """The rows stored now, and deleted among them, as the state the next merge is measured from."""
    _create_record_table(con)
    stored, deleted = _stored_and_deleted(con, _tables(con))
    merged_at = "current_timestamp" if merged else "null"
    con.execute(f"insert into {MERGES_TABLE} values (?, ?, {merged_at})", [stored, deleted])
