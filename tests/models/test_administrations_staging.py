"""stg_administrations__drug_administrations keeps the UTC offset a file writes after the time: the
local time stays as written (its date is the service date), and the offset and the UTC instant sit
beside it. Built with dbt on a warehouse holding one small CSV."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from denials.contracts import ADMINISTRATION_COLUMNS
from denials.ingest import ingest_paths
from tests.models.dbt_helpers import run_dbt

pytestmark = pytest.mark.slow

# administered_at as written -> (local time, minutes east of UTC, UTC instant), by ISO 8601.
CASES = {
    "2026-01-02T09:30:00": (datetime(2026, 1, 2, 9, 30), None, None),
    "2026-01-02": (datetime(2026, 1, 2), None, None),
    "2026-01-02 09:30": (datetime(2026, 1, 2, 9, 30), None, None),
    "2026-01-02T09:30:00Z": (datetime(2026, 1, 2, 9, 30), 0, datetime(2026, 1, 2, 9, 30)),
    "2026-01-02T09:30:00+02:00": (datetime(2026, 1, 2, 9, 30), 120, datetime(2026, 1, 2, 7, 30)),
    "2026-01-02T09:30:00.250+05:30": (datetime(2026, 1, 2, 9, 30, 0, 250000), 330,
                                      datetime(2026, 1, 2, 4, 0, 0, 250000)),
    "2026-01-02T23:30:00-0500": (datetime(2026, 1, 2, 23, 30), -300, datetime(2026, 1, 3, 4, 30)),
    "2026-01-02T09:30-03": (datetime(2026, 1, 2, 9, 30), -180, datetime(2026, 1, 2, 12, 30)),
}


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    tmp = tmp_path_factory.mktemp("stg_admin")
    lines = [",".join(ADMINISTRATION_COLUMNS)]
    for n, written in enumerate(CASES, start=1):
        lines.append(f"A{n},PCN{n},PCN{n}-1,J7189,00169720101,7200,mcg,0,80,{written}")
    source = tmp / "administrations.csv"
    source.write_text("\n".join(lines) + "\n")
    warehouse = tmp / "denials.duckdb"
    report = ingest_paths([source], warehouse)
    assert [file.status for file in report.files] == ["loaded"], report.files[0].reason
    run_dbt(["build", "--select", "stg_administrations__drug_administrations", "--quiet"], warehouse, tmp)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select raw.administered_at, staged.administered_at, staged.administered_at_utc_offset_minutes,
                staged.administered_at_utc
            from staging.stg_administrations__drug_administrations as staged
            inner join raw.drug_administrations as raw
                on staged.file_id = raw.file_id and staged.row_number = raw.row_number
            """
        ).fetchall()
    finally:
        con.close()
    return {written: rest for written, *rest in rows}


@pytest.mark.parametrize("written", sorted(CASES))
def test_offsets_are_kept_beside_the_local_time(staged: dict[str, tuple], written: str) -> None:
    assert tuple(staged[written]) == CASES[written]


def test_the_local_date_stays_the_service_date(staged: dict[str, tuple]) -> None:
    # 23:30 at UTC-5 is already the next day in UTC; the dose was still given on January 2.
    local, _, utc = staged["2026-01-02T23:30:00-0500"]
    assert local.date() == datetime(2026, 1, 2).date() != utc.date()
