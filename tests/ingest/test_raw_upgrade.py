"""A warehouse of the previous raw layout is upgraded in place by the next writer, and refused, with the
way out, by readers.

Layout 3 had no hl_position (the position of the HL whose 837 level a segment is in). The upgrade fills
it from the stored segments; it must give every segment what the loader itself writes, including in
files whose levels repeat HL01, where the HL01 alone does not say which level a segment is in.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import denials.warehouse as warehouse_module
from denials.errors import WarehouseUnusable
from denials.ingest import ingest_paths
from denials.warehouse import RAW_SCHEMA_VERSION, WarehouseVersionError, connect, open_checked, raw_layout

POSITIONS = """
    select file_id, segment_position, hl_id, hl_position
    from raw.x12_segment_rows
    order by file_id, segment_position
"""


def test_layout_3_is_upgraded_to_what_the_loader_writes(samples_dir: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "denials.duckdb"
    ingest_paths([samples_dir / "imsweb__x12-parser", samples_dir / "LinuxForHealth__x12"], warehouse)
    con = duckdb.connect(str(warehouse))
    loaded = con.execute(POSITIONS).fetchall()
    repeated = con.execute("""
        select count(*) from raw.x12_segments
        where segment_id = 'HL' and hl_position = segment_position
        group by file_id, transaction_seq, hl_id having count(*) > 1
    """).fetchall()
    assert repeated, "the samples should include levels that repeat HL01"
    assert any(row[3] is not None for row in loaded)
    con.execute("alter table raw.x12_segment_rows drop column hl_position")
    con.execute("update raw.warehouse_metadata set value = '3' where key = 'raw_schema_version'")
    con.close()

    with pytest.raises(WarehouseVersionError,
                       match=r"earlier raw layout \(3, .*`denials build` upgrades it in place"):
        open_checked(warehouse)

    connect(warehouse).close()

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute(POSITIONS).fetchall() == loaded
        assert con.execute("select value from raw.warehouse_metadata where key = 'raw_schema_version'"
                           ).fetchall() == [(RAW_SCHEMA_VERSION,)]
        # the view reads the new column again
        assert con.execute("select count(hl_position) from raw.x12_segments").fetchall()[0][0] == sum(
            1 for row in loaded if row[3] is not None)
    finally:
        con.close()
    open_checked(warehouse)


def _setting_as_shown(limit: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute(f"set memory_limit = '{limit}'")
        return con.execute("select current_setting('memory_limit')").fetchall()
    finally:
        con.close()


def _as_layout_3(warehouse: Path) -> list[tuple]:
    """Turn a loaded warehouse back into layout 3; returns the positions the loader had written."""
    con = duckdb.connect(str(warehouse))
    try:
        loaded = con.execute(POSITIONS).fetchall()
        con.execute("alter table raw.x12_segment_rows drop column hl_position")
        con.execute("update raw.warehouse_metadata set value = '3' where key = 'raw_schema_version'")
    finally:
        con.close()
    return loaded


def test_an_upgrade_cut_short_keeps_layout_3_and_resumes(samples_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "denials.duckdb"
    ingest_paths([samples_dir / "imsweb__x12-parser" / "x12_many_claims.txt",
                  samples_dir / "imsweb__x12-parser" / "x12_multiple_transactions.txt"], warehouse)
    loaded = _as_layout_3(warehouse)
    files = sorted({row[0] for row in loaded if row[3] is not None})
    assert len(files) == 2
    fill = warehouse_module._FILL_HL_POSITIONS
    cut_short = fill.replace(
        "set hl_position = levels.hl_position",
        f"set hl_position = case when target.file_id = {files[1]} then error('cut short') "
        "else levels.hl_position end")
    assert cut_short != fill
    monkeypatch.setattr(warehouse_module, "_FILL_HL_POSITIONS", cut_short)

    with pytest.raises(duckdb.Error, match="cut short"):
        connect(warehouse)

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert raw_layout(con) == "3"
        filled = dict(con.execute("select file_id, count(hl_position) from raw.x12_segment_rows group by 1"
                                  ).fetchall())
    finally:
        con.close()
    assert filled[files[0]] > 0 and filled[files[1]] == 0  # the first file's transaction committed

    # the resumed upgrade fills the second file only: the first one's would fail now
    skips_the_first = fill.replace(
        "set hl_position = levels.hl_position",
        f"set hl_position = case when target.file_id = {files[0]} then error('filled twice') "
        "else levels.hl_position end")
    monkeypatch.setattr(warehouse_module, "_FILL_HL_POSITIONS", skips_the_first)
    resumed = connect(warehouse)
    try:
        # and the connection is back at the loader's memory limit afterwards
        assert resumed.execute("select current_setting('memory_limit')").fetchall() == _setting_as_shown(
            warehouse_module.DUCKDB_MEMORY_LIMIT)
    finally:
        resumed.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert raw_layout(con) == RAW_SCHEMA_VERSION
        assert con.execute(POSITIONS).fetchall() == loaded
    finally:
        con.close()


def test_an_upgrade_out_of_memory_names_the_setting(samples_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "denials.duckdb"
    ingest_paths([samples_dir / "imsweb__x12-parser" / "x12_no_errors.txt"], warehouse)
    _as_layout_3(warehouse)

    limits: list = []

    def out_of_memory(con: duckdb.DuckDBPyConnection) -> None:
        limits.extend(con.execute("select current_setting('memory_limit')").fetchall())
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")

    monkeypatch.setattr(warehouse_module, "UPGRADES", {"3": out_of_memory})
    monkeypatch.setenv("DENIALS_DBT_MEMORY_LIMIT", "900MB")
    with pytest.raises(WarehouseUnusable) as raised:
        connect(warehouse)
    assert limits == _setting_as_shown("900MB")  # the upgrade ran under the build's limit
    message = str(raised.value)
    assert str(warehouse) in message
    assert "ran out of memory at 900MB; set DENIALS_DBT_MEMORY_LIMIT higher" in message
