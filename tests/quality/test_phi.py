"""No identifier leaves the warehouse: a fake patient control number planted in failing rows appears in
no result, no row of quality.check_results and no file of the Data Docs or the validation store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from tests.quality.conftest import CANARY, Run


def _warehouse_text(warehouse: Path, sql: str) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return repr(con.execute(sql).fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("run_name", ["unbalanced_run", "null_key_run"])
def test_planted_identifier_appears_nowhere(run_name: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(run_name)
    report = run.report
    # The plant worked: the canary is in the warehouse, in a row a critical expectation failed on.
    planted = _warehouse_text(run.warehouse, """
        select patient_control_number from staging.stg_x12_835__claims
        union all select claim_control_number from staging.stg_x12_837__claims""")
    assert CANARY in planted
    assert not report.success

    assert CANARY not in repr(dataclasses.asdict(report))
    assert CANARY not in "\n".join(report.messages())
    assert CANARY not in _warehouse_text(run.warehouse, "select * from quality.check_results")
    written = [p for p in (run.gx_root / "uncommitted").rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in written) and any(p.suffix == ".json" for p in written)
    for path in written:
        assert CANARY not in path.read_text(encoding="utf-8", errors="replace"), path
