"""`denials payers` lists every payer with its type and policies, flags defaults and unresolved ids.

The warehouse is hand-made with the columns the command reads, so the test checks the command, not the
models (tests/models/test_payer_identity.py builds them for real).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from denials.cli import main

SETUP = """
create schema staging;
create schema intermediate;
create table staging.stg_x12_837__claims (payer_id varchar, total_charge_amount decimal(18, 2));
insert into staging.stg_x12_837__claims values ('COMMA', 100), ('COMMA', 50), ('77027', 300);
create table intermediate.int_payer_identifiers_resolved (
    side varchar, identifier_type varchar, identifier_value varchar, payer_key varchar,
    resolution_method varchar);
insert into intermediate.int_payer_identifiers_resolved values
    ('837', 'NM1_PR_ID', 'COMMA', 'COMMA', 'exact_id'),
    ('837', 'NM1_PR_ID', '77027', '77027', 'exact_id'),
    ('835', 'TRN03', '1999999999', null, 'unresolved');
create table intermediate.int_claims_matched_to_remits (
    resolved_payer_id varchar, claim_paid_amount decimal(18, 2), is_final boolean);
insert into intermediate.int_claims_matched_to_remits values ('COMMA', 80, true), ('COMMA', 999, false);
create table intermediate.int_payer_policies_in_force (
    payer_id varchar, hcpcs_code varchar, requires_prior_auth boolean, requires_jw_jz boolean,
    effective_to date);
insert into intermediate.int_payer_policies_in_force values
    ('COMMA', 'J7170', true, true, null), ('77027', 'J7170', true, true, null);
create table intermediate.int_payers_resolved (
    payer_id varchar, payer_name varchar, payer_type varchar, payer_type_source varchar,
    appeal_window_days integer, has_own_policies boolean, has_overrides boolean);
insert into intermediate.int_payers_resolved values
    ('COMMA', 'Commercial Payer A', 'commercial', 'payers_seed', 180, true, false),
    ('77027', 'STATE PLAN', 'medicaid', 'claim_filing_indicator_837', 90, false, false),
    ('04412', 'REGIONAL PLAN', 'commercial', 'payer_overrides', 30, false, true);
"""


def test_lists_payers_flags_defaults_overrides_and_unresolved_identifiers(tmp_path: Path) -> None:
    warehouse = tmp_path / "denials.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(SETUP)
    con.close()
    result = CliRunner(env={"COLUMNS": "220"}).invoke(main, ["payers", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    comma = next(line for line in lines if "COMMA" in line)
    state = next(line for line in lines if "77027" in line)
    assert "commercial" in comma and "own" in comma and "150.00" in comma and "80.00" in comma
    assert "medicaid" in state and "defaults" in state and "300.00" in state
    assert "1 payer(s) run on the defaults" in result.output
    regional = next(line for line in lines if "04412" in line)
    assert "overrides" in regional and "defaults" not in regional and " 30 " in regional
    assert "1 payer(s) use your override file" in result.output
    assert "TRN03 1999999999 (unresolved)" in result.output


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["payers", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
