"""The marts suites: skipped while the marts are not built, validating them once they are.

The marts are being written alongside these suites, so the mechanics are tested on a stand-in
fct_denials built here from staging (one row per denied remit line, the columns the suites use), and the
real marts are checked too when they build (else that test is skipped with dbt's error).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.models.dbt_helpers import run_dbt
from tests.quality.conftest import CANARY, Built, check, copy_warehouse, failed, suite

STAND_IN_FCT_DENIALS = """
create schema if not exists marts;
create or replace table marts.fct_denials as
with denial_codes as (
    select code as carc_code, map.denial_category
    from reference.denial_category_map as map
    inner join reference.denial_categories as categories on categories.denial_category = map.denial_category
    where map.code_type = 'CARC' and coalesce(map.group_code, '') = '' and categories.is_denial
),
denied as (
    select adjustments.remit_line_id, payments.payer_id, adjustments.file_id,
        claims.patient_control_number, min(denial_codes.denial_category) as denial_category,
        sum(adjustments.adjustment_amount) as denied_amount
    from staging.stg_x12_835__adjustments as adjustments
    inner join denial_codes on denial_codes.carc_code = adjustments.carc_code
    inner join staging.stg_x12_835__claims as claims on claims.remit_claim_id = adjustments.remit_claim_id
    inner join staging.stg_x12_835__payments as payments
        on payments.remit_transaction_id = adjustments.remit_transaction_id
    where adjustments.remit_line_id is not null and claims.claim_status_code <> '22'
    group by all
)
select 'D' || remit_line_id as denial_id, cast(remit_line_id as varchar) as claim_line_id, payer_id,
    denial_category, denied_amount, patient_control_number as claim_control_number, file_id as remit_file_id
from denied;
create or replace table marts.mart_denial_kpis_monthly as
select payer_id, count(*) / (select count(*) from staging.stg_x12_835__service_lines) as initial_denial_rate
from marts.fct_denials group by payer_id;
"""


@pytest.fixture(scope="module")
def with_stand_in(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("marts_stand_in")
    warehouse = copy_warehouse(built.warehouse, tmp)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(STAND_IN_FCT_DENIALS)
    finally:
        con.close()
    return warehouse


def test_marts_suites_skip_until_built(built: Built, tmp_path: Path) -> None:
    report, _ = check(copy_warehouse(built.warehouse, tmp_path), tmp_path, ["marts"], build_docs=False)
    assert [s.suite for s in report.suites] == ["marts.keys", "marts.denial_rates", "marts.denial_categories",
                                                "marts.kpi_bounds", "marts.denied_dollars"]
    for outcome in report.suites:
        assert outcome.status == "skipped" and outcome.reason.startswith("skipped: table not built: marts.")
    assert report.success


def test_built_mart_is_validated(with_stand_in: Path, tmp_path: Path) -> None:
    report, _ = check(copy_warehouse(with_stand_in, tmp_path), tmp_path, ["marts"], build_docs=False)
    statuses = {s.suite: (s.status, s.reason) for s in report.suites}
    assert all(status == "passed" for status, _ in statuses.values()), statuses
    keys = suite(report, "marts.keys")
    assert "skipped: table not built: marts.mart_appeal_worklist" in keys.notes  # the others, named
    assert keys.rows > 0
    for outcome in report.suites:
        for expectation in outcome.expectations:
            assert expectation.element_count - expectation.missing_count > 0, expectation.description


def test_mart_null_key_negative_dollars_and_rate_above_one_fail(with_stand_in: Path, tmp_path: Path) -> None:
    warehouse = copy_warehouse(with_stand_in, tmp_path)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("""
            update marts.fct_denials set denial_id = null, claim_control_number = ?
            where denial_id = (select min(denial_id) from marts.fct_denials)""", [CANARY])
        con.execute("""
            update marts.fct_denials set denied_amount = -denied_amount - 1
            where denial_id = (select max(denial_id) from marts.fct_denials)""")
        # any one payer (835s name payers by their own ids, which no seed lists)
        con.execute("""
            update marts.mart_denial_kpis_monthly set initial_denial_rate = 1.7
            where payer_id = (select min(payer_id) from marts.mart_denial_kpis_monthly)""")
    finally:
        con.close()
    report, _ = check(warehouse, tmp_path, ["marts"], build_docs=False)
    assert failed(report, "marts.keys", "null_key_count", "critical")
    assert failed(report, "marts.denied_dollars", "negative_net_count", "critical")
    assert failed(report, "marts.kpi_bounds", "max_value", "critical")
    assert not failed(report, "marts.kpi_bounds", "min_value")
    messages = "\n".join(report.messages())
    assert "CRITICAL marts.keys" in messages and "marts.fct_denials.denial_id" in messages
    assert "marts.mart_denial_kpis_monthly.initial_denial_rate" in messages
    assert CANARY not in messages
    assert report.exit_code == 1


@pytest.mark.slow
def test_the_real_marts_pass(built: Built, tmp_path: Path) -> None:
    warehouse = copy_warehouse(built.warehouse, tmp_path)
    run_dbt(["run", "--quiet", "--select", "+path:models/marts"], warehouse, tmp_path)
    report, _ = check(warehouse, tmp_path, ["marts"], build_docs=False)
    statuses = {s.suite: (s.status, s.reason, s.notes) for s in report.suites}
    assert suite(report, "marts.keys").status == "passed", statuses
    assert all(s.status in ("passed", "skipped") for s in report.suites), (statuses, report.messages())
