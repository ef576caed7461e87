"""What scenarios do to a clean claim: deny lines, flag pre-bill rules, break units and modifiers, and pick
the drugs and payers a scenario needs."""

from __future__ import annotations

from collections.abc import Callable

from denials.generate.encounters import Context
from denials.generate.model import Claim, Denial, Line
from denials.generate.reference import Drug, Reference

UNIT_DENIALS: dict[str, tuple[str, str, str]] = {
    "mcg_billed_as_mg": ("CO", "16", "M53"),
    "units_per_half_mg_slip": ("CO", "16", "M53"),
    "waste_without_jw": ("CO", "4", "N822"),
    "jz_with_waste": ("CO", "4", "N823"),
    "jw_and_jz_same_line": ("CO", "4", "N823"),
    "over_9999_without_split": ("CO", "16", "N362"),
    "over_per_line_limit": ("CO", "151", "N362"),
    "ndc_quantity_mismatch": ("CO", "16", "M119"),
}


def unit_denial(root_cause: str, units: int | None = None) -> Denial:
    group, carc, rarc = UNIT_DENIALS[root_cause]
    return Denial(group, carc, rarc, "unit_error", root_cause, units)


def drug_lines(claim: Claim) -> list[Line]:
    return [line for line in claim.lines if line.ndc]


def administered_lines(claim: Claim) -> list[Line]:
    return [line for line in claim.lines if line.ndc and "JW" not in line.modifiers]


def deny(lines: list[Line], denial: Denial) -> None:
    for line in lines:
        line.denial = denial


def flag_prebill(lines: list[Line], rule: str, root_cause: str = "") -> None:
    for line in lines:
        line.prebill_rule = rule
        line.root_cause = root_cause


def mcg_drugs(reference: Reference) -> list[Drug]:
    return sorted((d for d in reference.drugs.values() if d.measure.lower() == "mcg"), key=lambda d: d.hcpcs)


def has_mcg_drug(reference: Reference) -> bool:
    return bool(mcg_drugs(reference))


def half_unit_drugs(reference: Reference) -> list[Drug]:
    """Drugs whose billing unit is half a measure (per 0.5 mg), where the amount keyed as units is half."""
    return sorted((d for d in reference.drugs.values() if d.unit_size * 2 == 1), key=lambda d: d.hcpcs)


def has_half_unit_drug(reference: Reference) -> bool:
    return bool(half_unit_drugs(reference))


def payers_where(ctx: Context, drug: Drug, test: Callable[..., bool]) -> frozenset[str]:
    on = ctx.nominal_date
    return frozenset(p.payer_id for p in ctx.payers if test(ctx.reference.policy(p.payer_id, drug.hcpcs, on)))


def drug_with_payers(ctx: Context, test: Callable[..., bool]) -> tuple[Drug, frozenset[str]] | None:
    options = [(drug, payers) for drug in ctx.drugs if (payers := payers_where(ctx, drug, test))]
    return ctx.rng.choice(options) if options else None


def any_policy(reference: Reference, test: Callable[..., bool]) -> bool:
    return any(test(policy) for versions in reference.policies.values() for policy in versions)


def needs_auth(policy: object) -> bool:
    return bool(getattr(policy, "requires_prior_auth", False))


def needs_modifiers(policy: object) -> bool:
    return bool(getattr(policy, "requires_jw_jz", False))


def can_exceed_cap(drug: Drug) -> bool:
    # Could a heavy adult on the top labeled dose need more units than one line may carry?
    return drug.dose_max * 125 / float(drug.unit_size) > drug.line_cap * 1.05


def has_high_dose_drug(reference: Reference) -> bool:
    return any(can_exceed_cap(drug) for drug in reference.drugs.values())


def per_line_limits(ctx: Context) -> list[tuple[str, Drug, int]]:
    found = []
    for drug in ctx.drugs:
        for payer in ctx.payers:
            limit = ctx.reference.line_limit(payer.payer_id, drug, ctx.nominal_date)
            reachable = drug.dose_max * 125 / float(drug.unit_size) > limit * 1.05
            if limit < drug.line_cap and reachable:
                found.append((payer.payer_id, drug, limit))
    return found


def has_per_line_limit(reference: Reference) -> bool:
    return any_policy(reference, lambda p: p.max_units_per_line is not None)


def has_off_label(reference: Reference) -> bool:
    return any(reference.off_label.get(code) for code in reference.drugs)


def has_age_limit(reference: Reference) -> bool:
    return any((reference.age_limits.get(code, (None, None))[0] or 0) > 2 for code in reference.drugs)


def has_coverage_gap(reference: Reference) -> bool:
    lists = reference.coverage.items()
    return any(set(reference.labeled.get(code, ())) - set(covered) for (_, code), covered in lists)


# Mutations shared by the denial scenarios and their never-remitted twins. Each takes a claim
# built the way it needs (see MODIFIER_PROBLEMS) and returns the lines it made wrong.


def bill_mcg_as_mg(claim: Claim) -> list[Line]:
    """Bill the dose's milligram figure as units of a per-mcg code (7 instead of 7,200)."""
    line = administered_lines(claim)[0]
    assert line.dose is not None
    drug = line.dose.drug
    milligrams = float(drug.amount_in(line.dose.administered_units, "mg"))
    line.units = max(1, round(milligrams / float(drug.unit_size)))
    return [line]


def bill_amount_as_units(claim: Claim) -> list[Line]:
    """Bill the dose's amount in its measure as units of a per-half-measure code (210 for 210 mg, not 420)."""
    line = administered_lines(claim)[0]
    assert line.dose is not None
    line.units = max(1, round(float(line.dose.drug.amount(line.dose.administered_units))))
    return [line]


def drop_jw_line(claim: Claim) -> list[Line]:
    claim.lines = [line for line in claim.lines if "JW" not in line.modifiers]
    return administered_lines(claim)


def jz_despite_waste(claim: Claim) -> list[Line]:
    claim.lines = [line for line in claim.lines if "JW" not in line.modifiers]
    lines = administered_lines(claim)
    for line in lines:
        line.modifiers = ("JZ", *(m for m in line.modifiers if m != "JZ"))
    return lines


def jw_and_jz_on_one_line(claim: Claim) -> list[Line]:
    line = administered_lines(claim)[0]
    line.modifiers = ("JW", "JZ", *(m for m in line.modifiers if m not in ("JW", "JZ")))
    return [line]


# root cause -> (waste the dose must have, mutation)
MODIFIER_PROBLEMS: dict[str, tuple[bool, Callable[[Claim], list[Line]]]] = {
    "waste_without_jw": (True, drop_jw_line),
    "jz_with_waste": (True, jz_despite_waste),
    "jw_and_jz_same_line": (False, jw_and_jz_on_one_line),
}


def modifier_claim(ctx: Context, name: str, root_cause: str) -> tuple[Claim, list[Line]]:
    waste, mutate = MODIFIER_PROBLEMS[root_cause]
    picked = drug_with_payers(ctx, needs_modifiers)
    drug, payers = picked if picked else (ctx.rng.choice([d for d in ctx.drugs if d.single_dose]), None)
    # Waste shows only in an administration record: the claim comes from a site that sends them.
    ctx.feed_required = True
    try:
        claim = ctx.drug_claim(name, drug=drug, payer_ids=payers, waste=waste, doses=1)
    finally:
        ctx.feed_required = False
    return claim, mutate(claim)

