"""The segments view (stg_raw__x12_segments) is what every X12 staging model reads, and most of them filter
it on a loop. An 835 or 837 segment the loader placed in no loop would leave those models without an error,
so the view's column_values test checks that each segment of those transaction sets has a loop. The
segments of a transaction set the warehouse does not read may have none (a 278 among the public samples
does), and the check leaves them alone."""

from __future__ import annotations

from pathlib import Path

import duckdb

from denials.ingest import ingest_paths
from denials.x12.segments import segment_id_code
from tests.ingest.x12_builders import remittance
from tests.models.dbt_helpers import failures, run_dbt

TEST_NAME = "column_values_stg_raw__x12_segments"


def test_a_remittance_segment_in_no_loop_fails_the_check_and_one_of_another_set_does_not(
        tmp_path: Path) -> None:
    source = tmp_path / "two_claims.835"
    source.write_text(remittance(claims=2))
    warehouse = tmp_path / "segments.duckdb"
    assert [outcome.status for outcome in ingest_paths([source], warehouse).files] == ["loaded"]
    run_dbt(["build", "--select", "stg_raw__x12_segments", "--quiet"], warehouse, tmp_path)

    # what a loader that lost its place would write: the two claims' CLP segments in no loop
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.x12_segment_rows set loop_code = null where segment_code = ?",
                    [segment_id_code("CLP")])
    assert failures(warehouse, tmp_path, TEST_NAME) == [("not_null", "loop_id", 2)]

    # the same segments in a transaction set the warehouse does not read are no loss
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.x12_transactions set transaction_set_id = '278'")
    run_dbt(["test", "--select", TEST_NAME, "--quiet"], warehouse, tmp_path)
