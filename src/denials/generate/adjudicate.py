"""The payer's side: turn a claim plus its planted denials into balanced adjustments.

Every line ends with `charge - sum(adjustments) == paid`, so the 835 writer can print what is here
and the line, claim and transaction balancing rules hold by construction.
"""

from __future__ import annotations

import random

from denials.generate import catalog, noise
from denials.generate.amounts import percent_of
from denials.generate.model import Adjustment, Claim, Line

_UNIT_CATEGORY = "unit_error"


def _line_denial_adjustment(line: Line, units: int) -> Adjustment:
    denial = line.denial
    assert denial is not None
    # Adjusted units (CAS04) matter for unit denials; other denials leave the quantity out.
    quantity = units if denial.category == _UNIT_CATEGORY or denial.units is not None else None
    return (denial.group, denial.carc, units * line.unit_price, quantity)


def adjudicate(claim: Claim, rng: random.Random) -> None:
    """Fill adjustments, remarks, allowed and paid on every line, and the claim status."""
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
        allowed = percent_of(payable, drug_bp if is_drug else service_bp)
        if allowed < payable:
            adjustments.append(("CO", "45", payable - allowed, None))
        left = allowed
        if deductible and left:
            taken = min(deductible, left)
            adjustments.append(("PR", "1", taken, None))
            deductible -= taken
            left -= taken
        if copay and line.code.startswith("99") and left:
            taken = min(copay, left)
            adjustments.append(("PR", "3", taken, None))
            left -= taken
        elif coinsurance_bp and left and not line.code.startswith("99"):
            taken = percent_of(left, coinsurance_bp)
            if taken:
                adjustments.append(("PR", "2", taken, None))
                left -= taken
        sequestered = noise.sequestration(claim.payer.payer_type, left)
        if sequestered is not None:
            adjustments.append(sequestered)
            left -= sequestered[2]
        line.adjustments, line.allowed, line.paid, line.units_paid = adjustments, allowed, left, payable_units

    if all(line.denial is not None and line.paid == 0 for line in claim.lines):
        claim.status = "4"
    else:
        claim.status = "2" if claim.prior is not None else "1"
    noise.add_alerts(claim, rng)
    noise.claim_deductible(claim, rng)


def adjudicate_prior(claim: Claim, rng: random.Random) -> None:
    """What the primary payer paid on each line of a claim now sent to the secondary payer.

    It becomes the 837's 2320/2430 loops and drives the secondary's OA-23; the primary pays its
    allowed amount less 20% coinsurance, which is the part left for the secondary to consider.
    """
    assert claim.prior is not None
    pricing = catalog.PAYER_PRICING.get(claim.prior.payer.payer_type, catalog.DEFAULT_PRICING)
    drug_bp = rng.randint(*pricing.drug_allowed_bp)
    service_bp = rng.randint(*pricing.service_allowed_bp)
    for line in claim.lines:
        allowed = percent_of(line.charge, drug_bp if line.ndc else service_bp)
        coinsurance = percent_of(allowed, 2000)
        line.prior_paid = allowed - coinsurance
        line.prior_adjustments = [
            adjustment
            for adjustment in (("CO", "45", line.charge - allowed, None), ("PR", "2", coinsurance, None))
            if adjustment[2]
        ]
