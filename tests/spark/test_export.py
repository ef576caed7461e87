"""`denials export-raw`: the raw layer as Parquet, one partition per file, same columns and rows as DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from denials.cli import main
from denials.generate import generate
from denials.ingest import ingest_paths
from denials.spark.export import RAW_TABLES, export_raw


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("export")
    generate(tmp / "gen", claims=60, seed=3, claims_per_file=20)
    path = tmp / "denials.duckdb"
    report = ingest_paths([tmp / "gen" / "837", tmp / "gen" / "835", tmp / "gen" / "administrations"], path)
    assert {file.status for file in report.files} == {"loaded"}
    return path


def read(con: duckdb.DuckDBPyConnection, directory: Path, table: str) -> duckdb.DuckDBPyRelation:
    return con.sql(f"select * from read_parquet('{directory / table}/*/*.parquet', hive_partitioning = true)")


def partition_ids(directory: Path) -> set[int]:
    return {int(path.name.split("=")[1]) for path in directory.glob("file_id=*")}


def test_every_table_equal_to_duckdb_partitioned_by_file(warehouse: Path, tmp_path: Path) -> None:
    report = export_raw(warehouse, tmp_path / "raw")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        file_ids = {row[0] for row in con.execute("select file_id from raw.file_registry").fetchall()}
        assert report.files == len(file_ids) > 3
        for table in RAW_TABLES:
            exported = read(con, tmp_path / "raw", table)
            original = con.sql(f"select * from raw.{table}")
            assert sorted(exported.columns) == sorted(original.columns), table
            columns = ", ".join(original.columns)
            only_one_side = con.execute(
                f"select count(*) from ((select {columns} from raw.{table} except all select {columns} from "
                f"exported) union all (select {columns} from exported except all select {columns} "
                f"from raw.{table}))").fetchall()[0][0]
            assert only_one_side == 0, table
            assert report.rows[table] == original.count("*").fetchall()[0][0]
            distinct_ids = con.execute(f"select distinct file_id from raw.{table}").fetchall()
            rows_files = {row[0] for row in distinct_ids}
            assert partition_ids(tmp_path / "raw" / table) == rows_files, table
        assert partition_ids(tmp_path / "raw" / "file_registry") == file_ids
    finally:
        con.close()


def test_export_again_replaces_partitions_and_offset_shifts_ids(warehouse: Path, tmp_path: Path) -> None:
    export_raw(warehouse, tmp_path / "raw")
    export_raw(warehouse, tmp_path / "raw")
    export_raw(warehouse, tmp_path / "raw", file_id_offset=1000)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        segments = con.execute("select count(*) from raw.x12_segments").fetchall()[0][0]
        exported = read(con, tmp_path / "raw", "x12_segments")
        # Twice without offset is one copy; the offset copy sits beside it under other file ids.
        assert exported.count("*").fetchall()[0][0] == 2 * segments
        shifted = con.execute(
            "select count(*) from (select file_id - 1000 as file_id, segment_position from exported "
            "where file_id > 1000 except select file_id, segment_position from raw.x12_segments)"
        ).fetchall()[0][0]
        assert shifted == 0
    finally:
        con.close()
    assert not list((tmp_path / "raw").glob(".export-*"))


def test_cli_without_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export-raw", str(tmp_path / "raw"),
                                       "--warehouse", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_payer_overrides_travel_whole_and_each_export_replaces_them(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        con.execute("insert into raw.payer_overrides (source_file, line_number, payer_id, payer_type, "
                    "appeal_window_days) values ('overrides.csv', 2, 'P1', 'commercial', 180)")
    finally:
        con.close()
    export_raw(copy, tmp_path / "raw")
    files = list((tmp_path / "raw" / "payer_overrides").glob("*.parquet"))
    rows = duckdb.sql(f"select payer_id, payer_type, appeal_window_days from read_parquet('{files[0]}')")
    assert len(files) == 1 and rows.fetchall() == [("P1", "commercial", 180)]
    con = duckdb.connect(str(copy))
    try:
        con.execute("delete from raw.payer_overrides")
    finally:
        con.close()
    export_raw(copy, tmp_path / "raw")  # the user removed their overrides: Spark must not keep the old ones
    files = list((tmp_path / "raw" / "payer_overrides").glob("*.parquet"))
    assert len(files) == 1
    assert duckdb.sql(f"select count(*) from read_parquet('{files[0]}')").fetchall() == [(0,)]


def test_cli_on_an_earlier_raw_layout_says_how_to_upgrade(warehouse: Path, tmp_path: Path) -> None:
    # Spark's models read the raw columns of this release's layout: an export of layout 3 would fail there
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        con.execute("alter table raw.x12_segment_rows drop column hl_position")
        con.execute("update raw.warehouse_metadata set value = '3' where key = 'raw_schema_version'")
    finally:
        con.close()
    result = CliRunner().invoke(main, ["export-raw", str(tmp_path / "raw"), "--warehouse", str(copy)])
    assert result.exit_code == 5, result.output
    message = " ".join(result.output.split())
    assert f"{copy}: this warehouse has an earlier raw layout (3" in message
    assert "upgrades it in place" in message
    assert "None" not in message and "Traceback" not in message
    assert not list((tmp_path / "raw").glob("*/file_id=*"))
