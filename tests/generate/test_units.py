"""Billing units come from the reference seeds: split, JW/JZ and vials follow each drug's unit."""

from __future__ import annotations

import random
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from denials.generate import generate
from denials.generate.encounters import Context, split_units
from denials.generate.engine import RATE_DEFAULTS
from denials.generate.reference import load_reference
from tests.generate.truth_helpers import read_csv
from tests.generate.x12_split import all_segments


def _context(reference_dir: Path, seed: int = 1) -> Context:
    reference = load_reference(reference_dir)
    return Context(
        rng=random.Random(seed),
        reference=reference,
        seed=seed,
        id_prefix="TST",
        first_ordinal=0,
        total_claims=1000,
        start_date=date(2025, 1, 1),
        span_days=30,
        rates=dict(RATE_DEFAULTS),
    )


def test_split_units_at_the_cap() -> None:
    assert split_units(22000, 9999) == [9999, 9999, 2002]
    assert split_units(9999, 9999) == [9999]
    assert split_units(0, 9999) == []
    assert split_units(12, None) == [12]


def test_clean_drug_lines_bill_the_dose_exactly(reference_dir: Path) -> None:
    ctx = _context(reference_dir)
    doses = 0
    for _ in range(400):
        claim = ctx.drug_claim("clean")
        for dose in claim.doses:
            doses += 1
            drug = dose.drug
            lines = [line for line in claim.lines if line.dose is dose]
            given = [line for line in lines if "JW" not in line.modifiers]
            wasted = [line for line in lines if "JW" in line.modifiers]
            assert sum(line.units for line in given) == dose.administered_units
            assert sum(line.units for line in wasted) == dose.wasted_units
            limit = ctx.reference.line_limit(claim.payer.payer_id, drug, dose.service_date)
            assert all(line.units <= limit for line in lines)
            assert all(("76" in line.modifiers) == (index > 0) for index, line in enumerate(given))
            jz = any("JZ" in line.modifiers for line in lines)
            requires = ctx.reference.policy(
                claim.payer.payer_id, drug.hcpcs, dose.service_date
            ).requires_jw_jz
            assert jz == (requires and dose.wasted_units == 0)
            # Whole vials of one size were opened: given + wasted is a multiple of the vial.
            vial = next(size for size, ndc in drug.ndc_by_vial_units.items() if ndc == dose.ndc)
            assert (dose.administered_units + dose.wasted_units) % vial == 0
            low, high = drug.dose_min, drug.dose_max
            per_kg = float(drug.amount(dose.administered_units)) / dose.weight_kg
            assert low * 0.85 <= per_kg <= high * 1.5 + float(drug.amount(vial)) / dose.weight_kg
    assert doses > 300


def _ctp_by_line(folder: Path) -> dict[str, tuple[int, Decimal, str]]:
    """line control number -> (SV1/SV2 units, CTP quantity, CTP unit) for drug lines."""
    found: dict[str, tuple[int, Decimal, str]] = {}
    units, control = 0, ""
    for _, segment in all_segments(sorted((folder / "837").glob("*.837"))):
        if segment[0] == "SV1":
            units = int(segment[4])
        elif segment[0] == "SV2":
            units = int(segment[5])
        elif segment[0] == "REF" and segment[1] == "6R":
            control = segment[2]
        elif segment[0] == "CTP":
            found[control] = (units, Decimal(segment[4]), segment[5])
    return found


def test_units_follow_the_seed_not_the_code(tmp_path: Path, reference_dir: Path) -> None:
    """Re-declare J7189 as billed per 10 mcg: its billed units shrink tenfold, the dose does not."""
    seeds = tmp_path / "seeds"
    shutil.copytree(reference_dir, seeds)
    path = seeds / "drug_reference.csv"
    lines = path.read_text().splitlines()
    lines = [
        line.replace(",1,mcg,9999,", ",10,mcg,9999,") if line.startswith("J7189,") else line for line in lines
    ]
    path.write_text("\n".join(lines) + "\n")
    for folder, reference, per_unit in ((tmp_path / "a", reference_dir, 1), (tmp_path / "b", seeds, 10)):
        generate(folder, 400, 21, reference_dir=reference, scenario_weights={"clean": 1000})
        ctp = _ctp_by_line(folder)
        clean = [
            row
            for row in read_csv(folder / "truth" / "truth_lines.csv")
            if row["hcpcs_code"] == "J7189" and row["scenario"] == "clean"
        ]
        assert len(clean) > 20
        for row in clean:
            units, quantity, unit = ctp[row["line_control_number"]]
            assert unit == "ME"  # milligrams, whatever the billing unit
            assert quantity * 1000 == units * per_unit, (row, units, quantity)


def test_ndc_quantity_matches_units_except_where_planted(scenario_set: Path, reference_dir: Path) -> None:
    """CTP quantity = units x billing unit size in the NDC unit, unless a unit error was planted."""
    reference = load_reference(reference_dir)
    ctp = _ctp_by_line(scenario_set)
    planted = {"ndc_quantity_mismatch", "mcg_billed_as_mg", "units_per_half_mg_slip"}
    mismatched = set()
    for row in read_csv(scenario_set / "truth" / "truth_lines.csv"):
        if row["line_control_number"] not in ctp:
            continue
        drug = reference.drugs[row["hcpcs_code"]]
        units, quantity, unit = ctp[row["line_control_number"]]
        assert unit == drug.ndc_unit
        if quantity != drug.ndc_quantity(units):
            mismatched.add(row["unit_root_cause"])
            assert row["unit_root_cause"] in planted, row
    assert mismatched == planted
