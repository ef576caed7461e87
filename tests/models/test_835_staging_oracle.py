"""835 staging against an independent oracle: the CSVs keironstoddart/edi-835-parser expects for its samples.

Two public 835s are ingested into a throwaway warehouse, the 835 staging models are built with dbt, and
every service line is compared, in file order, with the parser's expected row on the fields both sides
have. Where the oracle is known to be narrower than the guide, the test says so and checks our side
against the 835 balancing rule instead (see test_line_adjustments_match_oracle).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from denials.ingest import ingest_paths
from tests.models.dbt_helpers import run_dbt

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"
ORACLE_DIR = SAMPLES / "keironstoddart__edi-835-parser"
SAMPLE_NAMES = ("emedny_sample", "united_healthcare_legacy_sample")


@dataclass(frozen=True)
class StagedLine:
    values: dict[str, object]
    adjustments: list[tuple[str, str, Decimal, int]]  # group, CARC, amount, triplet ordinal
    remarks: list[tuple[str, str]]  # qualifier, code


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[StagedLine]]:
    """Ingest the two samples, build staging.x12_835, return each file's service lines in file order."""
    if not ORACLE_DIR.is_dir():
        pytest.skip(f"public X12 samples not found at {ORACLE_DIR}: the 835 oracle test needs ../shared")
    tmp = tmp_path_factory.mktemp("staging_835_oracle")
    warehouse = tmp / "oracle.duckdb"
    report = ingest_paths([ORACLE_DIR / f"{name}.txt" for name in SAMPLE_NAMES], warehouse)
    assert [outcome.status for outcome in report.files] == ["loaded", "loaded"], report.files
    run_dbt(["build", "--select", "staging.x12_835", "stg_raw__x12_segments"], warehouse, tmp)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return _read_staged_lines(con)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _read_staged_lines(con: duckdb.DuckDBPyConnection) -> dict[str, list[StagedLine]]:
    lines = _rows(con, """
        select
            regexp_replace(files.file_name, '\\.txt$', '') as sample_name,
            lines.remit_line_id,
            claims.patient_control_number,
            payments.payer_name,
            payments.payment_date,
            lines.procedure_code,
            lines.procedure_modifier_1,
            lines.procedure_code_qualifier,
            lines.units_paid,
            coalesce(lines.original_units, lines.units_paid) as units_billed,
            lines.line_charge_amount,
            lines.allowed_amount,
            lines.line_paid_amount,
            coalesce(lines.service_date, lines.service_from_date, claims.statement_from_date) as start_date,
            coalesce(lines.service_date, lines.service_to_date, claims.statement_to_date) as end_date,
            lines.line_control_number
        from staging.stg_x12_835__service_lines as lines
        inner join staging.stg_x12_835__claims as claims on lines.remit_claim_id = claims.remit_claim_id
        inner join staging.stg_x12_835__payments as payments
            on lines.remit_transaction_id = payments.remit_transaction_id
        inner join raw.file_registry as files on lines.file_id = files.file_id
        order by lines.file_id, lines.segment_position
    """)
    adjustments: dict[str, list[tuple[str, str, Decimal, int]]] = {}
    for row in _rows(con, """
        select remit_line_id, adjustment_group_code, carc_code, adjustment_amount, triplet_ordinal
        from staging.stg_x12_835__adjustments
        where adjustment_level = 'line'
        order by file_id, segment_position, triplet_ordinal
    """):
        adjustments.setdefault(row["remit_line_id"], []).append((
            row["adjustment_group_code"], row["carc_code"], row["adjustment_amount"], row["triplet_ordinal"],
        ))
    remarks: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(con, """
        select remit_line_id, remark_code_qualifier, remark_code
        from staging.stg_x12_835__remarks
        where remark_level = 'line'
        order by file_id, segment_position
    """):
        remarks.setdefault(row["remit_line_id"], []).append(
            (row["remark_code_qualifier"], row["remark_code"]))
    staged: dict[str, list[StagedLine]] = {name: [] for name in SAMPLE_NAMES}
    for line in lines:
        line_id = line["remit_line_id"]
        staged[line["sample_name"]].append(
            StagedLine(line, adjustments.get(line_id, []), remarks.get(line_id, [])))
    return staged


def _expected(name: str) -> list[dict[str, str]]:
    with (ORACLE_DIR / "expected" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _money(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _numbered(row: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[tuple[str, ...]]:
    """adj_0_group, adj_0_code... (or rem_0_qual...) as a list of tuples, in order."""
    found = []
    index = 0
    while row.get(f"{prefix}_{index}_{fields[0]}"):
        found.append(tuple(row[f"{prefix}_{index}_{field}"] for field in fields))
        index += 1
    return found


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_service_lines_match_oracle(staged: dict[str, list[StagedLine]], name: str) -> None:
    expected = _expected(name)
    ours = staged[name]
    assert len(ours) == len(expected), f"{name}: {len(ours)} staged lines, oracle has {len(expected)}"
    for ordinal, (line, want) in enumerate(zip(ours, expected, strict=True), start=1):
        got = line.values
        where = f"{name} line {ordinal} ({got['remit_line_id']})"
        assert got["patient_control_number"] == want["marker"], where
        assert got["payer_name"] == want["payer"], where
        assert got["payment_date"] == _day(want["transaction_date"]), where
        assert got["procedure_code"] == want["code"], where
        assert got["procedure_modifier_1"] == (want["modifier"] or None), where
        assert got["procedure_code_qualifier"] == want["qualifier"], where
        assert got["units_paid"] == Decimal(want["allowed_units"]), where
        assert got["units_billed"] == Decimal(want["billed_units"]), where
        assert got["line_charge_amount"] == _money(want["charge_amount"]), where
        assert got["allowed_amount"] == _money(want["allowed_amount"]), where
        assert got["line_paid_amount"] == _money(want["paid_amount"]), where
        assert got["start_date"] == _day(want["start_date"]), where
        assert got["end_date"] == _day(want["end_date"]), where
        if want.get("ref_0_qual") == "6R":
            assert got["line_control_number"] == want["ref_0_value"], where


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_line_adjustments_match_oracle(staged: dict[str, list[StagedLine]], name: str) -> None:
    """edi-835-parser keeps only the first reason/amount of each CAS segment (its ServiceAdjustment reads
    CAS01-03), so the oracle is compared with our first triplets; the later triplets it drops are checked
    by the service-line balancing rule (SVC02 - line CAS = SVC03), which needs every triplet."""
    for ordinal, (line, want) in enumerate(zip(staged[name], _expected(name), strict=True), start=1):
        where = f"{name} line {ordinal} ({line.values['remit_line_id']})"
        first_triplets = [(group, carc, amount) for group, carc, amount, triplet in line.adjustments
                          if triplet == 1]
        expected = [(group, code, Decimal(amount))
                    for group, code, amount in _numbered(want, "adj", ("group", "code", "amount"))]
        assert first_triplets == expected, where
        adjusted = sum((amount for _, _, amount, _ in line.adjustments), Decimal(0))
        assert line.values["line_charge_amount"] - adjusted == line.values["line_paid_amount"], where


def test_second_cas_triplet_kept(staged: dict[str, list[StagedLine]]) -> None:
    """UHC line 5 carries CAS*PR*2*5.13**1*110: the second triplet (PR-1 110) is one the oracle drops."""
    line = staged["united_healthcare_legacy_sample"][4]
    assert ("PR", "1", Decimal("110.00"), 2) in line.adjustments


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_line_remarks_match_oracle(staged: dict[str, list[StagedLine]], name: str) -> None:
    for ordinal, (line, want) in enumerate(zip(staged[name], _expected(name), strict=True), start=1):
        where = f"{name} line {ordinal} ({line.values['remit_line_id']})"
        assert line.remarks == _numbered(want, "rem", ("qual", "code")), where
