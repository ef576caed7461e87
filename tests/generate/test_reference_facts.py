"""Reference facts stated here, with their sources, independently of the seeds: a wrong seed edit fails.

Every value below is copied from DOMAIN.md (which cites the public source of each), never read from
the code or the seeds under test; the seeds are then read with the csv module and compared. A change to
a fact must change this file too, with its source.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# (billing unit size, measure, source). DOMAIN.md 0 and 4.1-4.5.
BILLING_UNITS = {
    "J7189": (Decimal(1), "mcg", "HCPCS: factor VIIa per 1 microgram (Highmark I-4-038)"),
    "J7212": (Decimal(1), "mcg", "HCPCS: factor VIIa-jncw per 1 microgram (NC Medicaid 2021-01-05)"),
    "J7210": (Decimal(1), "iu", "HCPCS: factor VIII single-chain per IU, not factor VIIa (Highmark I-4-038)"),
    "J7170": (Decimal("0.5"), "mg", "HCPCS: emicizumab-kxwh per 0.5 mg (genentech-access.com)"),
    "J7198": (Decimal(1), "iu", "HCPCS: anti-inhibitor coagulant complex per IU (drugs.com)"),
}

# DOMAIN.md 4.7: the claim system takes at most 9,999 units on a line (FCSO 0489833; Noridian JF).
PER_LINE_UNIT_CAP = 9999

# (HCPCS, ICD-10-CM) -> labeled?, with the source DOMAIN.md gives.
LABEL_PAIRS = {
    ("J7189", "D68.311"): (True, "4.1: acquired hemophilia is on the NovoSeven RT diagnosis list"),
    ("J7189", "D68.2"): (True, "4.1: congenital FVII deficiency, 15-30 mcg/kg (novosevenrtpro.com)"),
    ("J7189", "D68.32"): (False, "4.1: extrinsic anticoagulant bleeding is not a labeled indication"),
    ("J7189", "D68.312"): (False, "4.1: antiphospholipid antibody bleeding is not a labeled indication"),
    ("J7212", "D66"): (True, "4.2: NC Medicaid requires D66/D67 for Sevenfact"),
    ("J7212", "D68.2"): (False, "4.2: Sevenfact is not indicated for congenital FVII deficiency"),
    ("J7170", "D66"): (True, "4.4: Hemlibra, diagnosis D66"),
    ("J7198", "D66"): (True, "4.5: Medicare NCD 110.3 covers hemophilia A with FVIII inhibitors"),
}


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def drugs() -> dict[str, dict[str, str]]:
    return {row["hcpcs_code"]: row for row in _rows("drug_reference")}


@pytest.mark.parametrize("code", sorted(BILLING_UNITS))
def test_each_drug_bills_in_its_hcpcs_unit(drugs: dict[str, dict[str, str]], code: str) -> None:
    size, measure, source = BILLING_UNITS[code]
    row = drugs[code]
    assert (Decimal(row["billing_unit_size"]), row["billing_unit_measure"].lower()) == (size, measure), source


@pytest.mark.parametrize("code", sorted(BILLING_UNITS))
def test_each_drug_has_the_system_line_cap(drugs: dict[str, dict[str, str]], code: str) -> None:
    assert int(drugs[code]["per_line_unit_cap"]) == PER_LINE_UNIT_CAP


def test_no_payer_limit_exceeds_the_system_line_cap() -> None:
    for name in ("payer_policies", "payer_type_policy_defaults"):
        limits = [int(row["max_units_per_line"]) for row in _rows(name) if row["max_units_per_line"].strip()]
        assert all(0 < limit <= PER_LINE_UNIT_CAP for limit in limits), name


@pytest.mark.parametrize("pair", sorted(LABEL_PAIRS))
def test_labeled_and_off_label_pairs(pair: tuple[str, str]) -> None:
    labeled, source = LABEL_PAIRS[pair]
    # labeled_diagnoses is an allow-list per drug: a pair it lists is labeled, any other is off-label
    listed = {(row["hcpcs_code"], row["icd10_code"]) for row in _rows("labeled_diagnoses")}
    assert pair[0] in {code for code, _ in listed}, f"{pair[0]} has no labeled indication at all ({source})"
    assert (pair in listed) is labeled, source
