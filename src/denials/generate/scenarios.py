"""Planted scenarios: each is one small builder plus one registry entry.

A builder takes the chunk's Context and returns the claims it plants (usually one), each carrying
its scenario name, the denial the payer will apply to which lines, or, for claims that are never
remitted, the pre-bill rule that should catch it. Adding a scenario means writing one decorated
function here; the engine, truth and manifest pick it up from `SCENARIOS`.

Kinds and the rate that sizes them (see `engine.RATE_DEFAULTS`):
    clean        the remainder of claims, split by weight
    denial       denial_rate
    overturn     reversal_rate
    split        split_rate
    secondary    secondary_rate
    not_remitted not_remitted_rate * (1 - prebill_problem_share)
    prebill      not_remitted_rate * prebill_problem_share
    underpaid    underpayment_rate

CARC/RARC pairs follow DOMAIN.md section 3 so the category seed classifies them; unit denials
deny on N362/M53/M119/N822/N823, where the RARC decides the category over the CARC.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from denials.generate.adjudicate import adjudicate_prior
from denials.generate.drug_payment import UNDERPAYMENT_CAUSES
from denials.generate.encounters import Context, plain
from denials.generate.model import Claim, Denial, PriorPayer
from denials.generate.mutations import (
    MODIFIER_PROBLEMS,
    administered_lines,
    any_policy,
    bill_amount_as_units,
    bill_mcg_as_mg,
    can_exceed_cap,
    deny,
    drug_lines,
    drug_with_payers,
    flag_prebill,
    half_unit_drugs,
    has_age_limit,
    has_coverage_gap,
    has_half_unit_drug,
    has_high_dose_drug,
    has_mcg_drug,
    has_off_label,
    has_per_line_limit,
    mcg_drugs,
    modifier_claim,
    needs_auth,
    payers_where,
    per_line_limits,
    unit_denial,
)
from denials.generate.off_label import available_bases, off_label_claim
from denials.generate.reference import Payer, Reference
from denials.generate.registry import KINDS, SCENARIOS, Scenario, scenario

__all__ = ["KINDS", "SCENARIOS", "Scenario", "scenario"]

# ------------------------------------------------------------------------------- clean


@scenario("clean", kind="clean", weight=82)
def clean(ctx: Context) -> list[Claim]:
    """A correctly billed drug claim, paid with contractual and patient-responsibility adjustments."""
    return [ctx.drug_claim("clean")]


@scenario("office_visit", kind="clean", weight=18)
def office_visit(ctx: Context) -> list[Claim]:
    """A follow-up office visit with no drug, paid."""
    return [ctx.visit_claim("office_visit")]


@scenario("clean_without_ndc", kind="clean", weight=6)
def clean_without_ndc(ctx: Context) -> list[Claim]:
    """A correctly billed drug claim from a site that sends no NDC (no LIN/CTP) but the patient's PAT
    weight; paid. The labeled dose x weight must find nothing wrong with it."""
    claim = ctx.drug_claim("clean_without_ndc", kind="P")
    claim.send_ndc = False
    ctx.report_weight(claim)
    return [claim]


@scenario("separate_encounter_xe", kind="clean", weight=2)
def separate_encounter_xe(ctx: Context) -> list[Claim]:
    """A second infusion the same day in a separate encounter: the extra 96365 line carries XE; paid."""
    claim = ctx.drug_claim("separate_encounter_xe")
    claim.lines.append(ctx.service_line(claim, "96365", claim.service_date, ("XE",)))
    return [claim]


@scenario("correct_76_split", kind="split", available=has_high_dose_drug)
def correct_76_split(ctx: Context) -> list[Claim]:
    """A dose above the per-line cap split 9,999 + 9,999 + rest with modifier 76 on lines 2+; paid."""
    drug = ctx.rng.choice([d for d in ctx.drugs if can_exceed_cap(d)])
    payers = payers_where(ctx, drug, lambda p: p.max_units_per_line is None) or None
    return [
        ctx.drug_claim("correct_76_split", drug=drug, payer_ids=payers, min_units=drug.line_cap + 1, doses=1)
    ]


@scenario("secondary_claim", kind="secondary")
def secondary_claim(ctx: Context) -> list[Claim]:
    """A claim to the secondary payer after the primary paid: OA-23 for the prior payment (CLP02=2)."""
    by_type: dict[str, list[Payer]] = {}
    for payer in ctx.payers:
        by_type.setdefault(payer.payer_type, []).append(payer)
    pairs = [
        (primary, secondary)
        for primary in ctx.payers
        for secondary in (
            by_type.get("medicaid", [])
            if primary.payer_type.startswith("medicare")
            else by_type.get(primary.payer_type, [])
        )
        if secondary.payer_id != primary.payer_id and primary.payer_type != "medicaid"
    ]
    if not pairs:
        return [ctx.drug_claim("secondary_claim")]
    primary, secondary = ctx.rng.choice(pairs)
    # Served weeks earlier: the primary adjudicated it before this claim could be sent.
    service = ctx.nominal_date - timedelta(days=ctx.rng.randint(35, 50))
    claim = ctx.drug_claim("secondary_claim", payer_ids={secondary.payer_id}, service_date=service)
    paid_on = service + timedelta(days=ctx.rng.randint(14, 30))
    claim.prior = PriorPayer(primary, f"{primary.payer_id[:2]}{ctx.rng.randrange(10**9):09d}", paid_on)
    claim.claim_date = ctx.claim_date(ctx.nominal_date)
    adjudicate_prior(claim, ctx.rng, ctx.reference.payment)
    return [claim]


def has_payment_basis(reference: Reference) -> bool:
    return any(reference.payment.pays_on_a_basis(p.payer_id, p.payer_type) for p in reference.payers.values())


@scenario("underpaid", kind="underpaid", available=has_payment_basis)
def underpaid(ctx: Context) -> list[Claim]:
    """A correctly billed drug claim that Medicare Part B (or a payer with a contract rate in the seeds)
    pays short of its basis: an older quarter's rate, fewer units priced than paid, or a 5-20% short
    payment, all as a larger CO-45.

    Truth states each short line's cause and shortfall; a line the cause would leave short by no more
    than the seeds' tolerance is paid in full instead (adjudicate.py), so truth and warehouse agree.
    """
    payment = ctx.reference.payment
    payers = {p.payer_id for p in ctx.payers if payment.pays_on_a_basis(p.payer_id, p.payer_type)}
    claim = ctx.drug_claim("underpaid", payer_ids=payers)
    for line in drug_lines(claim):
        line.underpayment = ctx.rng.choice(UNDERPAYMENT_CAUSES)
    return [claim]


# ------------------------------------------------------------------------------- unit errors


@scenario("mcg_billed_as_mg", kind="denial", weight=5, available=has_mcg_drug)
def mcg_billed_as_mg(ctx: Context) -> list[Claim]:
    """Factor VIIa billed in mg-sized units (1000x too few); CO-16 + M53."""
    drug = ctx.rng.choice(mcg_drugs(ctx.reference))
    claim = ctx.drug_claim("mcg_billed_as_mg", drug=drug, waste=False, split=False, doses=1)
    deny(bill_mcg_as_mg(claim), unit_denial("mcg_billed_as_mg"))
    return [claim]


@scenario("units_per_half_mg_slip", kind="denial", weight=2, available=has_half_unit_drug)
def units_per_half_mg_slip(ctx: Context) -> list[Claim]:
    """Emicizumab (per 0.5 mg) billed with the mg figure as units (half the units); CO-16 + M53."""
    drug = ctx.rng.choice(half_unit_drugs(ctx.reference))
    claim = ctx.drug_claim("units_per_half_mg_slip", drug=drug, waste=False, split=False, doses=1)
    deny(bill_amount_as_units(claim), unit_denial("units_per_half_mg_slip"))
    return [claim]


@scenario("half_mg_slip_without_ndc", kind="denial", weight=2, available=has_half_unit_drug)
def half_mg_slip_without_ndc(ctx: Context) -> list[Claim]:
    """Emicizumab's maintenance dose (the labeled minimum per kg) billed with the mg figure by a site that
    sends no NDC quantity, only the patient's PAT weight: half the units, more than a vial, so only the
    labeled dose x weight shows it; CO-16 + M53."""
    drug = ctx.rng.choice(half_unit_drugs(ctx.reference))
    claim = ctx.drug_claim(
        "half_mg_slip_without_ndc", drug=drug, kind="P", split=False, doses=1, max_per_kg=drug.dose_min * 1.1
    )
    deny(bill_amount_as_units(claim), unit_denial("units_per_half_mg_slip"))
    claim.send_ndc = False
    ctx.report_weight(claim)
    return [claim]


@scenario("waste_without_jw", kind="denial", weight=4)
def waste_without_jw(ctx: Context) -> list[Claim]:
    """Waste recorded, but no JW line and no JW/JZ on the administered line; CO-4 + N822."""
    claim, lines = modifier_claim(ctx, "waste_without_jw", "waste_without_jw")
    deny(lines, unit_denial("waste_without_jw"))
    return [claim]


@scenario("jz_with_waste", kind="denial", weight=3)
def jz_with_waste(ctx: Context) -> list[Claim]:
    """JZ (nothing discarded) billed while the administration record shows waste; CO-4 + N823."""
    claim, lines = modifier_claim(ctx, "jz_with_waste", "jz_with_waste")
    deny(lines, unit_denial("jz_with_waste"))
    return [claim]


@scenario("jw_and_jz_same_line", kind="denial", weight=2)
def jw_and_jz_same_line(ctx: Context) -> list[Claim]:
    """JW and JZ on the same line; CO-4 + N823."""
    claim, lines = modifier_claim(ctx, "jw_and_jz_same_line", "jw_and_jz_same_line")
    deny(lines, unit_denial("jw_and_jz_same_line"))
    return [claim]


@scenario("over_9999_without_split", kind="denial", weight=3, available=has_high_dose_drug)
def over_9999_without_split(ctx: Context) -> list[Claim]:
    """A dose above the per-line cap billed on one line; CO-16 + N362."""
    drug = ctx.rng.choice([d for d in ctx.drugs if can_exceed_cap(d)])
    claim = ctx.drug_claim(
        "over_9999_without_split", drug=drug, min_units=drug.line_cap + 1, split=False, doses=1
    )
    deny(
        [line for line in administered_lines(claim) if line.units > drug.line_cap],
        unit_denial("over_9999_without_split"),
    )
    return [claim]


@scenario("over_per_line_limit", kind="denial", weight=3, available=has_per_line_limit)
def over_per_line_limit(ctx: Context) -> list[Claim]:
    """Units above the payer's max per line (an MUE); the excess denied CO-151 + N362 or MA01, the rest paid.

    CGS paired 151 with N362 (2013), later with MA01 (2021): both pairs are unit errors (DOMAIN.md 3).
    """
    limits = per_line_limits(ctx)
    if not limits:
        return waste_without_jw(ctx)
    payer_id, drug, limit = ctx.rng.choice(limits)
    claim = ctx.drug_claim(
        "over_per_line_limit",
        drug=drug,
        payer_ids={payer_id},
        min_units=limit + 1,
        max_units=drug.line_cap,
        split=False,
        doses=1,
    )
    remark = "MA01" if ctx.rng.random() < 0.4 else ""
    for line in administered_lines(claim):
        if line.units > limit:
            denial = unit_denial("over_per_line_limit", units=line.units - limit)
            line.denial = replace(denial, rarc=remark) if remark else denial
    return [claim]


@scenario("ndc_quantity_mismatch", kind="denial", weight=3)
def ndc_quantity_mismatch(ctx: Context) -> list[Claim]:
    """The CTP NDC quantity does not match the HCPCS units; CO-16 + M119."""
    claim = ctx.drug_claim("ndc_quantity_mismatch", waste=False, doses=1)
    line = administered_lines(claim)[0]
    dose = line.dose
    assert dose is not None
    correct = Decimal(line.ndc_quantity)
    vials = Decimal(-(-dose.administered_units // min(dose.drug.vial_units)))
    # Typical slips: the vial count keyed as the quantity, or the amount in the wrong magnitude.
    choices = [vials, correct * 1000, correct * 10]
    ctx.rng.shuffle(choices)
    line.ndc_quantity = plain(next(choice for choice in choices if choice != correct))
    deny([line], unit_denial("ndc_quantity_mismatch"))
    return [claim]


# ------------------------------------------------------------------------------- other denials


@scenario("missing_prior_auth", kind="denial", weight=12, available=lambda r: any_policy(r, needs_auth))
def missing_prior_auth(ctx: Context) -> list[Claim]:
    """The payer requires auth for the drug and none was sent (CO-197); some exceed it (CO-198)."""
    picked = drug_with_payers(ctx, needs_auth)
    drug, payers = picked if picked else (None, None)
    claim = ctx.drug_claim("missing_prior_auth", drug=drug, payer_ids=payers)
    if claim.prior_auth and ctx.rng.random() < 0.25:
        denial = Denial("CO", "198", "N54", "missing_auth")  # authorization on file, but exceeded
    else:
        claim.prior_auth = ""
        denial = Denial("CO", "197", "M62" if ctx.rng.random() < 0.5 else "", "missing_auth")
    deny(drug_lines(claim), denial)
    return [claim]


@scenario("off_label_diagnosis", kind="denial", weight=8, available=has_off_label)
def off_label_diagnosis(ctx: Context) -> list[Claim]:
    """A diagnosis not on the drug's label (e.g. D68.311 with J7212); CO-50 + N115 or CO-167."""
    claim, lines = off_label_claim(ctx, "off_label_diagnosis", "label_indication")
    if ctx.rng.random() < 0.7:
        denial = Denial("CO", "50", "N115", "medical_necessity")
    else:
        denial = Denial("CO", "167", "", "medical_necessity")
    deny(lines, denial)
    return [claim]


@scenario("off_label_by_pointer", kind="denial", weight=3, available=has_off_label)
def off_label_by_pointer(ctx: Context) -> list[Claim]:
    """837P drug lines pointing (SV107) only at an unlabeled diagnosis, a labeled one elsewhere; CO-11."""
    claim, lines = off_label_claim(ctx, "off_label_by_pointer", "pointer")
    deny(lines, Denial("CO", "11", "", "medical_necessity"))
    return [claim]


@scenario("off_label_by_age", kind="denial", weight=2, available=has_age_limit)
def off_label_by_age(ctx: Context) -> list[Claim]:
    """A labeled diagnosis, a patient younger than the label allows (Sevenfact: 12 and older); CO-188."""
    claim, lines = off_label_claim(ctx, "off_label_by_age", "label_age")
    deny(lines, Denial("CO", "188", "", "medical_necessity"))
    return [claim]


@scenario("off_label_payer_coverage", kind="denial", weight=2, available=has_coverage_gap)
def off_label_payer_coverage(ctx: Context) -> list[Claim]:
    """Labeled, but outside the payer's coverage list (FEIBA for hemophilia B, NCD 110.3); CO-50 + N386."""
    claim, lines = off_label_claim(ctx, "off_label_payer_coverage", "payer_coverage")
    deny(lines, Denial("CO", "50", "N386", "medical_necessity"))
    return [claim]


@scenario("missing_documentation", kind="denial", weight=10)
def missing_documentation(ctx: Context) -> list[Claim]:
    """Records the payer asked for were not sent; CO-252 + M127."""
    claim = ctx.drug_claim("missing_documentation")
    claim.note = ""
    deny(drug_lines(claim), Denial("CO", "252", "M127", "documentation"))
    return [claim]


@scenario("duplicate", kind="denial", weight=8, claims=2)
def duplicate(ctx: Context) -> list[Claim]:
    """The same claim sent twice (same or suffixed CLM01); the second is denied OA-18 + N522.

    Both go out in the same billing run, the way a resubmitted batch duplicates claims.
    """
    original = ctx.drug_claim("duplicate") if ctx.rng.random() < 0.8 else ctx.visit_claim("duplicate")
    submission_id, _ = ctx.new_submission_id()
    copy = replace(
        original,
        submission_id=submission_id,
        claim_id=original.claim_id if ctx.rng.random() < 0.5 else f"{original.claim_id}R",
        diagnoses=list(original.diagnoses),
        doses=[],  # one administration, billed twice: its record belongs to the first claim
        lines=[replace(line, dose=None, adjustments=[], remarks=[]) for line in original.lines],
    )
    deny(copy.lines, Denial("OA", "18", "N522", "duplicate"))
    return [original, copy]


@scenario("timely_filing", kind="denial", weight=5)
def timely_filing(ctx: Context) -> list[Claim]:
    """Billed after the payer's filing limit (service date long before the claim date); CO-29."""
    payer = ctx.rng.choice(ctx.payers)
    late = timedelta(days=payer.timely_filing_days + ctx.rng.randint(10, 200))
    claim_date = ctx.claim_date(ctx.nominal_date)
    service = claim_date - late
    if ctx.rng.random() < 0.8:
        claim = ctx.drug_claim("timely_filing", payer_ids={payer.payer_id}, service_date=service, doses=1)
    else:
        claim = ctx.visit_claim("timely_filing", payer_ids={payer.payer_id}, service_date=service)
    claim.claim_date = claim_date
    deny(claim.lines, Denial("CO", "29", "", "timely_filing"))
    return [claim]


@scenario("eligibility", kind="denial", weight=9)
def eligibility(ctx: Context) -> list[Claim]:
    """Coverage terminated or member not found (CO-27/CO-31); on 837I often as a claim-level CAS."""
    carc = ctx.rng.choice(("27", "27", "31"))
    claim = ctx.drug_claim("eligibility", kind="I" if ctx.rng.random() < 0.35 else "P")
    if claim.kind == "I" and ctx.rng.random() < 0.7:
        claim.claim_denial = Denial("CO", carc, "N30", "eligibility", claim_level=True)
    else:
        deny(claim.lines, Denial("CO", carc, "", "eligibility"))
    return [claim]


@scenario("coordination_of_benefits", kind="denial", weight=6)
def coordination_of_benefits(ctx: Context) -> list[Claim]:
    """Another payer is primary; CO-22 + MA04."""
    claim = ctx.drug_claim("coordination_of_benefits")
    deny(claim.lines, Denial("CO", "22", "MA04", "coordination_of_benefits"))
    return [claim]


# ------------------------------------------------------------------------------- overturns


@scenario("reversed_then_corrected", kind="overturn")
def reversed_then_corrected(ctx: Context) -> list[Claim]:
    """Denied, then reversed (CLP02=22) and paid on appeal in a later 835: an overturn."""
    claim = ctx.drug_claim("reversed_then_corrected")
    claim.remit = "overturn"
    if ctx.rng.random() < 0.75:
        claim.note = ""
        denial = Denial("CO", "252", "M127", "documentation")
    else:
        denial = Denial("CO", "50", "N115", "medical_necessity")
    deny(drug_lines(claim), denial)
    return [claim]


def _reprocessed(ctx: Context, name: str, remit: str) -> list[Claim]:
    claim = ctx.drug_claim(name)
    claim.remit = remit
    claim.note = ""
    deny(drug_lines(claim), Denial("CO", "252", "M127", "documentation"))
    return [claim]


# Reprocessing without reversal is rarer than a reversal and correction; a quarter weight each keeps most
# of the overturn budget on reversals.
@scenario("reprocessed_same_icn", kind="overturn", weight=0.25)
def reprocessed_same_icn(ctx: Context) -> list[Claim]:
    """Denied, then reprocessed and paid in a later 835 with no reversal, same CLP07: an overturn."""
    return _reprocessed(ctx, "reprocessed_same_icn", "reprocess_same_icn")


@scenario("reprocessed_new_icn", kind="overturn", weight=0.25)
def reprocessed_new_icn(ctx: Context) -> list[Claim]:
    """Denied, then reprocessed and paid in a later 835 with no reversal, under a new CLP07: an overturn."""
    return _reprocessed(ctx, "reprocessed_new_icn", "reprocess_new_icn")


# ------------------------------------------------------------------------------- never remitted


@scenario("not_remitted", kind="not_remitted", weight=1)
def not_remitted(ctx: Context) -> list[Claim]:
    """A clean claim with no 835 yet."""
    claim = ctx.drug_claim("not_remitted") if ctx.rng.random() < 0.85 else ctx.visit_claim("not_remitted")
    claim.remit = "none"
    return [claim]


@scenario("not_remitted_mcg_billed_as_mg", kind="prebill", weight=1, available=has_mcg_drug)
def not_remitted_mcg_billed_as_mg(ctx: Context) -> list[Claim]:
    """Unremitted; a per-mcg drug billed in mg-sized units. Pre-bill rule unit_error."""
    drug = ctx.rng.choice(mcg_drugs(ctx.reference))
    claim = ctx.drug_claim("not_remitted_mcg_billed_as_mg", drug=drug, waste=False, split=False, doses=1)
    claim.remit = "none"
    flag_prebill(bill_mcg_as_mg(claim), "unit_error", "mcg_billed_as_mg")
    return [claim]


@scenario(
    "not_remitted_missing_auth", kind="prebill", weight=1, available=lambda r: any_policy(r, needs_auth)
)
def not_remitted_missing_auth(ctx: Context) -> list[Claim]:
    """Unremitted; the payer requires auth for the drug and the claim has no REF*G1."""
    picked = drug_with_payers(ctx, needs_auth)
    drug, payers = picked if picked else (None, None)
    claim = ctx.drug_claim("not_remitted_missing_auth", drug=drug, payer_ids=payers)
    claim.remit = "none"
    claim.prior_auth = ""
    flag_prebill(drug_lines(claim), "missing_auth")
    return [claim]


@scenario("not_remitted_off_label", kind="prebill", weight=1, available=has_off_label)
def not_remitted_off_label(ctx: Context) -> list[Claim]:
    """Unremitted; the drug is off-label by diagnosis, pointer, age or the payer's coverage list."""
    claim, lines = off_label_claim(ctx, "not_remitted_off_label", ctx.rng.choice(available_bases(ctx)))
    claim.remit = "none"
    flag_prebill(lines, "off_label")
    return [claim]


@scenario("not_remitted_modifier_error", kind="prebill", weight=1)
def not_remitted_modifier_error(ctx: Context) -> list[Claim]:
    """Unremitted; a JW/JZ error (waste without JW, JZ with waste, or both on one line)."""
    root_cause = ctx.rng.choice(sorted(MODIFIER_PROBLEMS))
    claim, lines = modifier_claim(ctx, "not_remitted_modifier_error", root_cause)
    claim.remit = "none"
    flag_prebill(lines, "modifier_error", root_cause)
    return [claim]
