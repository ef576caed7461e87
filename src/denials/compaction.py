"""When DuckDB may rewrite the warehouse's row groups to reclaim the space of deleted rows.

At every checkpoint (when a connection that wrote closes, or its log of changes grows past the
threshold) DuckDB merges adjacent row groups of every table whose remaining rows would fit in fewer
(its vacuum), reading and compressing them again. In a daily run at a million claims that took most of
each build's closing checkpoint: 7 to 9 s with merges, 1.1 to 1.5 s without, out of a 41 s run, on
tables where the day's claims were all new and no row had been deleted; the merges gathered the small
row groups the day's appends had left.

So every connection that writes the warehouse holds the merges back, and the close of a dbt build lets
them run once the rows written or deleted since the last merge reach a share of the rows stored
(DENIALS_MERGE_SHARE, 10% by default). Without merges each build's appends leave a small row group per
table (46 a day at a million claims), and deleted rows stay stored; below that share they cost at most
that share in scans and file size. At 1% new files a day that merges about every tenth day, and a
warehouse where claims get reprocessed (each rebuild of a claim number deletes its earlier rows) sooner.
Row groups whose rows were all deleted are dropped at every checkpoint, merges or not.
"""

from __future__ import annotations

import os

import duckdb

from denials.errors import NothingToDo

SHARE_ENV = "DENIALS_MERGE_SHARE"
DEFAULT_SHARE = "0.10"
MERGES_TABLE = "build_state.row_groups_merged"


def hold_back_merges(con: duckdb.DuckDBPyConnection) -> None:
    """The checkpoints of this database (every connection of this process to it) merge no row groups."""
    con.execute("set global max_vacuum_tasks = 0")


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """The database's tables (schema, name, stored rows), but for the record of merges."""
    tables = con.execute(
        "select schema_name, table_name, estimated_size from duckdb_tables() "
        "where database_name = current_database() and not temporary"
    ).fetchall()
    return [table for table in tables if f"{table[0]}.{table[1]}" != MERGES_TABLE]


def _live_rows(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str, int]]) -> int:
    counts = " + ".join(f'(select count(*) from "{schema}"."{table}")' for schema, table, _ in tables)
    (live,) = con.execute(f"select {counts}").fetchone()
    return live


def rows_changed_share(con: duckdb.DuckDBPyConnection) -> float:
    """The rows written or deleted since the last merge, as a share of the rows stored (1 when none is
    recorded). A table's estimated size counts its stored rows, deleted or not, until a merge or the drop of
    their row group removes them; the last merge recorded the rows then stored."""
    tables = _tables(con)
    stored = sum(size for _, _, size in tables)
    if not stored:
        return 0.0
    live = _live_rows(con, tables)
    stored_after_merge = 0
    if con.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                   "and schema_name || '.' || table_name = ?", [MERGES_TABLE]).fetchone()[0]:
        (stored_after_merge,) = con.execute(
            f"select coalesce(max(rows_stored), 0) from {MERGES_TABLE}").fetchone()
    written = max(stored - stored_after_merge, 0)
    deleted = max(stored - live, 0)
    return min((written + deleted) / stored, 1.0)


def merge_share_threshold() -> float:
    """DENIALS_MERGE_SHARE as a share from 0 to 1 (0: merge at every build)."""
    text = os.environ.get(SHARE_ENV, DEFAULT_SHARE)
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise NothingToDo(f"{SHARE_ENV} must be a share from 0 to 1, such as 0.10")
    return share


def merge_if_due(con: duckdb.DuckDBPyConnection) -> bool:
    """Let the next checkpoint merge row groups when the rows changed since the last merge have reached
    the threshold's share, and record the rows it will leave stored (those not deleted); True when it will."""
    if rows_changed_share(con) < merge_share_threshold():
        return False
    con.execute(f"create schema if not exists {MERGES_TABLE.split('.')[0]}")
    con.execute(f"create or replace table {MERGES_TABLE} (rows_stored bigint, merged_at timestamp)")
    con.execute(f"insert into {MERGES_TABLE} values (?, current_timestamp)", [_live_rows(con, _tables(con))])
    con.execute("reset global max_vacuum_tasks")
    return True
