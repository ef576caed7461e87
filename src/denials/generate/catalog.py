"""Synthetic assumptions the seeds do not carry: charges, conditions, providers, payer pricing.

These numbers shape how realistic the data looks, never what a unit means or which diagnosis a drug is
labeled for: billing units, vials, caps, measures and labeled diagnoses always come from the seeds
(reference.py). Prices are stated per unit of a drug's *measure* (per mcg, per IU, per mg) and converted
through the seed's billing_unit_size, so a seed that changes a code's billing unit changes the billed
units, not the dollars per dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Charge per one unit of the drug's billing measure, in cents. Factor VIIa charges run about
# $2-3 per mcg, so one 7,200 mcg dose is a five-figure line; FEIBA and Afstyla a few dollars per IU;
# Hemlibra about $150 per mg.
DRUG_CHARGE_PER_MEASURE: dict[str, Decimal] = {
    "J7189": Decimal("265"),
    "J7212": Decimal("238"),
    "J7210": Decimal("245"),
    "J7170": Decimal("15200"),
    "J7198": Decimal("285"),
}
# A drug added to the seeds without a price above still gets a plausible one from its measure.
CHARGE_PER_MEASURE_FALLBACK: dict[str, Decimal] = {
    "mcg": Decimal("250"),
    "iu": Decimal("250"),
    "mg": Decimal("12000"),
}

# Charge per service, in cents.
SERVICE_CHARGES: dict[str, int] = {
    "99213": 16500,
    "99214": 24500,
    "96365": 38500,
    "96366": 11500,
    "96413": 54000,
    "96372": 6800,
}
# Facility revenue codes for 837I lines (drugs needing detailed coding go on 0636).
REVENUE_CODES: dict[str, str] = {
    "99213": "0510",
    "99214": "0510",
    "96365": "0260",
    "96366": "0260",
    "96413": "0335",
    "96372": "0260",
}
DRUG_REVENUE_CODE = "0636"

# The measure 837 CTP05-1 NDC quantities are stated in, per dimension of the drug's billing measure:
# mass as milligrams (ME), activity as international units (F2). The codes and factors are the
# measure_units seed's.
NDC_QUANTITY_MEASURE: dict[str, str] = {"mass": "mg", "activity": "IU"}

# Patient conditions and how common they are among the generated patients.
CONDITIONS: tuple[tuple[str, int], ...] = (
    ("D66", 55),
    ("D67", 20),
    ("D68311", 8),
    ("D682", 8),
    ("D68318", 5),
    ("D691", 4),
)
# Secondary diagnoses: the bleed being treated.
BLEED_DIAGNOSES: tuple[str, ...] = ("R58", "M25061", "M25062", "M25051", "K922", "R040")

# Subcutaneous products are given by injection, not infusion.
SUBCUTANEOUS_CLASSES = frozenset({"bispecific_antibody"})


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    npi: str
    ein: str
    kind: str  # P (837P) or I (837I)
    place: str  # 837P place of service, or 837I facility type code
    street: str
    city: str
    state: str
    zip9: str
    physician_last: str  # attending (837I) / rendering physician
    physician_first: str
    physician_npi: str
    # Some practices export no administration records (no EHR feed): their drug lines have none to match.
    sends_administrations: bool = True


def _npi(base9: str) -> str:
    """Append the NPI Luhn check digit (computed over the 80840 prefix)."""
    digits = [int(ch) for ch in "80840" + base9]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return base9 + str((10 - total % 10) % 10)


# Payers no seed lists (not in payers.csv, payer_aliases.csv or payer_policies.csv), as a real feed has:
# (payer id, name, payer type, 837 SBR09, 835 CLP06). The warehouse must type them from the filing
# indicator and run them on its per-type default policies, which is how the generator adjudicates them.
UNSEEDED_PAYERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("HRTLD", "Heartland Health Cooperative", "commercial", "CI", "12"),
    ("PRMCR", "Prairie Medicare Choice", "medicare_advantage", "16", "16"),
)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "HEMOPHILIA TREATMENT CENTER CLINIC",
        _npi("123456789"),
        "561234567",
        "P",
        "11",
        "100 CLINIC WAY",
        "COLUMBUS",
        "OH",
        "432151234",
        "REYES",
        "MARIA",
        _npi("123456790"),
    ),
    Provider(
        "VALLEY HEMATOLOGY ASSOCIATES",
        _npi("198765432"),
        "562345678",
        "P",
        "11",
        "2200 VALLEY RD",
        "PHOENIX",
        "AZ",
        "850041122",
        "SINGH",
        "ARJUN",
        _npi("198765433"),
    ),
    Provider(
        "COASTAL HOME INFUSION PHARMACY",
        _npi("145678901"),
        "563456789",
        "P",
        "12",
        "45 HARBOR ST",
        "SAVANNAH",
        "GA",
        "314013344",
        "OWENS",
        "LAURA",
        _npi("145678902"),
    ),
    Provider(
        "METRO PEDIATRIC HEMATOLOGY",
        _npi("176543210"),
        "564567890",
        "P",
        "11",
        "9 CHILDRENS PLZ",
        "DENVER",
        "CO",
        "802185566",
        "PARK",
        "DANIEL",
        _npi("176543211"),
    ),
    Provider(
        "SUMMIT SPECIALTY INFUSION",
        _npi("132109876"),
        "565678901",
        "P",
        "11",
        "700 SUMMIT AVE",
        "SAINT PAUL",
        "MN",
        "551027788",
        "BERG",
        "SARAH",
        _npi("132109877"),
    ),
    Provider(
        "RIVERSIDE HEMATOLOGY GROUP",
        _npi("187654321"),
        "566789012",
        "P",
        "22",
        "12 RIVERSIDE DR",
        "RICHMOND",
        "VA",
        "232199900",
        "COLE",
        "JAMES",
        _npi("187654322"),
        False,
    ),
    Provider(
        "SAINT MARY REGIONAL HOSPITAL",
        _npi("154321098"),
        "567890123",
        "I",
        "13",
        "1 HOSPITAL DR",
        "DAYTON",
        "OH",
        "454091010",
        "FORD",
        "ELLEN",
        _npi("154321099"),
    ),
    Provider(
        "UNIVERSITY MEDICAL CENTER",
        _npi("165432109"),
        "568901234",
        "I",
        "13",
        "500 UNIVERSITY BLVD",
        "MADISON",
        "WI",
        "537922020",
        "HALE",
        "ROBERT",
        _npi("165432110"),
    ),
)


@dataclass(frozen=True, slots=True)
class PayerPricing:
    # Drug lines of a payer type with an ASP rule (Medicare Part B) or of a payer with a contract rate are
    # priced from the seeds instead (drug_payment.py); this range prices the others.
    drug_allowed_bp: tuple[int, int]  # allowed as basis points of charge, range
    service_allowed_bp: tuple[int, int]
    coinsurance_bp: tuple[int, ...]  # choices, applied to allowed on drug/administration lines
    visit_copay_cents: tuple[int, int]  # range, office-visit lines; (0, 0) = none
    deductible_chance: float
    deductible_max_cents: int
    turnaround_days: tuple[int, int]


PAYER_PRICING: dict[str, PayerPricing] = {
    "medicare": PayerPricing((5200, 6000), (4000, 5000), (2000,), (0, 0), 0.04, 25700, (14, 24)),
    "medicare_advantage": PayerPricing(
        (5500, 6500), (4500, 5500), (2000,), (2000, 4500), 0.02, 50000, (15, 35)
    ),
    "medicaid": PayerPricing((4500, 5500), (3500, 4500), (0,), (0, 300), 0.0, 0, (20, 45)),
    "commercial": PayerPricing(
        (6500, 8500), (6000, 8000), (1000, 2000, 3000), (2500, 5000), 0.06, 150000, (10, 30)
    ),
}
DEFAULT_PRICING = PAYER_PRICING["commercial"]

# Synthetic patient names (never real people).
LAST_NAMES: tuple[str, ...] = (
    "ALVAREZ",
    "BAKER",
    "CHEN",
    "DAVIS",
    "EVANS",
    "FOSTER",
    "GARCIA",
    "HUGHES",
    "IBRAHIM",
    "JOHNSON",
    "KIM",
    "LOPEZ",
    "MARTIN",
    "NGUYEN",
    "OKAFOR",
    "PATEL",
    "QUINN",
    "REYES",
    "SMITH",
    "TAYLOR",
    "UDALL",
    "VARGAS",
    "WALKER",
    "XU",
    "YOUNG",
    "ZIMMER",
    "BROOKS",
    "COLLINS",
    "DIAZ",
    "ELLIS",
)
FIRST_NAMES: tuple[str, ...] = (
    "AARON",
    "BEN",
    "CARLOS",
    "DAVID",
    "ETHAN",
    "FRANK",
    "GABRIEL",
    "HENRY",
    "ISAAC",
    "JAMES",
    "KEVIN",
    "LUIS",
    "MARCUS",
    "NOAH",
    "OMAR",
    "PAUL",
    "RYAN",
    "SAMUEL",
    "THOMAS",
    "VICTOR",
    "WILLIAM",
    "ANNA",
    "BEATRIZ",
    "CLAIRE",
    "DIANA",
    "ELENA",
    "GRACE",
    "HANNAH",
    "IRIS",
    "JULIA",
)
STREETS: tuple[str, ...] = ("MAPLE ST", "OAK AVE", "PINE RD", "CEDAR LN", "ELM ST", "BIRCH DR", "LAKE RD")
CITIES: tuple[tuple[str, str, str], ...] = (
    ("COLUMBUS", "OH", "43215"),
    ("PHOENIX", "AZ", "85004"),
    ("SAVANNAH", "GA", "31401"),
    ("DENVER", "CO", "80218"),
    ("SAINT PAUL", "MN", "55102"),
    ("RICHMOND", "VA", "23219"),
    ("DAYTON", "OH", "45409"),
    ("MADISON", "WI", "53792"),
)
