"""A site with a drug contract: mart_drug_underpayments flags exactly the contract lines paid short.

The demo's payer_drug_contract_rates holds its header only (users fill it in); here a contract for one
commercial payer is written into a copy of the seeds. The generator reads it from its reference folder like
every seed, pays that payer's drug lines the contracted rate less the patient's share (PR), and plants
`underpaid` lines on that payer and on Medicare Part B; the dbt project is built with the same contract.
The mart must then flag exactly the lines the truth says were paid short, on the basis each was short of
(the contract, else Medicare's ASP formula), with the truth's shortfall to the cent, and none of that
payer's other drug lines.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest

from denials.generate import generate
from denials.ingest import ingest_paths
from denials.paths import SEEDS_DIR
from tests.models.dbt_helpers import project_copy, query, run_dbt

pytestmark = pytest.mark.slow

CLAIMS, SEED = 800, 19
CONTRACT_PAYER = "COMMA"
# Contracted allowed per billing unit, below the practices' charges and above what Medicare allows.
CONTRACT = (
    "payer_id,hcpcs_code,effective_from,effective_to,allowed_per_unit,notes\n"
    + "".join(
        f"{CONTRACT_PAYER},{code},2023-01-01,,{rate},test contract\n"
        for code, rate in (("J7189", "2.40"), ("J7212", "1.85"), ("J7210", "2.25"), ("J7170", "62.50"),
                           ("J7198", "2.60"))
    )
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("drug_contract")
    reference = tmp / "reference"
    shutil.copytree(SEEDS_DIR, reference)
    (reference / "payer_drug_contract_rates.csv").write_text(CONTRACT, encoding="utf-8")
    generate(tmp / "gen", claims=CLAIMS, seed=SEED, reference_dir=reference, underpayment_rate=0.12)
    warehouse = tmp / "warehouse" / "denials.duckdb"
    report = ingest_paths([tmp / "gen" / folder for folder in ("837", "835", "administrations")], warehouse)
    assert {file.status for file in report.files} == {"loaded"}
    project = project_copy(tmp / "project", seeds={"payer_drug_contract_rates": CONTRACT})
    run_dbt(["build", "--quiet"], warehouse, tmp, project_dir=project)
    with (tmp / "gen" / "truth" / "truth_lines.csv").open(newline="") as handle:
        truth = list(csv.DictReader(handle))
    yield {"warehouse": warehouse, "truth": truth}


def test_the_mart_flags_exactly_the_lines_paid_short(built: dict) -> None:
    truth = {row["line_control_number"]: row for row in built["truth"]}
    expected = {
        line: Decimal(row["underpaid_amount"]) for line, row in truth.items() if row["underpaid_amount"]
    }
    flagged = query(built["warehouse"], """
        select line_control_number, payer_id, payment_basis, shortfall_amount
        from marts.mart_drug_underpayments""")
    found = {line: amount for line, _, _, amount in flagged}
    assert len(flagged) == len(found), "a line appears twice in mart_drug_underpayments"
    contract_lines = {line for line, row in expected.items() if truth[line]["payer_id"] == CONTRACT_PAYER}
    assert len(contract_lines) > 10 and len(expected) - len(contract_lines) > 10
    assert set(found) == set(expected), (
        f"missing {sorted(set(expected) - set(found))[:5]}, extra {sorted(set(found) - set(expected))[:5]}"
    )
    wrong = {
        line: (found[line], amount)
        for line, amount in expected.items()
        if abs(found[line] - amount) > Decimal("0.01")
    }
    assert not wrong, f"{len(wrong)} shortfalls differ from truth, e.g. {list(wrong.items())[:5]}"
    bases = {line: (payer, basis) for line, payer, basis, _ in flagged}
    assert {bases[line] for line in contract_lines} == {(CONTRACT_PAYER, "contracted_rate")}
    assert {basis for line, (_, basis) in bases.items() if line not in contract_lines} == {"medicare_asp"}


def test_the_contract_payers_other_drug_lines_pay_the_contract(built: dict) -> None:
    """Its drug lines paid in full as the primary payer are many, and each is allowed the contracted rate x
    paid units, within the cent rounding of the allowed amount."""
    paid = query(built["warehouse"], f"""
        select lines.line_control_number, lines.units_paid, lines.paid_amount, lines.procedure_code,
            lines.allowed_amount
        from marts.fct_adjudicated_lines as lines
        where lines.payer_id = '{CONTRACT_PAYER}' and lines.is_drug_line and lines.paid_amount > 0""")
    # as a secondary payer it pays what the primary left (OA-23), not its contract
    short = {
        row["line_control_number"] for row in built["truth"]
        if row["underpaid_amount"] or row["scenario"] == "secondary_claim"
    }
    contract = csv.DictReader(CONTRACT.splitlines())
    rates = {row["hcpcs_code"]: Decimal(row["allowed_per_unit"]) for row in contract}
    full = [row for row in paid if row[0] not in short]
    assert len(full) > 50
    wrong = [row for row in full if abs(rates[row[3]] * row[1] - row[4]) > Decimal("0.01")]
    assert not wrong, f"{len(wrong)} contract lines not allowed the contracted rate, e.g. {wrong[:5]}"
