"""Stored rows may grow, and deleted rows stay stored, until their growth since the last merge reaches the
threshold's share of the rows stored; then a build's close merges row groups.

The file: one table of four full row groups, recorded as merged, then every other row of the first two
deleted. A quarter of the stored rows are then deleted (two half-emptied groups out of four), and DuckDB can
merge those two groups into one. Row groups are DuckDB's (122,880 rows by default), read from the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest
import yaml

from denials.compaction import (
    MERGES_TABLE,
    SHARE_ENV,
    hold_back_merges,
    merge_if_due,
    merge_share_threshold,
    rows_changed_share,
)
from denials.errors import BadSetting
from denials.transform import PROJECT_ROOT, release_warehouse
from denials.warehouse import connect
from tests.models.dbt_helpers import query

ROW_GROUPS = 4
SOURCE = PROJECT_ROOT / "src" / "denials"
# Connections that write files other than the warehouse: the published copy, rebuilt from the warehouse.
OTHER_FILES = {("publish.py", "publish")}


def _row_group_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    (rows,) = con.execute(
        "select max(count) from (select row_group_id, sum(count) as count "
        f"from pragma_storage_info('{table}') where column_id = 0 and segment_type <> 'VALIDITY' "
        "group by row_group_id)"
    ).fetchone()
    return rows


def _merged_then_deleted(path: Path, monkeypatch: pytest.MonkeyPatch, deleted: str) -> int:
    """Four full row groups, recorded as merged, then the rows `deleted` selects deleted; closed without
    merges. The rows of a row group."""
    con = duckdb.connect(str(path))
    try:
        hold_back_merges(con)
        con.execute("set threads = 1")  # in order, so the first groups hold the first line ids
        con.execute("create table row_group_probe as select range as line_id from range(1000000)")
        per_group = _row_group_rows(con, "row_group_probe")
        con.execute("drop table row_group_probe")
        con.execute("create table service_lines as select range as line_id "
                    f"from range({ROW_GROUPS * per_group})")
        monkeypatch.setenv(SHARE_ENV, "0")
        assert merge_if_due(con)
        con.execute(f"delete from service_lines where {deleted.format(per_group=per_group)}")
    finally:
        con.close()
    return per_group


def _half_emptied(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    return _merged_then_deleted(path, monkeypatch, "line_id < 2 * {per_group} and line_id % 2 = 0")


def _stored_and_live(path: Path) -> tuple[int, int]:
    [counts] = query(path, "select estimated_size, (select count(*) from service_lines) from duckdb_tables() "
                           "where table_name = 'service_lines'")
    return counts


def test_a_writer_connection_keeps_deleted_rows_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    per_group = _half_emptied(path, monkeypatch)
    con = connect(path)  # the loader's: it adds the raw layer, a change, so its close checkpoints
    con.close()
    # DuckDB's default would have merged the two half-emptied groups into one at the writer's close
    assert _stored_and_live(path) == (ROW_GROUPS * per_group, (ROW_GROUPS - 1) * per_group)


@pytest.mark.parametrize(("threshold", "merged"), [("0.30", False), ("0.25", True), ("0.20", True)])
def test_a_close_merges_once_the_rows_changed_reach_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: str, merged: bool,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    per_group = _half_emptied(path, monkeypatch)
    monkeypatch.setenv(SHARE_ENV, threshold)
    con = duckdb.connect(str(path))
    try:
        hold_back_merges(con)
        assert rows_changed_share(con) == 0.25
        assert merge_if_due(con) is merged
    finally:
        con.close()
    live = (ROW_GROUPS - 1) * per_group
    assert _stored_and_live(path) == ((live if merged else ROW_GROUPS * per_group), live)


def test_deleted_rows_a_merge_could_not_drop_do_not_bring_the_next_one_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every tenth row deleted leaves each group nine tenths full: no two fit in one, so none merge."""
    path = tmp_path / "warehouse.duckdb"
    per_group = _merged_then_deleted(path, monkeypatch, "line_id % 10 = 0")
    monkeypatch.setenv(SHARE_ENV, "0.10")
    con = duckdb.connect(str(path))
    try:
        hold_back_merges(con)
        assert rows_changed_share(con) == pytest.approx(0.1, abs=1e-5)
        assert merge_if_due(con)
        assert rows_changed_share(con) == 0.0
        assert not merge_if_due(con)
    finally:
        con.close()
    assert _stored_and_live(path)[0] == ROW_GROUPS * per_group


def test_rows_appended_since_the_last_merge_count_toward_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A day's appends, no row deleted: the share is the rows appended over all rows stored."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        hold_back_merges(con)
        assert rows_changed_share(con) == 0.0  # nothing stored
        con.execute("create table service_lines as select range as line_id from range(90000)")
        assert rows_changed_share(con) == 0.0  # written whole, nothing on record: only deletions count
        monkeypatch.setenv(SHARE_ENV, "0")
        assert merge_if_due(con)
        assert rows_changed_share(con) == 0.0
        con.execute("insert into service_lines select range from range(90000, 100000)")
        assert rows_changed_share(con) == pytest.approx(10000 / 100000)
        monkeypatch.setenv(SHARE_ENV, "0.11")
        assert not merge_if_due(con)
        monkeypatch.setenv(SHARE_ENV, "0.10")
        assert merge_if_due(con)
    finally:
        con.close()


def _record(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        f"select table_name, rows_stored, rows_deleted, merged_at is not null from {MERGES_TABLE} "
        "order by table_name"
    ).fetchall()


def test_the_first_close_records_tables_written_whole_instead_of_merging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first build writes its tables whole, so there is nothing to gather: its close records the rows
    stored, and the appends after it count toward the next merge."""
    monkeypatch.setenv(SHARE_ENV, "0.10")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        hold_back_merges(con)
        con.execute("create table service_lines as select range as line_id from range(100000)")
        assert not merge_if_due(con)
        assert _record(con) == [("service_lines", 100000, 0, False)]
        con.execute("insert into service_lines select range from range(100000, 109000)")
        assert rows_changed_share(con) == pytest.approx(9000 / 109000)
        assert not merge_if_due(con)
        assert _record(con) == [("service_lines", 100000, 0, False)]  # measured from the first close still
        con.execute("insert into service_lines select range from range(109000, 112000)")
        assert merge_if_due(con)
        assert _record(con) == [("service_lines", 112000, 0, True)]
    finally:
        con.close()


def test_deleted_rows_bring_a_merge_on_with_nothing_on_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first close that finds the deleted rows at the share merges."""
    monkeypatch.setenv(SHARE_ENV, "0.10")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        hold_back_merges(con)
        con.execute("create table service_lines as select range as line_id from range(100000)")
        con.execute("delete from service_lines where line_id % 4 = 0")
        assert rows_changed_share(con) == pytest.approx(0.25)
        assert merge_if_due(con)
        assert _record(con)[0][3]
    finally:
        con.close()


def test_a_table_created_after_the_first_close_is_measured_from_when_a_close_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scheduled run's marts build creates its tables after the staging build's close recorded the
    staging tables: they were written whole, so they are not growth, and their appends count from the close
    that found them."""
    monkeypatch.setenv(SHARE_ENV, "0.10")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        hold_back_merges(con)
        con.execute("create table claim_lines as select range as line_id from range(50000)")
        assert not merge_if_due(con)  # the staging build's close
        con.execute("create table adjudicated_lines as select range as line_id from range(50000)")
        assert rows_changed_share(con) == 0.0  # the whole new table is not growth
        assert not merge_if_due(con)  # the marts build's close
        assert _record(con) == [("adjudicated_lines", 50000, 0, False), ("claim_lines", 50000, 0, False)]
        con.execute("insert into adjudicated_lines select range from range(50000, 62000)")
        assert rows_changed_share(con) == pytest.approx(12000 / 112000)
        assert merge_if_due(con)
        assert _record(con) == [("adjudicated_lines", 62000, 0, True), ("claim_lines", 50000, 0, True)]
    finally:
        con.close()


def test_the_close_of_a_dbt_build_merges_when_due_and_its_checkpoints_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through dbt-duckdb's own environment, opened with the profile's settings for its checkpoints."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.duckdb.credentials import DuckDBCredentials
    from dbt.adapters.duckdb.environments.local import LocalEnvironment

    profile = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    profile_options = profile["denials"]["outputs"]["local"]["config_options"]
    vacuum = {"max_vacuum_tasks": profile_options["max_vacuum_tasks"]}
    path = tmp_path / "warehouse.duckdb"
    per_group = _half_emptied(path, monkeypatch)
    live = (ROW_GROUPS - 1) * per_group

    def build_once() -> None:
        environment = LocalEnvironment(DuckDBCredentials(database="warehouse", schema="main", path=str(path),
                                                         config_options=vacuum))
        monkeypatch.setattr(DuckDBConnectionManager, "_ENV", environment)
        cursor = environment.handle().cursor()
        cursor.execute("create or replace table run_marker as select 1 as run")
        cursor.execute("checkpoint")  # a checkpoint within the build, as the log's threshold brings
        cursor.execute("create or replace table run_marker as select 2 as run")
        release_warehouse()

    monkeypatch.setenv(SHARE_ENV, "0.30")
    build_once()
    assert _stored_and_live(path) == (ROW_GROUPS * per_group, live)
    monkeypatch.setenv(SHARE_ENV, "0.10")
    build_once()
    assert _stored_and_live(path) == (live, live)


@pytest.mark.parametrize("text", ["ten percent", "-0.1", "1.5", ""])
def test_a_threshold_that_is_not_a_share_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, text: str,
) -> None:
    monkeypatch.setenv(SHARE_ENV, text)
    with pytest.raises(BadSetting, match=SHARE_ENV):
        merge_share_threshold()


def _opens_for_writing(call: ast.Call) -> bool:
    function = call.func
    named = isinstance(function, ast.Attribute) and function.attr == "connect" and isinstance(
        function.value, ast.Name) and function.value.id == "duckdb"
    read_only = any(keyword.arg == "read_only" for keyword in call.keywords)
    return named and bool(call.args) and not read_only


def test_every_connection_that_writes_the_warehouse_holds_merges_back() -> None:
    """One writer left out would merge every table at its close, the cost the builds are spared."""
    unheld = []
    for module in sorted(SOURCE.rglob("*.py")):
        for function in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef) or (module.name, function.name) in OTHER_FILES:
                continue
            calls = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
            if any(_opens_for_writing(call) for call in calls) and not any(
                    isinstance(call.func, ast.Name) and call.func.id == "hold_back_merges" for call in calls):
                unheld.append(f"{module.relative_to(SOURCE)}:{function.name}")
    assert unheld == []
