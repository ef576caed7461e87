"""Medicare Part B drug lines are paid on the ASP basis; underpaid lines fall short of it by their truth.

What Part B pays for a separately payable drug (Social Security Act 1847A and 1833, DOMAIN.md section 3 for
the CAS codes): the quarter's ASP payment limit (the CMS file's limit already holds ASP + 6%) x the paid
units is the allowed amount; the deductible (PR-1) comes off it, then 20% coinsurance (PR-2) of what is
left, then the 2% sequestration (CO-253, 2% for dates of service since 2022-07-01) of what is left after
that. The payment limits are read here from the seed CSV with the csv module, independently of
denials.generate; the 835s are read with the tests' own X12 reader. Each line's three CAS amounts are
rounded to the cent, so a clean line's payment may differ from the exact formula by a few cents.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from denials.generate import generate
from tests.generate.truth_helpers import read_csv
from tests.generate.x12_split import interchanges, transactions

COINSURANCE = Decimal("0.20")
SEQUESTRATION = Decimal("0.02")
SEQUESTRATION_AT_TWO_PERCENT_FROM = date(2022, 7, 1)
CLEAN_LINE_CENTS = Decimal("0.03")  # three CAS amounts rounded to the cent
ALLOWED_CAS = {"CO-45", "PR-1", "PR-2", "CO-253"}


def quarter(on: date) -> date:
    return date(on.year, (on.month - 1) // 3 * 3 + 1, 1)


def seed_rows(reference_dir: Path, name: str) -> list[dict[str, str]]:
    with (reference_dir / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def remit_lines(folder: Path) -> dict[str, dict]:
    """Every 835 service line by its line control number (REF*6R): units paid, paid, CAS, service date."""
    lines: dict[str, dict] = {}
    for path in sorted((folder / "835").glob("*.835")):
        for interchange in interchanges(path):
            for transaction in transactions(interchange):
                line: dict | None = None
                for segment in transaction:
                    tag = segment[0]
                    if tag == "SVC":
                        line = {
                            "code": segment[1].split(interchange.component)[1],
                            "paid": Decimal(segment[3]),
                            "units": int(segment[5]),
                            "cas": Counter(),
                            "remits": 1,
                        }
                    elif tag in ("CLP", "SE"):
                        line = None
                    elif line is not None and tag == "DTM" and segment[1] == "472":
                        line["date"] = date(int(segment[2][:4]), int(segment[2][4:6]), int(segment[2][6:]))
                    elif line is not None and tag == "CAS":
                        for i in range(2, len(segment), 3):
                            line["cas"][f"{segment[1]}-{segment[i]}"] += Decimal(segment[i + 1])
                    elif line is not None and tag == "REF" and segment[1] == "6R":
                        if segment[2] in lines:
                            lines[segment[2]]["remits"] += 1
                        else:
                            lines[segment[2]] = line
    return lines


@pytest.fixture(scope="module")
def underpaid_set(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Path:
    """600 claims, a fifth of them underpaid Medicare drug claims."""
    out = tmp_path_factory.mktemp("underpaid")
    generate(out, 600, 23, reference_dir=reference_dir, underpayment_rate=0.2)
    return out


@pytest.fixture(scope="module")
def medicare_drug_lines(underpaid_set: Path, reference_dir: Path) -> list[dict]:
    """Paid Medicare Part B drug lines of a first and only remit, each with its truth and expected payment."""
    limits = {
        (row["hcpcs_code"], date.fromisoformat(row["quarter_start_date"])):
            Decimal(row["payment_limit_per_unit"])
        for row in seed_rows(reference_dir, "drug_asp_prices")
    }
    payer_types = {row["payer_id"]: row["payer_type"] for row in seed_rows(reference_dir, "payers")}
    drugs = {row["hcpcs_code"] for row in seed_rows(reference_dir, "drug_reference")}
    remits = remit_lines(underpaid_set)
    found = []
    for row in read_csv(underpaid_set / "truth" / "truth_lines.csv"):
        line = remits.get(row["line_control_number"])
        if (
            line is None or row["outcome"] != "paid" or line["remits"] != 1 or line["paid"] <= 0
            or payer_types.get(row["payer_id"]) != "medicare" or line["code"] not in drugs
        ):
            continue
        assert line["date"] >= SEQUESTRATION_AT_TWO_PERCENT_FROM
        limit = limits[(line["code"], quarter(line["date"]))]
        expected = (
            (limit * line["units"] - line["cas"]["PR-1"]) * (1 - COINSURANCE) * (1 - SEQUESTRATION)
        )
        found.append({**line, "truth": row, "expected": expected})
    return found


def test_clean_medicare_drug_lines_pay_the_asp_basis(medicare_drug_lines: list[dict]) -> None:
    clean = [line for line in medicare_drug_lines if not line["truth"]["underpaid_amount"]]
    assert len(clean) > 50
    wrong = [
        (line["truth"]["line_control_number"], line["paid"], line["expected"])
        for line in clean
        if abs(line["paid"] - line["expected"]) > CLEAN_LINE_CENTS
    ]
    assert not wrong, f"{len(wrong)} clean Medicare drug lines off the ASP basis, e.g. {wrong[:5]}"
    assert {line["truth"]["scenario"] for line in clean} >= {"clean", "underpaid"}


def test_underpaid_lines_fall_short_by_their_truth(
    medicare_drug_lines: list[dict], reference_dir: Path
) -> None:
    """Each underpaid line is short of the ASP basis by its truth's dollars (to the cent), by more than the
    warehouse's tolerance (seed drug_payment_rules), with nothing but contractual and patient-share CAS."""
    tolerance = next(
        Decimal(row["rate"]) for row in seed_rows(reference_dir, "drug_payment_rules")
        if row["rule_name"] == "shortfall_tolerance"
    )
    short = [line for line in medicare_drug_lines if line["truth"]["underpaid_amount"]]
    assert len(short) > 30
    wrong = []
    for line in short:
        stated = Decimal(line["truth"]["underpaid_amount"])
        if abs(line["expected"] - line["paid"] - stated) > Decimal("0.01") or stated <= tolerance:
            wrong.append((line["truth"]["line_control_number"], line["expected"] - line["paid"], stated))
    assert not wrong, f"{len(wrong)} underpaid lines differ from their truth, e.g. {wrong[:5]}"
    assert all(set(line["cas"]) <= ALLOWED_CAS and line["cas"]["CO-45"] > 0 for line in short)
    assert {line["truth"]["scenario"] for line in short} == {"underpaid"}
    assert {line["truth"]["underpayment_cause"] for line in short} == {
        "prior_quarter_rate", "units_short", "short_payment"
    }


def test_only_medicare_drug_lines_carry_an_underpayment(underpaid_set: Path, reference_dir: Path) -> None:
    payer_types = {row["payer_id"]: row["payer_type"] for row in seed_rows(reference_dir, "payers")}
    rows = read_csv(underpaid_set / "truth" / "truth_lines.csv")
    short = [row for row in rows if row["underpaid_amount"] or row["underpayment_cause"]]
    assert short and all(row["underpaid_amount"] and row["underpayment_cause"] for row in short)
    assert {payer_types[row["payer_id"]] for row in short} == {"medicare"}
    assert {row["outcome"] for row in short} == {"paid"}
    planted = {row["claim_control_number"] for row in rows if row["scenario"] == "underpaid"}
    assert {row["claim_control_number"] for row in short} <= planted


def test_sequestration_follows_the_seeds_periods(tmp_path: Path, reference_dir: Path) -> None:
    """Medicare's CO-253 is the rate in force on the service date (suspended from 2020-05-01, 1% for
    2022 Q2, 2% from 2022-07-01, seed drug_payment_rules with its sources) of what is left after the
    deductible and coinsurance, rounded to the cent."""
    generate(tmp_path, 400, 29, reference_dir=reference_dir, end_date="2022-09-30", span_days=365)
    periods = [
        (date.fromisoformat(row["effective_from"]),
         date.fromisoformat(row["effective_to"]) if row["effective_to"] else date.max, Decimal(row["rate"]))
        for row in seed_rows(reference_dir, "drug_payment_rules")
        if row["rule_name"] == "sequestration" and row["payer_type"] == "medicare"
    ]
    payer_types = {row["payer_id"]: row["payer_type"] for row in seed_rows(reference_dir, "payers")}
    remits = remit_lines(tmp_path)
    rates_seen = Counter()
    for row in read_csv(tmp_path / "truth" / "truth_lines.csv"):
        line = remits.get(row["line_control_number"])
        if line is None or payer_types.get(row["payer_id"]) != "medicare" or line["remits"] != 1:
            continue
        rate = next(rate for start, end, rate in periods if start <= line["date"] < end)
        sequestered = line["cas"]["CO-253"]
        expected = ((line["paid"] + sequestered) * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert sequestered == expected, (row["line_control_number"], line["date"], sequestered, expected)
        rates_seen[rate] += line["paid"] > 0
    assert all(rates_seen[rate] > 5 for rate in (Decimal("0"), Decimal("0.01"), Decimal("0.02"))), rates_seen
