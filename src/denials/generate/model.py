"""The in-memory shape of one generated claim: patient, doses, lines, adjudication, truth.

One object per claim and per line, never per segment: the writers turn these straight into
segment strings, and a claim is dropped as soon as its text and truth rows are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from denials.generate.catalog import Provider
from denials.generate.reference import Drug, Payer

# (group code, CARC, amount in cents, adjusted units or None)
Adjustment = tuple[str, str, int, "int | None"]


@dataclass(frozen=True, slots=True)
class Patient:
    member_id: str
    last_name: str
    first_name: str
    birth_date: str  # CCYYMMDD
    sex: str
    street: str
    city: str
    state: str
    zip5: str
    weight_kg: float
    condition: str  # ICD-10-CM without the dot
    payer_id: str
    group_number: str


@dataclass(frozen=True, slots=True)
class Denial:
    """What the payer will do to a line (or, with claim_level, to the whole claim), and why."""

    group: str
    carc: str
    rarc: str
    category: str
    root_cause: str = ""
    units: int | None = None  # units denied when fewer than the line's (a partial denial)
    claim_level: bool = False


@dataclass(slots=True)
class Dose:
    """One administration event: what the admin CSV records, independent of how it was billed."""

    drug: Drug
    ndc: str
    administered_units: int  # in billing units of `drug`
    wasted_units: int
    weight_kg: float
    administered_at: str  # ISO 8601
    service_date: date
    administration_id: str = ""
    line: Line | None = None  # the line that billed the administered amount


@dataclass(slots=True)
class Line:
    code: str
    modifiers: tuple[str, ...]
    units: int
    unit_price: int  # cents per billed unit
    service_date: date
    pointers: str = "1"
    revenue_code: str = ""
    ndc: str = ""
    ndc_quantity: str = ""
    ndc_unit: str = ""
    dose: Dose | None = None
    control_number: str = ""
    denial: Denial | None = None
    # Truth about a problem planted on a claim the payer never answers.
    prebill_rule: str = ""
    root_cause: str = ""
    # The underpaid scenario: how the payer is to price the line short (drug_payment.UNDERPAYMENT_CAUSES),
    # and, once adjudicated, the cause it was priced short by and the cents it falls short of the ASP
    # basis ("" and 0 when the shortfall would not exceed the warehouse's tolerance: paid in full instead).
    underpayment: str = ""
    shortfall: int = 0
    # Adjudication, filled by adjudicate.py.
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    allowed: int = 0
    paid: int = 0
    units_paid: int = 0
    # The primary payer's adjudication of this line on a secondary claim (837 loop 2430).
    prior_paid: int = 0
    prior_adjustments: list[Adjustment] = field(default_factory=list)

    @property
    def charge(self) -> int:
        return self.units * self.unit_price


@dataclass(slots=True)
class PriorPayer:
    """The payer that adjudicated a secondary claim first (837 loop 2320/2330B)."""

    payer: Payer
    member_id: str
    paid_date: date


@dataclass(slots=True)
class Claim:
    claim_id: str  # CLM01 / CLP01
    submission_id: str  # unique per 837 claim; prefix of its line control numbers
    kind: str  # P or I
    payer: Payer
    patient: Patient
    provider: Provider
    scenario: str
    service_date: date
    claim_date: date
    diagnoses: list[str]
    lines: list[Line]
    doses: list[Dose] = field(default_factory=list)
    frequency: str = "1"
    prior_auth: str = ""
    note: str = ""
    remit: str = "normal"  # normal | none | overturn | reprocess_same_icn | reprocess_new_icn
    prior: PriorPayer | None = None
    claim_denial: Denial | None = None
    # What the site sends: the 2410 LIN/CTP of drug lines, and the PAT weight in pounds ('' = no PAT).
    send_ndc: bool = True
    weight_lb: str = ""
    # Adjudication, filled by adjudicate.py.
    status: str = "1"
    claim_adjustments: list[Adjustment] = field(default_factory=list)
    claim_remarks: list[str] = field(default_factory=list)
    payer_claim_number: str = ""
    # For an overturn or a reprocessing: the denial the first remittance carried, kept for the truth row.
    original_denials: dict[int, Denial] = field(default_factory=dict)

    @property
    def charge(self) -> int:
        return sum(line.charge for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def remit_paid(self) -> int:
        """CLP04: what the lines pay less any claim-level adjustment (all of the charge on a claim-level
        denial, whose lines pay nothing)."""
        if self.claim_denial is not None:
            return 0
        return self.paid - sum(amount for _, _, amount, _ in self.claim_adjustments)

    @property
    def patient_responsibility(self) -> int:
        total = 0
        for line in self.lines:
            for group, _, amount, _ in line.adjustments:
                if group == "PR":
                    total += amount
        for group, _, amount, _ in self.claim_adjustments:
            if group == "PR":
                total += amount
        return total
