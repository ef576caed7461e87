"""The generator's reference data is the seeds': units, measures, doses and labeled diagnoses agree.

Expected units and conversions come from DOMAIN.md (sections 0, 2 and 4); the seeds are read here with
the csv module, independently of denials.generate.reference, and compared with what the generator loaded.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from denials.generate import catalog
from denials.generate.reference import Reference, ReferenceDataError, load_reference
from tests.generate.truth_helpers import read_csv
from tests.generate.x12_split import interchanges, transactions

# DOMAIN.md section 0 and 4: the HCPCS billing unit of each drug.
HCPCS_BILLING_UNITS = {
    "J7189": (Decimal(1), "mcg"),
    "J7212": (Decimal(1), "mcg"),
    "J7210": (Decimal(1), "iu"),
    "J7198": (Decimal(1), "iu"),
    "J7170": (Decimal("0.5"), "mg"),
}
# DOMAIN.md section 2: the 837 CTP05-1 unit codes for a drug amount.
CTP_UNIT_CODES = {"ME": "mg", "GR": "g", "F2": "iu"}


def _seed(reference_dir: Path, name: str) -> list[dict[str, str]]:
    with (reference_dir / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def reference(reference_dir: Path) -> Reference:
    return load_reference(reference_dir)


def test_billing_units_follow_the_hcpcs_code_set(reference: Reference) -> None:
    for code, (size, measure) in HCPCS_BILLING_UNITS.items():
        drug = reference.drugs[code]
        assert (drug.unit_size, drug.measure.lower()) == (size, measure), code


def test_conversions_follow_the_metric_system(reference: Reference) -> None:
    measures = reference.measures
    assert measures.convert(Decimal(1), "mg", "mcg") == 1000
    assert measures.convert(Decimal(1), "g", "mg") == 1000
    assert measures.convert(Decimal(7200), "mcg", "mg") == Decimal("7.2")  # DOMAIN.md 4.1 worked example
    assert measures.convert(Decimal(250), "IU", "iu") == 250
    with pytest.raises(ReferenceDataError):
        measures.convert(Decimal(1), "IU", "mg")
    with pytest.raises(ReferenceDataError):
        measures.convert(Decimal(1), "mL", "mg")
    assert {code: measures.get(name).x12_unit_code for code, name in CTP_UNIT_CODES.items()} == {
        code: code for code in CTP_UNIT_CODES}


def test_ndc_quantities_use_a_ctp_unit_of_the_drugs_dimension(reference: Reference) -> None:
    # J7189 is billed per mcg and reported in mg (ME): 1 unit is 0.001 mg; J7170's 0.5 mg unit is 0.5 mg.
    expected = {"J7189": (7200, "ME", Decimal("7.2")), "J7170": (420, "ME", Decimal(210)),
                "J7210": (2000, "F2", Decimal(2000))}
    for code, (units, unit, quantity) in expected.items():
        drug = reference.drugs[code]
        assert (drug.ndc_unit, drug.ndc_quantity(units)) == (unit, quantity), code


def test_generator_loads_units_doses_and_measures_as_the_seeds_state_them(
        reference: Reference, reference_dir: Path) -> None:
    rows = _seed(reference_dir, "drug_reference")
    assert set(reference.drugs) == {row["hcpcs_code"] for row in rows}
    for row in rows:
        drug = reference.drugs[row["hcpcs_code"]]
        assert drug.measure == row["billing_unit_measure"]
        assert drug.unit_size == Decimal(row["billing_unit_size"])
        assert (drug.dose_min, drug.dose_max) == (
            float(row["labeled_dose_per_kg_min"]), float(row["labeled_dose_per_kg_max"]))
    seeded = {
        row["measure"].lower(): (row["dimension"], Decimal(row["base_unit_factor"]), row["x12_unit_code"])
        for row in _seed(reference_dir, "measure_units")
    }
    loaded = {name: (m.dimension, m.base_unit_factor, m.x12_unit_code)
              for name, m in reference.measures.by_name.items()}
    assert loaded == seeded


def test_generator_loads_labeled_diagnoses_as_the_seed_states_them(
        reference: Reference, reference_dir: Path) -> None:
    """The seed is an allow-list: what another drug is labeled for and this one is not is off-label here."""
    labeled: dict[str, set[str]] = {}
    for row in _seed(reference_dir, "labeled_diagnoses"):
        labeled.setdefault(row["hcpcs_code"], set()).add(row["icd10_code"].replace(".", ""))
    assert {code: set(dx) for code, dx in reference.labeled.items()} == labeled
    anywhere = set().union(*labeled.values())
    for code, dx in reference.off_label.items():
        assert set(dx) == anywhere - labeled[code]
    # DOMAIN.md 4.2: Sevenfact is labeled for hemophilia A/B with inhibitors only, from age 12.
    assert {"D68311", "D682"} <= set(reference.off_label["J7212"])
    assert reference.age_limits["J7212"] == (12, None)


def test_catalog_assumptions_name_only_seeded_codes(reference: Reference) -> None:
    """The synthetic tables are keyed by what the seeds define, and hold no unit or label of their own."""
    assert set(catalog.DRUG_CHARGE_PER_MEASURE) <= set(reference.drugs)
    assert set(catalog.CHARGE_PER_MEASURE_FALLBACK) <= set(reference.measures.by_name)
    labeled_anywhere = {dx for codes in reference.labeled.values() for dx in codes}
    assert {dx for dx, _ in catalog.CONDITIONS} <= labeled_anywhere
    for dimension, measure in catalog.NDC_QUANTITY_MEASURE.items():
        assert reference.measures.get(measure).dimension == dimension
    assert not hasattr(catalog, "LABELED_DIAGNOSES") and not hasattr(catalog, "OFF_LABEL_DIAGNOSES")


def _principal_diagnoses(folder: Path) -> dict[str, set[str]]:
    """CLM01 -> the HI ABK principal diagnoses its claims were sent with."""
    found: dict[str, set[str]] = {}
    for path in sorted((folder / "837").glob("*.837")):
        for interchange in interchanges(path):
            for transaction in transactions(interchange):
                claim = ""
                for segment in transaction:
                    if segment[0] == "CLM":
                        claim = segment[1]
                    elif segment[0] == "HI" and segment[1].startswith("ABK"):
                        found.setdefault(claim, set()).add(segment[1].split(interchange.component)[1])
    return found


def test_planted_diagnoses_are_the_seeds_labeled_and_off_label_ones(
        scenario_set: Path, reference: Reference) -> None:
    principal = _principal_diagnoses(scenario_set)
    checked = {"clean": 0, "off_label": 0}
    for row in read_csv(scenario_set / "truth" / "truth_lines.csv"):
        code = row["hcpcs_code"]
        if code not in reference.drugs:
            continue
        sent = principal[row["claim_control_number"]]
        if row["scenario"] == "off_label_diagnosis":
            assert sent & set(reference.off_label[code]), (code, sent)
            assert not sent & set(reference.labeled[code]), (code, sent)
            checked["off_label"] += 1
        elif row["scenario"] == "clean":
            assert sent & set(reference.labeled[code]), (code, sent)
            checked["clean"] += 1
    assert min(checked.values()) > 20, checked
