"""Reference data the generator reads from the project's seeds.

Billing units, vial sizes, caps, payer filing codes and payer policies come from the same seed
files dbt loads (`drug_reference`, `drug_ndcs`, `payers`, `payer_policies`), so the planted truth and
the warehouse's rules can never disagree about what one unit of a drug is.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from denials.generate import catalog

SEED_FILES = ("drug_reference.csv", "drug_ndcs.csv", "payers.csv", "payer_policies.csv")
# Read when present, so planted off-label claims follow the same list the warehouse's rule uses;
# without it the generator falls back to catalog.py.
OPTIONAL_SEED_FILES = ("labeled_diagnoses.csv",)

# How many of the smallest unit of each dimension one unit of a measure holds. Vials in
# `drug_ndcs` may be labelled in another measure than the HCPCS billing unit (a NovoSeven vial is
# "1 mg", the code is billed per mcg), so sizes are converted through this table, never by code.
_MEASURES: dict[str, tuple[str, Decimal]] = {
    "mcg": ("mass", Decimal(1)),
    "mg": ("mass", Decimal(1000)),
    "g": ("mass", Decimal(1_000_000)),
    "iu": ("activity", Decimal(1)),
    "units": ("activity", Decimal(1)),
    "u": ("activity", Decimal(1)),
}

# NDC quantity (837 CTP05-1) unit for a drug measured in each billing measure, and the factor
# from the billing measure to that NDC unit: mass goes as milligrams (ME), activity as IU (F2).
NDC_UNIT_BY_MEASURE: dict[str, tuple[str, Decimal]] = {
    "mcg": ("ME", Decimal("0.001")),
    "mg": ("ME", Decimal(1)),
    "g": ("ME", Decimal(1000)),
    "iu": ("F2", Decimal(1)),
    "units": ("F2", Decimal(1)),
    "u": ("F2", Decimal(1)),
}


class ReferenceDataError(ValueError):
    """A seed file is missing, or a row cannot drive unit arithmetic."""


def default_reference_dir() -> Path:
    # src/denials/generate/reference.py -> the project root holds seeds/ beside src/.
    return Path(__file__).resolve().parents[3] / "seeds"


def convert(amount: Decimal, from_measure: str, to_measure: str) -> Decimal:
    source = _MEASURES.get(from_measure.lower())
    target = _MEASURES.get(to_measure.lower())
    if source is None or target is None or source[0] != target[0]:
        raise ReferenceDataError(f"cannot convert {from_measure} to {to_measure}")
    return amount * source[1] / target[1]


@dataclass(frozen=True, slots=True, eq=False)
class Drug:
    hcpcs: str
    product_name: str
    drug_class: str
    unit_size: Decimal  # amount of `measure` in one billing unit
    measure: str  # mcg | IU | mg, as the seed spells it (it is also the admin CSV unit)
    line_cap: int  # per-line system cap on units (9,999)
    single_dose: bool
    vial_units: tuple[int, ...]  # vial sizes expressed in billing units, ascending
    dose_min: float  # labeled dose per kg, in `measure`
    dose_max: float
    ndc_by_vial_units: dict[int, str]  # vial size in billing units -> 11-digit NDC
    ndc_unit: str  # CTP05-1 for this drug's NDC quantity
    ndc_factor: Decimal  # billing measure -> NDC unit

    def amount(self, units: int) -> Decimal:
        """The drug amount, in `measure`, that `units` billing units stand for."""
        return self.unit_size * units

    def ndc_quantity(self, units: int) -> Decimal:
        return (self.unit_size * units * self.ndc_factor).normalize()


@dataclass(frozen=True, slots=True)
class Payer:
    payer_id: str
    name: str
    payer_type: str
    filing_837: str  # SBR09
    filing_835: str  # CLP06
    appeal_window_days: int
    timely_filing_days: int


@dataclass(frozen=True, slots=True)
class Policy:
    effective_from: date
    requires_prior_auth: bool
    max_units_per_line: int | None
    requires_jw_jz: bool


_NO_POLICY = Policy(date.min, False, None, False)


@dataclass(slots=True)
class Reference:
    drugs: dict[str, Drug]
    payers: dict[str, Payer]
    policies: dict[tuple[str, str], list[Policy]]
    source_dir: Path
    # ICD-10-CM codes without the dot (as X12 HI carries them), per HCPCS code.
    labeled: dict[str, tuple[str, ...]] = field(default_factory=dict)
    off_label: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)

    def policy(self, payer_id: str, hcpcs: str, on: date) -> Policy:
        """The payer's policy for a drug in force on a date (latest `effective_from` not after it)."""
        found = _NO_POLICY
        for policy in self.policies.get((payer_id, hcpcs), ()):
            if policy.effective_from <= on:
                found = policy
        return found

    def line_limit(self, payer_id: str, drug: Drug, on: date) -> int:
        """Most units one line may carry for this payer: the system cap or the payer's, if lower."""
        payer_max = self.policy(payer_id, drug.hcpcs, on).max_units_per_line
        return drug.line_cap if payer_max is None else min(drug.line_cap, payer_max)


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ReferenceDataError(f"reference file not found: {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _flag(value: str) -> bool:
    return value.strip().lower() in {"true", "t", "yes", "y", "1"}


def _digits(ndc: str) -> str:
    digits = "".join(ch for ch in ndc if ch.isdigit())
    if len(digits) != 11:
        raise ReferenceDataError(f"NDC {ndc!r} is not 11 digits in 5-4-2 form")
    return digits


def _whole_units(amount: Decimal, drug_code: str) -> int:
    if amount != amount.to_integral_value() or amount <= 0:
        raise ReferenceDataError(f"{drug_code}: vial size {amount} is not a whole number of billing units")
    return int(amount)


def _dose_range(row: dict[str, str]) -> tuple[float, float]:
    low, high = row.get("labeled_dose_per_kg_min", ""), row.get("labeled_dose_per_kg_max", "")
    if low and high:
        return float(low), float(high)
    fallback = catalog.DOSE_PER_KG_FALLBACK.get(row["hcpcs_code"])
    if fallback is None:
        raise ReferenceDataError(f"{row['hcpcs_code']}: no labeled dose per kg in the seed and no fallback")
    return fallback


def _drugs(rows: list[dict[str, str]], ndc_rows: list[dict[str, str]]) -> dict[str, Drug]:
    ndcs_by_code: dict[str, list[dict[str, str]]] = {}
    for row in ndc_rows:
        ndcs_by_code.setdefault(row["hcpcs_code"], []).append(row)
    drugs: dict[str, Drug] = {}
    for row in rows:
        code = row["hcpcs_code"]
        measure = row["billing_unit_measure"]
        unit_size = Decimal(row["billing_unit_size"])
        if unit_size <= 0:
            raise ReferenceDataError(f"{code}: billing_unit_size must be positive")
        vial_units = sorted(
            _whole_units(Decimal(size) / unit_size, code) for size in row["vial_sizes"].split("|") if size
        )
        by_vial: dict[int, str] = {}
        for ndc_row in ndcs_by_code.get(code, []):
            size = convert(Decimal(ndc_row["vial_size"]), ndc_row["vial_measure"] or measure, measure)
            by_vial.setdefault(_whole_units(size / unit_size, code), _digits(ndc_row["ndc"]))
        # A listed vial size with no NDC cannot be dispensed in a generated claim (2410 needs the
        # NDC); when none of the listed sizes has one, fall back to the sizes drug_ndcs knows.
        usable = tuple(v for v in vial_units if v in by_vial) or tuple(sorted(by_vial))
        if not usable:
            raise ReferenceDataError(f"{code}: no NDC in drug_ndcs matches a vial size")
        ndc_unit, ndc_factor = NDC_UNIT_BY_MEASURE.get(measure.lower(), ("UN", Decimal(1)))
        dose_min, dose_max = _dose_range(row)
        drugs[code] = Drug(
            hcpcs=code,
            product_name=row.get("product_name", ""),
            drug_class=row.get("drug_class", ""),
            unit_size=unit_size,
            measure=measure,
            line_cap=int(Decimal(row["per_line_unit_cap"] or "9999")),
            single_dose=_flag(row.get("is_single_dose_container", "true")),
            vial_units=usable,
            dose_min=dose_min,
            dose_max=dose_max,
            ndc_by_vial_units=by_vial,
            ndc_unit=ndc_unit,
            ndc_factor=ndc_factor,
        )
    return drugs


def _payers(rows: list[dict[str, str]]) -> dict[str, Payer]:
    return {
        row["payer_id"]: Payer(
            payer_id=row["payer_id"],
            name=row["payer_name"],
            payer_type=row["payer_type"],
            filing_837=row["claim_filing_indicator_837"],
            filing_835=row["claim_filing_indicator_835"],
            appeal_window_days=int(row["appeal_window_days"] or 0),
            timely_filing_days=int(row["timely_filing_days"] or 365),
        )
        for row in rows
    }


def _policies(rows: list[dict[str, str]]) -> dict[tuple[str, str], list[Policy]]:
    policies: dict[tuple[str, str], list[Policy]] = {}
    for row in rows:
        max_units = row.get("max_units_per_line", "")
        policy = Policy(
            effective_from=date.fromisoformat(row["effective_from"])
            if row.get("effective_from")
            else date.min,
            requires_prior_auth=_flag(row.get("requires_prior_auth", "")),
            max_units_per_line=int(Decimal(max_units)) if max_units else None,
            requires_jw_jz=_flag(row.get("requires_jw_jz", "")),
        )
        policies.setdefault((row["payer_id"], row["hcpcs_code"]), []).append(policy)
    for versions in policies.values():
        versions.sort(key=lambda policy: policy.effective_from)
    return policies


def _diagnoses(rows: list[dict[str, str]] | None, labeled: bool) -> dict[str, tuple[str, ...]]:
    if rows is None:
        return dict(catalog.LABELED_DIAGNOSES if labeled else catalog.OFF_LABEL_DIAGNOSES)
    found: dict[str, list[str]] = {}
    for row in rows:
        if _flag(row["is_labeled"]) == labeled:
            found.setdefault(row["hcpcs_code"], []).append(row["icd10_code"].replace(".", "").upper())
    return {code: tuple(dx) for code, dx in found.items()}


def load_reference(directory: Path | None = None) -> Reference:
    source = Path(directory) if directory is not None else default_reference_dir()
    rows = {name: _read(source / name) for name in SEED_FILES}
    present = [name for name in OPTIONAL_SEED_FILES if (source / name).exists()]
    optional = {name: _read(source / name) for name in present}
    fingerprints = {
        name: hashlib.sha256((source / name).read_bytes()).hexdigest() for name in (*SEED_FILES, *present)
    }
    diagnoses = optional.get("labeled_diagnoses.csv")
    return Reference(
        drugs=_drugs(rows["drug_reference.csv"], rows["drug_ndcs.csv"]),
        payers=_payers(rows["payers.csv"]),
        policies=_policies(rows["payer_policies.csv"]),
        source_dir=source,
        labeled=_diagnoses(diagnoses, labeled=True),
        off_label=_diagnoses(diagnoses, labeled=False),
        fingerprints=fingerprints,
    )
