"""What real remittances carry besides the planted denial, none of which changes a line's outcome.

- CO-253 sequestration: Medicare fee-for-service pays less than it allows after the deductible and
  coinsurance (the seed drug_payment_rules' rate on the service date, 2% by default), as a line-level CAS
  (DOMAIN.md section 3: a contractual reduction, never a denial).
- Alert remark codes (MA01/N1 appeal rights, M70 NDC translated) on paid and denied lines, after the
  denial's own RARC, so a line can carry several LQ segments; alerts never decide a category.
- MOA claim-level alerts (MA18/MA07 crossover notices on Medicare claims).
- A claim-level PR-1 deductible on a paid claim that also has line-level CAS.
- The PI group on some denials of payers other than Medicare (Medicare uses only CO, PR and OA): the
  category still comes from the CARC/RARC, never from the group.
"""

from __future__ import annotations

import random
from dataclasses import replace

from denials.generate.amounts import percent_of
from denials.generate.model import Adjustment, Claim

SEQUESTRATION_BP = 200
_SEQUESTERED_TYPES = frozenset({"medicare"})
_MEDICARE_TYPES = frozenset({"medicare", "medicare_advantage"})
# CARCs whose group the standard restricts (DOMAIN.md section 3), and 151, which MA01 turns into a unit
# denial (the 151 + MA01 pair): no alert or group change there, so the planted category holds.
_FIXED_GROUP_CARCS = frozenset({"18", "23", "45", "253", "281"})
_NO_ALERT_CARCS = frozenset({"151"})
PI_SHARE = 0.15
DENIED_ALERT_SHARE = 0.35
PAID_ALERT_SHARE = 0.12
MOA_SHARE = 0.25
CLAIM_DEDUCTIBLE_SHARE = 0.06


def sequestration(payer_type: str, left: int, basis_points: int | None = None) -> Adjustment | None:
    """The CO-253 reduction of what a Medicare line would pay, or None for other payers.

    `basis_points` is the rate in force on the service date when the seeds give one (drug_payment_rules),
    else SEQUESTRATION_BP.
    """
    if payer_type not in _SEQUESTERED_TYPES or left <= 0:
        return None
    amount = percent_of(left, SEQUESTRATION_BP if basis_points is None else basis_points)
    return ("CO", "253", amount, None) if amount else None


def payer_initiated(claim: Claim, rng: random.Random) -> None:
    """Some non-Medicare payers send their denials under PI instead of CO."""
    if claim.payer.payer_type in _MEDICARE_TYPES or rng.random() >= PI_SHARE:
        return
    if claim.claim_denial is not None:
        if claim.claim_denial.group == "CO" and claim.claim_denial.carc not in _FIXED_GROUP_CARCS:
            claim.claim_denial = replace(claim.claim_denial, group="PI")
        return
    for line in claim.lines:
        denial = line.denial
        if denial is not None and denial.group == "CO" and denial.carc not in _FIXED_GROUP_CARCS:
            line.denial = replace(denial, group="PI")


def _appeal_alert(claim: Claim) -> str:
    return "MA01" if claim.payer.payer_type in _MEDICARE_TYPES else "N1"


def add_alerts(claim: Claim, rng: random.Random) -> None:
    """Alert RARCs after each line's own remarks, and MOA crossover alerts on some Medicare claims."""
    alert = _appeal_alert(claim)
    for line in claim.lines:
        if line.denial is not None:
            if line.denial.carc in _NO_ALERT_CARCS or rng.random() >= DENIED_ALERT_SHARE:
                continue
            extra = [alert]
        elif line.paid > 0 and rng.random() < PAID_ALERT_SHARE:
            extra = [alert, "M70"] if line.ndc and rng.random() < 0.5 else [alert]
        else:
            continue
        line.remarks = [*line.remarks, *(code for code in extra if code not in line.remarks)]
    if claim.payer.payer_type == "medicare" and rng.random() < MOA_SHARE:
        claim.claim_remarks = [*claim.claim_remarks, rng.choice(("MA18", "MA07"))]


def claim_deductible(claim: Claim, rng: random.Random) -> None:
    """A claim-level PR-1 on a claim paid in full, beside its lines' CO-45 and coinsurance."""
    # Only on a first and final adjudication: a reworked claim's chain keeps its planted amounts.
    if claim.remit != "normal" or claim.prior is not None:
        return
    if any(line.denial is not None for line in claim.lines):
        return
    # The warehouse reads a claim-level PR-1 as deductible on the lines, which would change an underpaid
    # line's expected payment from the one its truth states.
    if any(line.shortfall for line in claim.lines):
        return
    paid = sum(line.paid for line in claim.lines)
    if paid < 200 or rng.random() >= CLAIM_DEDUCTIBLE_SHARE:
        return
    amount = min(rng.randint(20, 257) * 100, paid // 2)
    claim.claim_adjustments = [*claim.claim_adjustments, ("PR", "1", amount, None)]
