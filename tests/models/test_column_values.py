"""The column_values data test (macros/data_tests.sql) gives dbt's verdicts for not_null, unique and
accepted_values, in one query per model.

Checked on the CAS group codes seed, whose values the domain fixes: CAS01 is one of CO, CR, OA, PI, PR
(DOMAIN.md, 835 CAS). The seed loads and passes; then rows a bad reference file could bring are planted in
the loaded table, and the test must fail with one row per rule and column, counting the rows, as dbt's own
tests would judge them: a duplicate code, a code outside the five, a row without a code, a flag left blank.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.models.dbt_helpers import DbtRunError, query, run_dbt

TEST_NAME = "column_values_group_codes"


def test_column_values_passes_the_seed_and_counts_each_rule_that_fails(tmp_path: Path) -> None:
    warehouse = tmp_path / "group_codes.duckdb"
    run_dbt(["seed", "--select", "group_codes", "--quiet"], warehouse, tmp_path)
    run_dbt(["test", "--select", TEST_NAME, "--quiet"], warehouse, tmp_path)

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("""
            insert into reference.group_codes (group_code, description, is_valid_5010, is_appeal_worklisted)
            values
                ('CO', 'sent twice', true, true),     -- unique: one row beyond the first CO
                ('XX', 'not a CAS01 code', null, false),  -- accepted_values; not_null is_valid_5010
                (null, 'no code', true, false)        -- not_null group_code; unique and accepted pass nulls
        """)
    finally:
        con.close()

    with pytest.raises(DbtRunError) as failed:
        run_dbt(["test", "--select", TEST_NAME, "--store-failures", "--quiet"], warehouse, tmp_path)
    assert TEST_NAME in str(failed.value)
    ((schema,),) = query(warehouse,
                         f"select schema_name from duckdb_tables() where table_name = '{TEST_NAME}'")
    failures = query(warehouse, f"select rule, column_name, failing_rows from {schema}.{TEST_NAME}")
    assert sorted(failures) == [
        ("accepted_values", "group_code", 1),
        ("not_null", "group_code", 1),
        ("not_null", "is_valid_5010", 1),
        ("unique", "group_code", 1),
    ]
