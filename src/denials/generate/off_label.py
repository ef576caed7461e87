"""Off-label claims: a drug billed outside its FDA label or its payer's coverage list, on one basis each.

The bases are the warehouse's (int_drug_lines_off_label), each planted so that only it holds:
    label_indication  the diagnosis the drug lines speak for is not on the drug's label;
    pointer           the same, but the claim also carries a labeled diagnosis the drug lines do not point
                      at (837P SV107), so only line-level pointers reveal it;
    label_age         the diagnosis is labeled, the patient is younger than the label's minimum age;
    payer_coverage    the diagnosis is labeled, but the payer's coverage list (e.g. Medicare NCD 110.3)
                      leaves it out.
Labels, ages and coverage lists come from the seeds through Reference, never from here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from denials.generate.encounters import Context
from denials.generate.model import Claim, Line, Patient
from denials.generate.mutations import drug_lines
from denials.generate.reference import Drug, Payer

BASES = ("label_indication", "pointer", "label_age", "payer_coverage")


def indication_drugs(ctx: Context) -> list[Drug]:
    return [d for d in ctx.drugs if ctx.reference.off_label.get(d.hcpcs)]


def age_limited_drugs(ctx: Context) -> list[Drug]:
    # A minimum age above 2 leaves room for a younger patient the drug could still be dosed for.
    return [d for d in ctx.drugs if (ctx.reference.age_limits.get(d.hcpcs, (None, None))[0] or 0) > 2]


def uncovered_choices(ctx: Context) -> list[tuple[Payer, Drug, str]]:
    """(payer, drug, diagnosis): labeled for the drug, left out of the payer's coverage list."""
    found = []
    for payer in ctx.payers:
        for drug in ctx.drugs:
            covered = ctx.reference.covered(payer, drug.hcpcs)
            if covered is not None:
                found.extend(
                    (payer, drug, dx) for dx in ctx.reference.labeled.get(drug.hcpcs, ()) if dx not in covered
                )
    return found


def available_bases(ctx: Context) -> list[str]:
    checks = {
        "label_indication": bool(indication_drugs(ctx)),
        "pointer": bool(indication_drugs(ctx)),
        "label_age": bool(age_limited_drugs(ctx)),
        "payer_coverage": bool(uncovered_choices(ctx)),
    }
    return [basis for basis in BASES if checks[basis]]


def off_label_claim(ctx: Context, name: str, basis: str) -> tuple[Claim, list[Line]]:
    """A claim whose drug lines are off-label on `basis` only; returns the claim and those lines."""
    if basis == "payer_coverage":
        payer, drug, diagnosis = ctx.rng.choice(uncovered_choices(ctx))
        claim = ctx.drug_claim(name, drug=drug, payer_ids={payer.payer_id})
        claim.diagnoses[0] = diagnosis
    elif basis == "label_age":
        drug = ctx.rng.choice(age_limited_drugs(ctx))
        youngest = ctx.reference.age_limits[drug.hcpcs][0] or 0
        age = ctx.rng.randint(max(2, youngest - 6), youngest - 1)
        claim = ctx.drug_claim(name, drug=drug, doses=1)
        claim.patient = younger(claim.patient, claim.service_date, age)
    else:
        drug = ctx.rng.choice(indication_drugs(ctx))
        kind = "P" if basis == "pointer" else None  # an 837I line has no pointers
        claim = ctx.drug_claim(name, drug=drug, kind=kind)
        diagnosis = ctx.rng.choice(ctx.reference.off_label[drug.hcpcs])
        if basis == "pointer":
            # The labeled condition stays principal; the drug lines point only at the off-label one.
            claim.diagnoses.insert(1, diagnosis)
            for line in claim.lines:
                line.pointers = "2" if line.ndc else "1"
        else:
            claim.diagnoses[0] = diagnosis
    return claim, drug_lines(claim)


def younger(patient: Patient, on: date, age: int) -> Patient:
    """The patient as a child of `age` on the date: another member, born `age` years before it (on the
    date's month and day, the 28th at the latest, so the birthday has come and the age is exact)."""
    born = date(on.year - age, on.month, min(on.day, 28))
    return replace(patient, member_id=f"{patient.member_id}C", birth_date=f"{born:%Y%m%d}")
