"""The column_values data test (macros/data_tests.sql) gives dbt's verdicts for not_null, unique,
accepted_values and relationships, in one query per model.

Checked on the CAS group codes seed, whose values the domain fixes: CAS01 is one of CO, CR, OA, PI, PR
(DOMAIN.md, 835 CAS). The seed loads and passes; then rows a bad reference file could bring are planted in
the loaded table, and the test must fail with one row per rule and column, counting the rows, as dbt's own
tests would judge them: a duplicate code, a code outside the five, a row without a code, a flag left blank.

The keys are checked on the payers seed, whose claim filing indicators (837 SBR09, 835 CLP06) must be codes
of the claim_filing_indicators seed: payers whose codes that seed lacks make one row per broken key, counting
the payers, as dbt's relationships test lists them; a payer without a code is not_null's to report, not a
broken key.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from tests.models.dbt_helpers import failures, parsed_project, project_copy, run_dbt

TEST_NAME = "column_values_group_codes"
KEYS_TEST_NAME = "column_values_payers"
KEY_SEEDS = ("payers", "claim_filing_indicators")


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

    assert failures(warehouse, tmp_path, TEST_NAME) == [
        ("accepted_values", "group_code", 1),
        ("not_null", "group_code", 1),
        ("not_null", "is_valid_5010", 1),
        ("unique", "group_code", 1),
    ]


def plant_payers_with_unknown_codes(warehouse: Path) -> None:
    """Two payers with codes the claim_filing_indicators seed lacks (Q1, Q2), and one without an 835 code."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("""
            insert into reference.payers (payer_id, payer_name, payer_type, claim_filing_indicator_837,
                                          claim_filing_indicator_835, appeal_window_days, timely_filing_days)
            values
                ('TEST1', 'both codes unknown', 'commercial', 'Q1', 'Q2', 180, 90),
                ('TEST2', 'same unknown 837 code', 'commercial', 'Q1', '12', 180, 90),
                ('TEST3', 'no 835 code', 'commercial', 'CI', null, 180, 90)
        """)
    finally:
        con.close()


def test_column_values_counts_the_rows_of_each_key_without_a_parent(tmp_path: Path) -> None:
    warehouse = tmp_path / "payers.duckdb"
    run_dbt(["seed", "--select", *KEY_SEEDS, "--quiet"], warehouse, tmp_path)
    run_dbt(["test", "--select", KEYS_TEST_NAME, "--quiet"], warehouse, tmp_path)

    plant_payers_with_unknown_codes(warehouse)

    assert failures(warehouse, tmp_path, KEYS_TEST_NAME) == [
        ("not_null", "claim_filing_indicator_835", 1),       # TEST3
        ("relationships", "claim_filing_indicator_835", 1),  # TEST1's Q2; TEST3's null passes
        ("relationships", "claim_filing_indicator_837", 2),  # TEST1 and TEST2: every row, the value twice
    ]


def test_column_values_with_relationships_alone(tmp_path: Path) -> None:
    """A model whose only rules are its keys: the test has no per-column counts to take, only the keys."""
    project = project_copy(tmp_path / "project")
    properties = project / "seeds" / "_seeds.yml"
    document = yaml.safe_load(properties.read_text(encoding="utf-8"))
    (payers,) = (seed for seed in document["seeds"] if seed["name"] == "payers")
    (column_values,) = (test["column_values"] for test in payers["data_tests"] if "column_values" in test)
    column_values["arguments"] = {"relationships": column_values["arguments"]["relationships"]}
    properties.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    warehouse = tmp_path / "payers.duckdb"
    run_dbt(["seed", "--select", *KEY_SEEDS, "--quiet"], warehouse, tmp_path, project_dir=project)
    run_dbt(["test", "--select", KEYS_TEST_NAME, "--quiet"], warehouse, tmp_path, project_dir=project)

    plant_payers_with_unknown_codes(warehouse)

    assert failures(warehouse, tmp_path, KEYS_TEST_NAME, project_dir=project) == [
        ("relationships", "claim_filing_indicator_835", 1),
        ("relationships", "claim_filing_indicator_837", 2),
    ]


def test_a_key_read_without_ref_points_at_a_parent_built_before_its_model(tmp_path: Path) -> None:
    """A relationship given as to_node reads its parent without ref(), so dbt does not make the test wait for
    it: in a build, the parent must already be upstream of the tested model, or the test could run before
    this build's rows reach the parent and report keys that are only late."""
    project = parsed_project(tmp_path)
    checked, late = 0, []
    for test in project.nodes.values():
        metadata = test.get("test_metadata") or {}
        if metadata.get("name") != "column_values":
            continue
        for key in metadata["kwargs"].get("relationships") or []:
            if "to_node" in key:
                checked += 1
                names = {node.split(".")[-1] for node in project.upstream(test["attached_node"])}
                if key["to_node"] not in names:
                    late.append(f"{test['attached_node']}.{key['column']} -> {key['to_node']}")
    assert checked > 20
    assert late == []
