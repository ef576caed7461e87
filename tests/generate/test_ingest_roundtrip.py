"""A generated set loads with the project's loader, and the raw layer holds what truth predicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.generate.truth_helpers import expected_remit_segments, read_csv

ingest = pytest.importorskip("denials.ingest")
duckdb = pytest.importorskip("duckdb")


def test_generated_files_load(small_set: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    inputs = [small_set / "837", small_set / "835", small_set / "administrations"]
    report = ingest.ingest_paths(inputs, warehouse)
    statuses = {file.name: file.status for file in report.files}
    assert len(statuses) == 3 + 3 + 1
    assert set(statuses.values()) == {"loaded"}, statuses

    rows = read_csv(small_set / "truth" / "truth_lines.csv")
    expected = expected_remit_segments(rows)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = dict(
            con.execute(
                "select segment_id, count(*) from raw.x12_segments where segment_id in ('CLP', 'SVC', 'CLM') "
                "group by segment_id"
            ).fetchall()
        )
        administrations = con.execute("select count(*) from raw.drug_administrations").fetchone()[0]
    finally:
        con.close()
    assert counts["CLP"] == expected["CLP"]
    assert counts["SVC"] == expected["SVC"]
    assert counts["CLM"] == len({row["line_control_number"].rsplit("-", 1)[0] for row in rows})
    assert administrations == len(read_csv(small_set / "administrations" / "administrations.csv"))
