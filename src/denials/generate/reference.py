"""Reference data the generator reads from the project's seeds: the one module that reads them.

Billing units, vial sizes, caps, labeled doses, labeled diagnoses and age limits, payer coverage lists,
measures and their conversions, payer filing codes, payer policies, and what Medicare pays for a drug come
from the same seed files dbt loads (`drug_reference`, `drug_ndcs`, `labeled_diagnoses`, `drug_labels`,
`payer_drug_coverage`, `measure_units`, `payers`, `payer_policies`, `drug_asp_prices`,
`drug_payment_rules`), so the planted truth and the warehouse's rules can never disagree about what one
unit of a drug is, which diagnosis, age and payer a drug is labeled or covered for, or what a Medicare
drug line should pay. Labels are allow-lists: a diagnosis another drug is labeled for and this one is not
is off-label here.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from denials.generate import catalog
from denials.generate.drug_payment import ContractRate, DrugPayment, PaymentRule
from denials.paths import SEEDS_DIR

SEED_FILES = (
    "drug_reference.csv",
    "drug_ndcs.csv",
    "labeled_diagnoses.csv",
    "drug_labels.csv",
    "payer_drug_coverage.csv",
    "measure_units.csv",
    "payers.csv",
    "payer_policies.csv",
)

# The per-type defaults the warehouse applies to a payer no seed lists; optional, so a reference directory
# without them simply plants no unseeded payer.
TYPE_DEFAULT_FILES = ("payer_type_defaults.csv", "payer_type_policy_defaults.csv")
# The quarterly ASP payment limits and the payment rules (ASP multiplier, deductible, coinsurance,
# sequestration, shortfall tolerance) the warehouse's mart_drug_underpayments expects; optional, so a
# reference directory without them prices every payer on a share of the charge.
PAYMENT_FILES = ("drug_asp_prices.csv", "drug_payment_rules.csv")
# The user's contracted drug rates (the demo's seed holds its header only); optional too.
CONTRACT_FILE = "payer_drug_contract_rates.csv"


class ReferenceDataError(ValueError):
    """A seed file is missing, or a row cannot drive unit arithmetic."""


def default_reference_dir() -> Path:
    return SEEDS_DIR


@dataclass(frozen=True, slots=True)
class Measure:
    name: str  # as the seed spells it (mcg, mg, IU)
    dimension: str  # mass | activity: only measures of one dimension convert
    base_unit_factor: Decimal  # how many of the dimension's smallest unit one of this measure holds
    x12_unit_code: str  # 837 CTP05-1 code for a quantity in this measure ('' when X12 has none)


@dataclass(frozen=True, slots=True)
class Measures:
    """The measure_units seed: measures by lower-case name."""

    by_name: dict[str, Measure]

    def get(self, name: str) -> Measure:
        measure = self.by_name.get(name.lower())
        if measure is None:
            raise ReferenceDataError(f"measure {name!r} is not in measure_units.csv")
        return measure

    def convert(self, amount: Decimal, from_measure: str, to_measure: str) -> Decimal:
        source, target = self.get(from_measure), self.get(to_measure)
        if source.dimension != target.dimension:
            raise ReferenceDataError(f"cannot convert {from_measure} to {to_measure}")
        return amount * source.base_unit_factor / target.base_unit_factor


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
    measures: Measures

    def amount(self, units: int) -> Decimal:
        """The drug amount, in `measure`, that `units` billing units stand for."""
        return self.unit_size * units

    def amount_in(self, units: int, measure: str) -> Decimal:
        """The drug amount `units` billing units stand for, in another measure of the same dimension."""
        return self.measures.convert(self.amount(units), self.measure, measure)

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
    measures: Measures
    # ICD-10-CM codes without the dot (as X12 HI carries them), per HCPCS code.
    labeled: dict[str, tuple[str, ...]] = field(default_factory=dict)
    off_label: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # HCPCS -> (youngest, oldest) labeled age in whole years; None where the label sets no limit.
    age_limits: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    # (payer_id or "type:" + payer type, HCPCS) -> the covered diagnoses without the dot.
    coverage: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    payment: DrugPayment = field(default_factory=DrugPayment)
    fingerprints: dict[str, str] = field(default_factory=dict)

    def covered(self, payer: Payer, hcpcs: str) -> tuple[str, ...] | None:
        """The payer's coverage list for a drug (its own, else its type's); None when it has none."""
        own = self.coverage.get((payer.payer_id, hcpcs))
        return own if own is not None else self.coverage.get((f"type:{payer.payer_type}", hcpcs))

    def allows(self, payer: Payer, hcpcs: str, diagnosis: str, age: int) -> bool:
        """Is the drug on-label and covered for this diagnosis, payer and age?"""
        youngest, oldest = self.age_limits.get(hcpcs, (None, None))
        covered = self.covered(payer, hcpcs)
        return (
            diagnosis in self.labeled.get(hcpcs, ())
            and (covered is None or diagnosis in covered)
            and (youngest is None or age >= youngest)
            and (oldest is None or age <= oldest)
        )

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
    if not (low and high):
        raise ReferenceDataError(f"drug_reference.csv: {row['hcpcs_code']} has no labeled dose per kg")
    return float(low), float(high)


def _measures(rows: list[dict[str, str]]) -> Measures:
    return Measures({
        row["measure"].lower(): Measure(
            name=row["measure"],
            dimension=row["dimension"],
            base_unit_factor=Decimal(row["base_unit_factor"]),
            x12_unit_code=row.get("x12_unit_code", ""),
        )
        for row in rows
    })


def _ndc_unit(measure: str, measures: Measures) -> tuple[str, Decimal]:
    """CTP05-1 code and the factor from the billing measure to it (catalog.NDC_QUANTITY_MEASURE)."""
    dimension = measures.get(measure).dimension
    ndc_measure = catalog.NDC_QUANTITY_MEASURE.get(dimension)
    if ndc_measure is None or not measures.get(ndc_measure).x12_unit_code:
        raise ReferenceDataError(f"measure_units.csv: no CTP05-1 unit code for a {dimension} quantity")
    return measures.get(ndc_measure).x12_unit_code, measures.convert(Decimal(1), measure, ndc_measure)


def _drugs(rows: list[dict[str, str]], ndc_rows: list[dict[str, str]], measures: Measures) -> dict[str, Drug]:
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
            vial_measure = ndc_row["vial_measure"] or measure
            size = measures.convert(Decimal(ndc_row["vial_size"]), vial_measure, measure)
            by_vial.setdefault(_whole_units(size / unit_size, code), _digits(ndc_row["ndc"]))
        # A listed vial size with no NDC cannot be dispensed in a generated claim (2410 needs the
        # NDC); when none of the listed sizes has one, fall back to the sizes drug_ndcs knows.
        usable = tuple(v for v in vial_units if v in by_vial) or tuple(sorted(by_vial))
        if not usable:
            raise ReferenceDataError(f"{code}: no NDC in drug_ndcs matches a vial size")
        ndc_unit, ndc_factor = _ndc_unit(measure, measures)
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
            measures=measures,
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


def _dx(code: str) -> str:
    return code.replace(".", "").upper()


def _labeled(rows: list[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["hcpcs_code"], []).append(_dx(row["icd10_code"]))
    return {code: tuple(dx) for code, dx in found.items()}


def _off_label(labeled: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Per drug, the diagnoses other drugs are labeled for and it is not (the allow-list's complement)."""
    anywhere = sorted({dx for codes in labeled.values() for dx in codes})
    found = {code: tuple(dx for dx in anywhere if dx not in own) for code, own in labeled.items()}
    return {code: dx for code, dx in found.items() if dx}


def _age(value: str) -> int | None:
    return int(value) if value.strip() else None


def _coverage(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    found: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        scope = row["payer_id"] or f"type:{row['payer_type']}"
        found.setdefault((scope, row["hcpcs_code"]), []).append(_dx(row["icd10_code"]))
    return {key: tuple(dx) for key, dx in found.items()}


def _add_unseeded_payers(
    source: Path, payers: dict[str, Payer], policies: dict[tuple[str, str], list[Policy]]
) -> None:
    """The catalog's unseeded payers, with their type's appeal window, filing limit and drug policies."""
    if not all((source / name).is_file() for name in TYPE_DEFAULT_FILES):
        return
    windows = {row["payer_type"]: row for row in _read(source / TYPE_DEFAULT_FILES[0])}
    by_type = _policies(
        [{**row, "payer_id": row["payer_type"]} for row in _read(source / TYPE_DEFAULT_FILES[1])]
    )
    for payer_id, name, payer_type, filing_837, filing_835 in catalog.UNSEEDED_PAYERS:
        if payer_id in payers or payer_type not in windows:
            continue
        window = windows[payer_type]
        payers[payer_id] = Payer(
            payer_id=payer_id,
            name=name,
            payer_type=payer_type,
            filing_837=filing_837,
            filing_835=filing_835,
            appeal_window_days=int(window["appeal_window_days"]),
            timely_filing_days=int(window["timely_filing_days"]),
        )
        for (scope, hcpcs), versions in by_type.items():
            if scope == payer_type:
                policies[(payer_id, hcpcs)] = list(versions)


def _optional_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _contracts(source: Path) -> dict[tuple[str, str], tuple[ContractRate, ...]]:
    if not (source / CONTRACT_FILE).is_file():
        return {}
    found: dict[tuple[str, str], list[ContractRate]] = {}
    for row in _read(source / CONTRACT_FILE):
        found.setdefault((row["payer_id"], row["hcpcs_code"]), []).append(
            ContractRate(
                Decimal(row["allowed_per_unit"]),
                date.fromisoformat(row["effective_from"]),
                _optional_date(row["effective_to"]),
            )
        )
    return {key: tuple(rates) for key, rates in found.items()}


def _drug_payment(source: Path) -> DrugPayment:
    """The ASP prices and payment rules, when the reference directory has both files, and any contracts."""
    if not all((source / name).is_file() for name in PAYMENT_FILES):
        return DrugPayment()
    prices, rules = (_read(source / name) for name in PAYMENT_FILES)
    try:
        return DrugPayment(
            contracts=_contracts(source),
            asp_limits={
                (row["hcpcs_code"], date.fromisoformat(row["quarter_start_date"])): Decimal(
                    row["payment_limit_per_unit"]
                )
                for row in prices
            },
            rules=tuple(
                PaymentRule(
                    name=row["rule_name"],
                    payer_type=row["payer_type"],
                    rate=Decimal(row["rate"]) if row["rate"] else None,
                    carc=row["carc_code"],
                    effective_from=date.fromisoformat(row["effective_from"]),
                    effective_to=_optional_date(row["effective_to"]),
                )
                for row in rules
            ),
        )
    except (KeyError, ValueError, ArithmeticError) as error:
        raise ReferenceDataError(
            f"{', '.join((*PAYMENT_FILES, CONTRACT_FILE))}: a price, rule or contract rate cannot be read "
            f"({type(error).__name__})"
        ) from None


def load_reference(directory: Path | None = None) -> Reference:
    source = Path(directory) if directory is not None else default_reference_dir()
    rows = {name: _read(source / name) for name in SEED_FILES}
    fingerprints = {
        name: hashlib.sha256((source / name).read_bytes()).hexdigest()
        for name in (*SEED_FILES, *PAYMENT_FILES, CONTRACT_FILE)
        if (source / name).is_file()
    }
    measures = _measures(rows["measure_units.csv"])
    labeled = _labeled(rows["labeled_diagnoses.csv"])
    payers = _payers(rows["payers.csv"])
    policies = _policies(rows["payer_policies.csv"])
    _add_unseeded_payers(source, payers, policies)
    return Reference(
        drugs=_drugs(rows["drug_reference.csv"], rows["drug_ndcs.csv"], measures),
        payers=payers,
        policies=policies,
        source_dir=source,
        labeled=labeled,
        off_label=_off_label(labeled),
        age_limits={
            row["hcpcs_code"]: (_age(row["labeled_min_age_years"]), _age(row["labeled_max_age_years"]))
            for row in rows["drug_labels.csv"]
        },
        coverage=_coverage(rows["payer_drug_coverage.csv"]),
        payment=_drug_payment(source),
        measures=measures,
        fingerprints=fingerprints,
    )
