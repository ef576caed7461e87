"""The payer's side: turn a claim plus its planted denials into balanced adjustments.

Every line ends with `charge - sum(adjustments) == paid`, so the 835 writer can print what is here
and the line, claim and transaction balancing rules hold by construction.

Pricing: a drug line of a payer type with an ASP rule in the seeds (Medicare Part B) is allowed the
service quarter's ASP payment limit x its payable units (drug_payment.py, seeds drug_asp_prices and
drug_payment_rules, never more than the charge), then the deductible (PR-1), the seed's coinsurance (PR-2)
and the seed's sequestration (CO-253) come off in that order. A payer's drug line with a row in the user's
payer_drug_contract_rates (none in the demo) is allowed the contracted rate x its payable units, less the
patient's share its pricing sets. Every other line (Medicare's services, Medicare Advantage, Medicaid,
commercial, a drug in a quarter the ASP seed has no price for) is allowed a random share of its charge
(catalog.PAYER_PRICING). An `underpaid` line is priced short of its basis
(drug_payment.short_allowed) when that leaves it paid and short by more than the warehouse's tolerance;
else it is paid in full.
"""

from __future__ import annotations

import random

from denials.generate import catalog, noise
from denials.generate.amounts import percent_of
from denials.generate.drug_payment import (
    DrugPayment,
    PaymentBasis,
    basis_points,
    dollars_to_cents,
    short_allowed,
)
from denials.generate.model import Adjustment, Claim, Line

_UNIT_CATEGORY = "unit_error"


def _line_denial_adjustment(line: Line, units: int) -> Adjustment:
    denial = line.denial
    assert denial is not None
    # Adjusted units (CAS04) matter for unit denials; other denials leave the quantity out.
    quantity = units if denial.category == _UNIT_CATEGORY or denial.units is not None else None
    return (denial.group, denial.carc, units * line.unit_price, quantity)


def _pay(
    line: Line, payable: int, allowed: int, deductible: int, copay: int, coinsurance_bp: int,
    payer_type: str, sequestration_bp: int | None,
) -> tuple[list[Adjustment], int, int]:
    """CO-45 down to the allowed amount, then deductible, copay or coinsurance, then sequestration:
    the line's adjustments, what it pays and how much of the deductible it took."""
    adjustments: list[Adjustment] = []
    if allowed < payable:
        adjustments.append(("CO", "45", payable - allowed, None))
    left = allowed
    taken_deductible = 0
    if deductible and left:
        taken_deductible = min(deductible, left)
        adjustments.append(("PR", "1", taken_deductible, None))
        left -= taken_deductible
    if copay and line.code.startswith("99") and left:
        taken = min(copay, left)
        adjustments.append(("PR", "3", taken, None))
        left -= taken
    elif coinsurance_bp and left and not line.code.startswith("99"):
        taken = percent_of(left, coinsurance_bp)
        if taken:
            adjustments.append(("PR", "2", taken, None))
            left -= taken
    sequestered = noise.sequestration(payer_type, left, sequestration_bp)
    if sequestered is not None:
        adjustments.append(sequestered)
        left -= sequestered[2]
    return adjustments, left, taken_deductible


def _short_allowed(
    line: Line, claim: Claim, basis: PaymentBasis, payment: DrugPayment, units: int, rng: random.Random
) -> int:
    """The allowed cents an underpaid line is priced at; the line keeps the cause that priced it."""
    cause, allowed = short_allowed(
        line.underpayment, basis, payment, claim.payer.payer_type, line.code, line.service_date, units, rng
    )
    line.underpayment = cause
    return allowed


def _patient_share(adjustments: list[Adjustment]) -> int:
    return sum(amount for group, _, amount, _ in adjustments if group == "PR")


def adjudicate(claim: Claim, rng: random.Random, payment: DrugPayment | None = None) -> None:
    """Fill adjustments, remarks, allowed and paid on every line, and the claim status.

    `payment` holds the seeds' ASP prices and payment rules (Reference.payment); without it every line
    is priced on a share of its charge.
    """
    payment = payment or DrugPayment()
    payer_type = claim.payer.payer_type
    pricing = catalog.PAYER_PRICING.get(claim.payer.payer_type, catalog.DEFAULT_PRICING)
    claim.claim_adjustments = []
    claim.claim_remarks = []
    noise.payer_initiated(claim, rng)
    if claim.claim_denial is not None:
        denial = claim.claim_denial
        for line in claim.lines:
            line.adjustments, line.remarks = [], []
            line.allowed = line.paid = line.units_paid = 0
        claim.claim_adjustments = [(denial.group, denial.carc, claim.charge, None)]
        claim.claim_remarks = [denial.rarc] if denial.rarc else []
        claim.status = "4"
        noise.add_alerts(claim, rng)
        return

    drug_bp = rng.randint(*pricing.drug_allowed_bp)
    service_bp = rng.randint(*pricing.service_allowed_bp)
    coinsurance_bp = rng.choice(pricing.coinsurance_bp)
    deductible = 0
    if pricing.deductible_max_cents and rng.random() < pricing.deductible_chance:
        deductible = rng.randint(20, pricing.deductible_max_cents // 100) * 100
    copay = rng.randint(*pricing.visit_copay_cents) // 100 * 100 if pricing.visit_copay_cents[1] else 0

    for line in claim.lines:
        adjustments: list[Adjustment] = []
        line.remarks = [line.denial.rarc] if line.denial is not None and line.denial.rarc else []
        payable_units = line.units
        if line.denial is not None:
            denied_units = line.units if line.denial.units is None else min(line.denial.units, line.units)
            adjustments.append(_line_denial_adjustment(line, denied_units))
            payable_units -= denied_units
        if payable_units == 0:
            line.adjustments, line.allowed, line.paid, line.units_paid = adjustments, 0, 0, 0
            continue
        payable = payable_units * line.unit_price
        is_drug = bool(line.ndc)
        if claim.prior is not None:
            # Secondary payer: the primary's payment comes off first (OA-23), then this payer covers
            # what the primary left to the patient, and the contract writes off the rest.
            prior_paid = min(line.prior_paid, payable)
            remaining = payable - prior_paid
            share = sum(amount for group, _, amount, _ in line.prior_adjustments if group == "PR")
            paid = min(remaining, share)
            adjustments.append(("OA", "23", prior_paid, None))
            if remaining - paid:
                adjustments.append(("CO", "45", remaining - paid, None))
            line.allowed, line.paid, line.units_paid = paid + prior_paid, paid, payable_units
            line.adjustments = [a for a in adjustments if a[2]]
            continue
        basis = None
        if is_drug:
            basis = payment.basis(claim.payer.payer_id, payer_type, line.code, line.service_date)
        sequestration = payment.rate("sequestration", payer_type, line.service_date)
        sequestration_bp = None if sequestration is None else basis_points(sequestration)
        line_coinsurance_bp = coinsurance_bp
        if basis is not None and basis.name == "medicare_asp":
            line_coinsurance_bp = basis_points(basis.coinsurance)
        elif basis is not None:
            sequestration_bp = 0  # a contract's payment is the contract's, less the plan's patient share
        allowed = (
            percent_of(payable, drug_bp if is_drug else service_bp)
            if basis is None
            else min(payable, basis.allowed(payable_units))
        )
        line.shortfall = 0
        if basis is not None and line.underpayment and claim.remit == "normal":
            short = min(allowed, _short_allowed(line, claim, basis, payment, payable_units, rng))
            priced, paid, taken = _pay(
                line, payable, short, deductible, copay, line_coinsurance_bp, payer_type, sequestration_bp
            )
            expected = basis.expected_paid(payable_units, taken, _patient_share(priced))
            shortfall = dollars_to_cents(expected) - paid
            if paid > 0 and shortfall > dollars_to_cents(payment.shortfall_tolerance):
                allowed, line.shortfall = short, shortfall
        if not line.shortfall:
            line.underpayment = ""
        priced, paid, taken = _pay(
            line, payable, allowed, deductible, copay, line_coinsurance_bp, payer_type, sequestration_bp
        )
        deductible -= taken
        adjustments.extend(priced)
        line.adjustments, line.allowed, line.paid, line.units_paid = adjustments, allowed, paid, payable_units

    if all(line.denial is not None and line.paid == 0 for line in claim.lines):
        claim.status = "4"
    else:
        claim.status = "2" if claim.prior is not None else "1"
    noise.add_alerts(claim, rng)
    noise.claim_deductible(claim, rng)


def adjudicate_prior(claim: Claim, rng: random.Random, payment: DrugPayment | None = None) -> None:
    """What the primary payer paid on each line of a claim now sent to the secondary payer.

    It becomes the 837's 2320/2430 loops and drives the secondary's OA-23; the primary pays its
    allowed amount (a Medicare primary's drug lines on the ASP basis, as adjudicate prices them) less its
    coinsurance (20% unless the seed's rule says otherwise), which is the part left for the secondary.
    """
    assert claim.prior is not None
    payment = payment or DrugPayment()
    payer_type = claim.prior.payer.payer_type
    pricing = catalog.PAYER_PRICING.get(payer_type, catalog.DEFAULT_PRICING)
    drug_bp = rng.randint(*pricing.drug_allowed_bp)
    service_bp = rng.randint(*pricing.service_allowed_bp)
    for line in claim.lines:
        prior_payer = claim.prior.payer.payer_id
        basis = payment.basis(prior_payer, payer_type, line.code, line.service_date) if line.ndc else None
        if basis is None:
            allowed, coinsurance_bp = percent_of(line.charge, drug_bp if line.ndc else service_bp), 2000
        else:
            allowed = min(line.charge, basis.allowed(line.units))
            coinsurance_bp = basis_points(basis.coinsurance) if basis.name == "medicare_asp" else 2000
        coinsurance = percent_of(allowed, coinsurance_bp)
        line.prior_paid = allowed - coinsurance
        line.prior_adjustments = [
            adjustment
            for adjustment in (("CO", "45", line.charge - allowed, None), ("PR", "2", coinsurance, None))
            if adjustment[2]
        ]
