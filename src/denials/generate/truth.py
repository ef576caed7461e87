"""Planted truth and administration records, one CSV line per 837 service line / dose.

Truth says what the warehouse should conclude about each billed line, so tests of the marts can
compare against it row by row:

- `outcome` is the line's fate in its final remittance: paid, denied, partially_denied,
  reversed_then_corrected (denied first, then reversed and paid), reprocessed_then_paid (denied first,
  then re-adjudicated and paid in a later remit with no reversal, same or new CLP07), or not_remitted.
- denial columns name the planted denial; for reversed_then_corrected and reprocessed_then_paid they
  name the *initial* denial that was overturned, while `denied_amount` (final remit) is 0.
- `is_claim_level_denial` is true when the denial CAS sits at claim level (no SVC loops), and the
  claim-level amount is attributed to lines in proportion to charge.
- `expected_prebill_rule` is set only on unremitted lines carrying a planted problem.
- `underpayment_cause` and `underpaid_amount` are set only on lines of the `underpaid` scenario paid short
  of the Medicare ASP basis: how they were priced short (drug_payment.UNDERPAYMENT_CAUSES) and the dollars
  the payment falls short of the expected payment, (payment limit x paid units - deductible) x (1 -
  coinsurance) x (1 - sequestration), rounded to the cent. These are the lines mart_drug_underpayments
  must flag, with that shortfall; every other line it must leave alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from denials.contracts import ADMINISTRATION_COLUMNS
from denials.generate.amounts import allocate, money
from denials.generate.encounters import plain
from denials.generate.model import Claim, Denial

TRUTH_COLUMNS = (
    "claim_control_number",
    "line_control_number",
    "payer_id",
    "hcpcs_code",
    "scenario",
    "outcome",
    "denial_category",
    "group_code",
    "carc_code",
    "rarc_code",
    "unit_root_cause",
    "billed_amount",
    "paid_amount",
    "denied_amount",
    "is_claim_level_denial",
    "expected_prebill_rule",
    "underpayment_cause",
    "underpaid_amount",
)

TRUTH_HEADER = ",".join(TRUTH_COLUMNS) + "\n"
ADMINISTRATION_HEADER = ",".join(ADMINISTRATION_COLUMNS) + "\n"


@dataclass(slots=True)
class Tally:
    """Counts the manifest reports; built from the same rows the truth file gets."""

    scenario_claims: Counter[str] = field(default_factory=Counter)
    scenario_lines: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    segments: Counter[str] = field(default_factory=Counter)
    administrations: int = 0

    def merge(self, other: Tally) -> None:
        self.scenario_claims.update(other.scenario_claims)
        self.scenario_lines.update(other.scenario_lines)
        self.outcomes.update(other.outcomes)
        self.categories.update(other.categories)
        self.segments.update(other.segments)
        self.administrations += other.administrations


def _denied_on_line(adjustments: list[tuple[str, str, int, int | None]], denial: Denial) -> int:
    return sum(
        amount for group, reason, amount, _ in adjustments if group == denial.group and reason == denial.carc
    )


def truth_rows(claim: Claim, tally: Tally) -> Iterator[str]:
    tally.scenario_claims[claim.scenario] += 1
    tally.scenario_lines[claim.scenario] += len(claim.lines)
    claim_level = claim.claim_denial
    shares = (
        allocate(claim.claim_adjustments[0][2], [line.charge for line in claim.lines]) if claim_level else []
    )
    for index, line in enumerate(claim.lines):
        denial: Denial | None = None
        denied = paid = 0
        rule = root = cause = shortfall = ""
        if claim.remit == "none":
            outcome, rule, root = "not_remitted", line.prebill_rule, line.root_cause
        elif claim.remit == "overturn":
            outcome, paid = "reversed_then_corrected", line.paid
            denial = claim.original_denials.get(index)
        elif claim.remit.startswith("reprocess"):
            outcome, paid = "reprocessed_then_paid", line.paid
            denial = claim.original_denials.get(index)
        elif claim_level is not None:
            outcome, denial, denied = "denied", claim_level, shares[index]
        else:
            denial, paid = line.denial, line.paid
            if denial is None:
                outcome = "paid"
                if line.shortfall:
                    cause, shortfall = line.underpayment, money(line.shortfall)
            else:
                denied = _denied_on_line(line.adjustments, denial)
                outcome = "denied" if paid == 0 else "partially_denied"
        tally.outcomes[outcome] += 1
        if denial is not None:
            tally.categories[denial.category] += 1
            root = denial.root_cause
        yield (
            f"{claim.claim_id},{line.control_number},{claim.payer.payer_id},{line.code},{claim.scenario},"
            f"{outcome},{denial.category if denial else ''},{denial.group if denial else ''},"
            f"{denial.carc if denial else ''},{denial.rarc if denial else ''},{root},"
            f"{money(line.charge)},{money(paid)},{money(denied)},"
            f"{'true' if claim_level is not None and claim.remit == 'normal' else 'false'},{rule},"
            f"{cause},{shortfall}\n"
        )


def administration_rows(claim: Claim, tally: Tally) -> Iterator[str]:
    if not claim.provider.sends_administrations:
        return
    for dose in claim.doses:
        tally.administrations += 1
        drug = dose.drug
        line = dose.line
        yield (
            f"{dose.administration_id},{claim.claim_id},{line.control_number if line else ''},{drug.hcpcs},"
            f"{dose.ndc},{plain(drug.amount(dose.administered_units))},{drug.measure},"
            f"{plain(drug.amount(dose.wasted_units))},{dose.weight_kg:.1f},{dose.administered_at}\n"
        )
