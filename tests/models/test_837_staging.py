"""837 and administrations staging reproduce the generator's truth, and incremental runs only append.

One small generated set (300 claims) is ingested into a temporary warehouse and built with dbt; the
staging keys must match truth_lines.csv exactly, and diagnoses and NDCs must match what an
independent reading of the 837 text finds. A second generated set, ingested afterwards, must be
appended by the next incremental run without touching the rows already there.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

from denials.generate import generate  # noqa: E402
from denials.ingest import ingest_paths  # noqa: E402
from tests.models.dbt_helpers import query, run_dbt  # noqa: E402

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
SELECTION = ["staging.x12_837", "staging.administrations", "stg_raw__x12_segments"]
STAGING_837 = [
    "stg_x12_837__claims",
    "stg_x12_837__service_lines",
    "stg_x12_837__diagnoses",
    "stg_x12_837__drug_identification",
    "stg_x12_837__claim_providers",
    "stg_x12_837__patients",
]
STAGING_ALL = [*STAGING_837, "stg_administrations__drug_administrations"]


def run_dbt_build(warehouse: Path, tmp: Path) -> list:
    """`dbt build` of the 837 and administrations staging in-process; returns the node results."""
    outcome = run_dbt(["build", "--select", *SELECTION, "--quiet"], warehouse, tmp)
    return list(outcome.result.result)


def read_837(paths: list[Path]) -> dict[str, dict]:
    """An independent reading of generated 837 text: per claim, its diagnoses and per-line NDCs.

    Claims are keyed by their first line's control number (REF*6R): CLM01 repeats on purpose in the
    generator's duplicate-claim scenarios, line control numbers do not.
    """
    claims: list[dict] = []
    for path in paths:
        text = path.read_text()
        element, component, terminator = text[3], text[104], text[105]
        claim = line = weight = None
        birth_date: str | None = None
        for raw in text.split(terminator):
            elements = raw.strip().split(element)
            segment = elements[0]
            if segment == "HL":
                claim = line = weight = None
                birth_date = None  # a level's DMG speaks for the claims of that level only
            elif segment == "DMG":
                birth_date = elements[2]
            elif segment == "PAT" and len(elements) > 8:
                weight = (elements[7], elements[8])
            elif segment == "CLM":
                claim = {"diagnoses": [], "lines": {}, "birth_date": birth_date, "weight": weight}
                claims.append(claim)
                line = None
            elif segment == "HI" and claim is not None:
                for composite in elements[1:]:
                    parts = composite.split(component)
                    claim["diagnoses"].append((parts[0], parts[1]))
            elif segment == "LX" and claim is not None:
                line = {}
            elif segment == "REF" and line is not None and elements[1] == "6R":
                claim["lines"][elements[2]] = line
            elif segment == "LIN" and line is not None:
                line["ndc"] = elements[3]
            elif segment == "CTP" and line is not None:
                line["ndc_quantity"] = elements[4]
                line["ndc_unit"] = elements[5].split(component)[0]
    return {next(iter(claim["lines"])): claim for claim in claims}


def with_dot(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("s837")
    first = tmp / "first"
    generate(first, claims=300, seed=11)
    warehouse = tmp / "warehouse" / "denials.duckdb"
    warehouse.parent.mkdir()
    report = ingest_paths([first / "837", first / "835", first / "administrations"], warehouse)
    assert {file.status for file in report.files} == {"loaded"}
    # the incremental test loads more files later; the other tests look at this set's files only
    (last_file_id,) = query(warehouse, "select max(file_id) from raw.file_registry")[0]
    results = run_dbt_build(warehouse, tmp)
    yield {"tmp": tmp, "warehouse": warehouse, "first": first, "last_file_id": last_file_id,
           "results": results}


def test_every_truth_line_appears_once_with_its_payer_and_hcpcs(built: dict) -> None:
    with (built["first"] / "truth" / "truth_lines.csv").open(newline="") as handle:
        truth = {
            (row["claim_control_number"], row["line_control_number"]): (row["payer_id"], row["hcpcs_code"])
            for row in csv.DictReader(handle)
        }
    staged = query(
        built["warehouse"],
        f"""
        select claims.claim_control_number, lines.line_control_number, claims.payer_id, lines.procedure_code
        from staging.stg_x12_837__service_lines as lines
        inner join staging.stg_x12_837__claims as claims on lines.claim_id = claims.claim_id
        where lines.file_id <= {built["last_file_id"]}
        """,
    )
    keys = [(row[0], row[1]) for row in staged]
    assert len(keys) == len(set(keys)) == len(truth)
    assert {(row[0], row[1]): (row[2], row[3]) for row in staged} == truth


def test_diagnoses_and_ndcs_match_the_837_text(built: dict) -> None:
    expected = read_837(sorted((built["first"] / "837").iterdir()))
    diagnoses = query(
        built["warehouse"],
        f"""
        select first_lines.line_control_number, diagnoses.diagnosis_ordinal, diagnoses.diagnosis_qualifier,
            diagnoses.diagnosis_code, diagnoses.diagnosis_code_with_dot, diagnoses.is_principal
        from staging.stg_x12_837__diagnoses as diagnoses
        inner join staging.stg_x12_837__service_lines as first_lines
            on diagnoses.claim_id = first_lines.claim_id and first_lines.line_seq = 1
        where diagnoses.file_id <= {built["last_file_id"]}
        order by 1, 2
        """,
    )
    found: dict[str, list] = {}
    for claim, ordinal, qualifier, code, dotted, principal in diagnoses:
        found.setdefault(claim, []).append((qualifier, code))
        assert ordinal == len(found[claim])
        assert dotted == with_dot(code)
        assert principal == (ordinal == 1) == (qualifier == "ABK")
    assert found == {claim: facts["diagnoses"] for claim, facts in expected.items()}

    drugs = query(
        built["warehouse"],
        f"""
        select lines.line_control_number, drugs.ndc, drugs.ndc_quantity, drugs.ndc_unit_code
        from staging.stg_x12_837__drug_identification as drugs
        inner join staging.stg_x12_837__service_lines as lines on drugs.claim_line_id = lines.claim_line_id
        where drugs.file_id <= {built["last_file_id"]}
        """,
    )
    expected_drugs = {
        control: line
        for facts in expected.values()
        for control, line in facts["lines"].items()
        if "ndc" in line
    }
    assert len(drugs) == len(expected_drugs) > 0
    for control, ndc, quantity, unit in drugs:
        line = expected_drugs[control]
        assert (ndc, unit) == (line["ndc"], line["ndc_unit"])
        assert float(quantity) == pytest.approx(float(line["ndc_quantity"]))
        assert len(ndc) == 11 and ndc.isdigit()


def test_patient_birth_dates_are_the_dmg_of_the_claims_level(built: dict) -> None:
    """The birth date (DMG02) of the level a claim sits in, for the drug labels' age limits."""
    expected = {
        line: claim["birth_date"]
        for line, claim in read_837(sorted((built["first"] / "837").iterdir())).items()
    }
    rows = query(
        built["warehouse"],
        f"""
        select lines.line_control_number, strftime(patients.patient_birth_date, '%Y%m%d')
        from staging.stg_x12_837__patients as patients
        inner join staging.stg_x12_837__service_lines as lines
            on patients.claim_id = lines.claim_id
        where patients.file_id <= {built["last_file_id"]}
        """,
    )
    found = {line: born for line, born in rows if line in expected}
    assert expected and all(expected.values())
    assert found == expected


def test_administrations_are_typed(built: dict) -> None:
    with (built["first"] / "administrations" / "administrations.csv").open(newline="") as handle:
        rows = {row["administration_id"]: row for row in csv.DictReader(handle)}
    staged = query(
        built["warehouse"],
        f"""
        select administration_id, line_control_number, ndc, administered_amount, administered_unit,
            administered_at
        from staging.stg_administrations__drug_administrations
        where file_id <= {built["last_file_id"]}
        """,
    )
    assert len(staged) == len(rows) > 0
    for administration_id, line_control, ndc, amount, unit, administered_at in staged:
        row = rows[administration_id]
        assert line_control == row["line_control_number"]
        assert ndc == row["ndc"].replace("-", "")
        assert float(amount) == pytest.approx(float(row["administered_amount"]))
        given_unit = row["administered_unit"].lower()
        assert unit == ("IU" if given_unit == "iu" else given_unit)
        assert administered_at is not None


def test_no_subscriber_or_patient_identifiers_are_kept(built: dict) -> None:
    member_ids = set()
    for path in (built["first"] / "837").iterdir():
        text = path.read_text()
        for raw in text.split(text[105]):
            elements = raw.strip().split(text[3])
            if elements[0] == "NM1" and elements[1] in ("IL", "QC"):
                # last name, first name, member id
                member_ids.update(
                    elements[index] for index in (3, 4, 9) if len(elements) > index and elements[index]
                )
    assert member_ids
    for table in STAGING_837:
        columns = [row[0] for row in query(built["warehouse"], f"describe staging.{table}")]
        text_columns = " || '|' || ".join(f"coalesce(cast({column} as varchar), '')" for column in columns)
        values = query(built["warehouse"], f"select {text_columns} from staging.{table}")
        kept = {part for (row,) in values for part in row.split("|")}
        assert not (kept & member_ids), table


def test_incremental_runs_append_only_new_files(built: dict) -> None:
    warehouse, tmp = built["warehouse"], built["tmp"]
    counts_sql = " union all ".join(
        f"select '{table}', file_id, count(*) from staging.{table} group by file_id" for table in STAGING_ALL
    )
    before = set(query(warehouse, counts_sql))

    run_dbt_build(warehouse, tmp)
    assert set(query(warehouse, counts_sql)) == before

    second = tmp / "second"
    generate(second, claims=40, seed=12)
    ingest_paths([second / "837", second / "administrations"], warehouse)
    run_dbt_build(warehouse, tmp)
    after = set(query(warehouse, counts_sql))
    assert before < after
    old_files = {file_id for _, file_id, _ in before}
    assert {row for row in after if row[1] in old_files} == before
    new_claims = sum(count for table, file_id, count in after
                     if table == "stg_x12_837__claims" and file_id not in old_files)
    assert new_claims == 40


def test_patient_weights_match_the_pat_segments(built: dict) -> None:
    """Each claim whose patient level sends PAT07/PAT08 has that unit and weight; no other claim has one."""
    expected = {
        claim: facts["weight"]
        for claim, facts in read_837(sorted((built["first"] / "837").iterdir())).items()
        if facts["weight"]
    }
    staged = query(
        built["warehouse"],
        f"""
        select first_lines.line_control_number, patients.weight_unit_code, patients.patient_weight
        from staging.stg_x12_837__patients as patients
        inner join staging.stg_x12_837__service_lines as first_lines
            on patients.claim_id = first_lines.claim_id and first_lines.line_seq = 1
        where patients.file_id <= {built["last_file_id"]} and patients.patient_weight is not null
        """,
    )
    assert len(staged) == len(expected) > 0
    for claim, unit, weight in staged:
        assert unit == expected[claim][0] == "01"
        assert float(weight) == pytest.approx(float(expected[claim][1]))
