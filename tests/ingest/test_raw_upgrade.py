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

from denials.ingest import ingest_paths
from denials.warehouse import RAW_SCHEMA_VERSION, WarehouseVersionError, connect, open_checked

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

    with pytest.raises(WarehouseVersionError, match=r"earlier raw layout \(3, .*`denials run` upgrades it"):
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
