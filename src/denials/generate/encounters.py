"""Clean claims: patients, doses sized from weight and labeled dose, vials, lines, charges.

Scenario builders start from these and change one thing. Everything a clean claim does follows
the payer's policy in force on the date of service, so a clean claim never trips a planted rule:
units are split at the line limit with modifier 76, JZ/JW follow the waste, auth is present when
the payer requires it, and the diagnosis is labeled for the drug.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from denials.generate import catalog
from denials.generate.catalog import Provider
from denials.generate.model import Claim, Dose, Line, Patient
from denials.generate.reference import Drug, Reference

_PAYER_TYPE_WEIGHT = {"medicare": 25, "medicare_advantage": 15, "medicaid": 20, "commercial": 20}
_PATIENT_SEARCH_TRIES = 300


def plain(amount: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 7200, 7.2, 210.5."""
    return format(amount.normalize(), "f")


@lru_cache(maxsize=65536)
def ndc_quantity_text(drug: Drug, units: int) -> str:
    """CTP04 for `units` billing units of `drug` (cached: Decimal formatting is slow per line)."""
    return plain(drug.ndc_quantity(units))


class Context:
    """What a scenario builder may draw on: the chunk's random stream, reference data, patients.

    One Context serves one output chunk. All randomness flows from `rng`, seeded from the run seed
    and the chunk number, so a chunk's bytes do not depend on which process generated it.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        reference: Reference,
        seed: int,
        id_prefix: str,
        first_ordinal: int,
        total_claims: int,
        start_date: date,
        span_days: int,
        rates: dict[str, float],
    ) -> None:
        self.rng = rng
        self.reference = reference
        self.rates = rates
        self._id_prefix = id_prefix
        self._next_ordinal = first_ordinal
        self._total_claims = max(1, total_claims)
        self._start_date = start_date
        self._span_days = max(1, span_days)
        self.nominal_date = start_date
        self.payers = sorted(reference.payers.values(), key=lambda payer: payer.payer_id)
        self.drugs = sorted(reference.drugs.values(), key=lambda drug: drug.hcpcs)
        self.professional = [p for p in catalog.PROVIDERS if p.kind == "P"]
        self.institutional = [p for p in catalog.PROVIDERS if p.kind == "I"]
        # Set while building a claim whose planted problem only an administration record shows.
        self.feed_required = False
        self._pool_size = max(40, total_claims // 10)
        self._patient = lru_cache(maxsize=65536)(self._make_patient)
        self._seed = seed
        self._unit_prices: dict[str, int] = {}
        # Conditions a patient can have are those some loaded drug is labeled for.
        labeled = {dx for drug in self.drugs for dx in reference.labeled.get(drug.hcpcs, ())}
        self._conditions = [(dx, weight) for dx, weight in catalog.CONDITIONS if dx in labeled] or [
            ("D66", 1)
        ]
        self._payer_weights = [_PAYER_TYPE_WEIGHT.get(payer.payer_type, 20) for payer in self.payers]

    # ---------------------------------------------------------------- identifiers and dates

    def begin_group(self, ordinal: int) -> None:
        """Set the nominal service date for the claim group starting at this claim ordinal."""
        self.nominal_date = self._start_date + timedelta(days=ordinal * self._span_days // self._total_claims)

    def new_submission_id(self) -> tuple[str, int]:
        ordinal = self._next_ordinal
        self._next_ordinal += 1
        return f"{self._id_prefix}{ordinal:08d}", ordinal

    # ---------------------------------------------------------------- patients

    def _make_patient(self, number: int) -> Patient:
        rng = random.Random(f"{self._seed}:patient:{number}")
        payer = rng.choices(self.payers, self._payer_weights)[0]
        if payer.payer_type in ("medicare", "medicare_advantage") and rng.random() < 0.85:
            age = rng.randint(65, 88)
        else:
            age = rng.randint(12, 64)
        weight = rng.uniform(35.0, 75.0) if age < 18 else rng.uniform(52.0, 128.0)
        condition = rng.choices([dx for dx, _ in self._conditions], [w for _, w in self._conditions])[0]
        city, state, zip5 = rng.choice(catalog.CITIES)
        birth = date(self._start_date.year - age, rng.randint(1, 12), rng.randint(1, 28))
        return Patient(
            member_id=f"{payer.payer_id[:2]}{number:09d}{rng.choice('ABCDEFGHJKLMNPRTUVWXY')}",
            last_name=rng.choice(catalog.LAST_NAMES),
            first_name=rng.choice(catalog.FIRST_NAMES),
            birth_date=f"{birth:%Y%m%d}",
            sex=rng.choice("MMMMMMMF"),  # congenital hemophilia is X-linked: mostly male patients
            street=f"{rng.randint(10, 9999)} {rng.choice(catalog.STREETS)}",
            city=city,
            state=state,
            zip5=zip5,
            weight_kg=round(weight, 1),
            condition=condition,
            payer_id=payer.payer_id,
            group_number=f"GRP{rng.randint(10000, 99999)}" if payer.payer_type == "commercial" else "",
        )

    def patient(
        self,
        *,
        drug: Drug | None = None,
        payer_ids: frozenset[str] | set[str] | None = None,
        min_weight: float = 0.0,
        max_weight: float = 1e9,
        on: date | None = None,
    ) -> Patient:
        """A recurring patient that fits the constraints (same id -> same person in every claim); with a
        drug, one the drug is labeled and covered for on the date (diagnosis, age, payer's coverage list)."""
        on = on or self.nominal_date
        candidate = self._patient(self.rng.randrange(self._pool_size))
        for _ in range(_PATIENT_SEARCH_TRIES):
            if (
                (payer_ids is None or candidate.payer_id in payer_ids)
                and (drug is None or self.allows(candidate, drug, on))
                and min_weight <= candidate.weight_kg <= max_weight
            ):
                return candidate
            candidate = self._patient(self.rng.randrange(self._pool_size))
        # Rare constraint combinations: adapt the last candidate rather than loop forever.
        changes: dict[str, object] = {}
        if payer_ids is not None and candidate.payer_id not in payer_ids:
            changes["payer_id"] = sorted(payer_ids)[0]
        adapted = replace(candidate, **changes)  # type: ignore[arg-type]
        if drug is not None and not self.allows(adapted, drug, on):
            if age_on(adapted, on) < 18:
                changes["birth_date"] = f"{on.year - 40}{candidate.birth_date[4:]}"
            payer = self.reference.payers[adapted.payer_id]
            allowed = [dx for dx in self.reference.labeled.get(drug.hcpcs, ())
                       if self.reference.allows(payer, drug.hcpcs, dx, 40)]
            if allowed and adapted.condition not in allowed:
                changes["condition"] = allowed[0]
        if not min_weight <= candidate.weight_kg <= max_weight:
            changes["weight_kg"] = round(min(max(candidate.weight_kg, min_weight), max_weight), 1)
        return replace(candidate, **changes)

    # ---------------------------------------------------------------- building blocks

    def provider(self, kind: str | None = None) -> Provider:
        if kind is None:
            kind = "I" if self.rng.random() < self.rates["institutional_rate"] else "P"
        providers = self.institutional if kind == "I" else self.professional
        if self.feed_required:
            providers = [provider for provider in providers if provider.sends_administrations]
        return self.rng.choice(providers)

    def allows(self, patient: Patient, drug: Drug, on: date) -> bool:
        payer = self.reference.payers[patient.payer_id]
        return self.reference.allows(payer, drug.hcpcs, patient.condition, age_on(patient, on))

    def drug_for(self, patient: Patient, on: date | None = None) -> Drug:
        on = on or self.nominal_date
        options = [d for d in self.drugs if self.allows(patient, d, on)]
        if not options:
            return self.rng.choice(self.drugs)
        # Patients mostly stay on one product; the per-patient choice is a pure function of the id.
        regimen = options[hash_text(patient.member_id) % len(options)]
        return regimen if self.rng.random() < 0.85 else self.rng.choice(options)

    def claim_date(self, service: date) -> date:
        lag = self.rng.choice((1, 2, 2, 3, 3, 4, 5, 6, 7, 9, 12, 16, 25))
        return service + timedelta(days=lag)

    def unit_price(self, drug: Drug) -> int:
        price = self._unit_prices.get(drug.hcpcs)
        if price is None:
            price = self._unit_prices[drug.hcpcs] = self._price(drug)
        return price

    def _price(self, drug: Drug) -> int:
        per_measure = catalog.DRUG_CHARGE_PER_MEASURE.get(
            drug.hcpcs, catalog.CHARGE_PER_MEASURE_FALLBACK.get(drug.measure.lower(), Decimal(100))
        )
        return max(1, int((per_measure * drug.unit_size).to_integral_value()))

    def dose(
        self,
        drug: Drug,
        patient: Patient,
        on: date,
        *,
        waste: bool | None = None,
        min_units: int = 0,
        max_units: int | None = None,
        max_per_kg: float | None = None,
    ) -> Dose:
        """Size one administration: weight x labeled dose per kg, rounded to billing units and vials."""
        rng = self.rng
        unit = float(drug.unit_size)
        weight = patient.weight_kg
        low, high = drug.dose_min, drug.dose_max
        if min_units:
            low = max(low, min_units * unit / weight)
        if max_units is not None:
            high = min(high, max_units * unit / weight)
        if max_per_kg is not None:
            high = min(high, max_per_kg)
        per_kg = rng.uniform(low, max(low, high))
        needed = max(min_units, math.ceil(weight * per_kg / unit - 1e-9), 1)
        if max_units is not None:
            needed = min(needed, max_units)
        # One vial size per administration (one NDC per billed line): the size wasting least.
        best_size, best_total = drug.vial_units[0], 0
        best_key: tuple[int, int] | None = None
        for size in drug.vial_units:
            count = -(-needed // size)
            key = (count * size - needed, count)
            if best_key is None or key < best_key:
                best_key, best_size, best_total = key, size, count * size
        administered, wasted = needed, best_total - needed
        if waste is False or (
            waste is None
            and wasted
            and wasted * 10 <= needed
            and rng.random() < 0.5
            and (max_units is None or best_total <= max_units)
        ):
            # Dose rounding to the vial: within 10% of the ordered dose the whole vial is given.
            administered, wasted = best_total, 0
        elif waste is True and wasted == 0:
            # Give one vial's worth less than drawn so part of the last vial is discarded.
            cut = rng.randint(1, max(1, best_size // 3))
            administered, wasted = max(1, best_total - cut), min(cut, best_total - 1)
        at = f"{on.isoformat()}T{rng.randint(8, 17):02d}:{rng.choice((0, 10, 15, 20, 30, 40, 45, 50)):02d}:00"
        return Dose(
            drug=drug,
            ndc=drug.ndc_by_vial_units[best_size],
            administered_units=administered,
            wasted_units=wasted,
            weight_kg=weight,
            administered_at=at,
            service_date=on,
        )

    def drug_lines(self, claim: Claim, dose: Dose, *, split: bool = True) -> list[Line]:
        """Lines billing one dose: administered units (split at the line limit, 76 on lines 2+),
        then the discarded units on JW lines; JZ when the payer wants it and nothing was wasted."""
        drug = dose.drug
        policy = self.reference.policy(claim.payer.payer_id, drug.hcpcs, dose.service_date)
        limit = self.reference.line_limit(claim.payer.payer_id, drug, dose.service_date) if split else None
        flag = ("JZ",) if policy.requires_jw_jz and drug.single_dose and not dose.wasted_units else ()
        price = self.unit_price(drug)
        revenue = catalog.DRUG_REVENUE_CODE if claim.kind == "I" else ""
        lines: list[Line] = []
        for modifiers, parts in (
            (flag, split_units(dose.administered_units, limit)),
            (("JW",), split_units(dose.wasted_units, limit)),
        ):
            for index, units in enumerate(parts):
                lines.append(
                    Line(
                        code=drug.hcpcs,
                        modifiers=modifiers + ("76",) if index else modifiers,
                        units=units,
                        unit_price=price,
                        service_date=dose.service_date,
                        revenue_code=revenue,
                        ndc=dose.ndc,
                        ndc_quantity=ndc_quantity_text(drug, units),
                        ndc_unit=drug.ndc_unit,
                        dose=dose,
                    )
                )
        dose.line = lines[0]
        return lines

    def service_line(
        self, claim: Claim, code: str, on: date, modifiers: tuple[str, ...] = (), units: int = 1
    ) -> Line:
        return Line(
            code=code,
            modifiers=modifiers,
            units=units,
            unit_price=catalog.SERVICE_CHARGES[code],
            service_date=on,
            revenue_code=catalog.REVENUE_CODES[code] if claim.kind == "I" else "",
        )

    def administration_lines(self, claim: Claim, drug: Drug, on: date) -> list[Line]:
        if drug.drug_class in catalog.SUBCUTANEOUS_CLASSES:
            return [self.service_line(claim, "96372", on)]
        code = "96413" if self.rng.random() < 0.08 else "96365"
        lines = [self.service_line(claim, code, on)]
        if self.rng.random() < 0.2:
            lines.append(self.service_line(claim, "96366", on, units=self.rng.choice((1, 1, 2))))
        return lines

    # ---------------------------------------------------------------- whole claims

    def empty_claim(
        self, patient: Patient, scenario: str, *, kind: str | None = None, on: date | None = None
    ) -> Claim:
        provider = self.provider(kind)
        service = on or self.nominal_date
        submission_id, _ = self.new_submission_id()
        diagnoses = [patient.condition]
        if self.rng.random() < 0.6:
            diagnoses.append(self.rng.choice(catalog.BLEED_DIAGNOSES))
        return Claim(
            claim_id=submission_id,
            submission_id=submission_id,
            kind=provider.kind,
            payer=self.reference.payers[patient.payer_id],
            patient=patient,
            provider=provider,
            scenario=scenario,
            service_date=service,
            claim_date=self.claim_date(service),
            diagnoses=diagnoses,
            lines=[],
        )

    def drug_claim(
        self,
        scenario: str,
        *,
        drug: Drug | None = None,
        payer_ids: frozenset[str] | set[str] | None = None,
        kind: str | None = None,
        waste: bool | None = None,
        min_units: int = 0,
        max_units: int | None = None,
        split: bool = True,
        doses: int | None = None,
        service_date: date | None = None,
        max_per_kg: float | None = None,
    ) -> Claim:
        """A correctly billed drug claim; keyword arguments pin what a scenario needs to change."""
        min_weight, max_weight = 0.0, 1e9
        if drug is not None and min_units:
            min_weight = min_units * float(drug.unit_size) / drug.dose_max * 1.02
        if drug is not None and max_units is not None:
            max_weight = max_units * float(drug.unit_size) / drug.dose_min * 0.98
        on = service_date or self.nominal_date
        patient = self.patient(
            drug=drug, payer_ids=payer_ids, min_weight=min_weight, max_weight=max_weight, on=on
        )
        drug = drug or self.drug_for(patient, on)
        claim = self.empty_claim(patient, scenario, kind=kind, on=service_date)
        count = doses if doses is not None else (2 if self.rng.random() < 0.12 else 1)
        if claim.kind == "P" and self.rng.random() < 0.4:
            claim.lines.append(
                self.service_line(claim, self.rng.choice(("99213", "99214")), claim.service_date, ("25",))
            )
        elif claim.kind == "I" and self.rng.random() < 0.15:
            claim.lines.append(self.service_line(claim, "99213", claim.service_date, ("25",)))
        for day in range(count):
            on = claim.service_date + timedelta(days=day)
            dose = self.dose(
                drug, patient, on, waste=waste, min_units=min_units, max_units=max_units,
                max_per_kg=max_per_kg,
            )
            claim.doses.append(dose)
            claim.lines.extend(self.administration_lines(claim, drug, on))
            claim.lines.extend(self.drug_lines(claim, dose, split=split))
        if len(claim.diagnoses) > 1:
            for line in claim.lines:
                if line.dose is None and line.code.startswith("99"):
                    line.pointers = "1:2"
        claim.claim_date = max(claim.claim_date, claim.service_date + timedelta(days=count))
        if self.reference.policy(claim.payer.payer_id, drug.hcpcs, claim.service_date).requires_prior_auth:
            claim.prior_auth = f"PA{self.rng.randrange(10**9):09d}"
        if claim.kind == "P" and hash_text(patient.member_id) % 2:
            # Half the patients' sites send their weight (837P PAT); a pure function of the patient, so the
            # random stream of the other choices is untouched.
            self.report_weight(claim)
        if self.rng.random() < self.rates["documentation_note_rate"]:
            dose0 = claim.doses[0]
            claim.note = (
                f"DOSE {plain(drug.amount(dose0.administered_units))} {drug.measure.upper()} "
                f"AT {dose0.weight_kg:.1f} KG RECORDS ATTACHED"
            )
        return claim

    def report_weight(self, claim: Claim) -> None:
        """Send the patient's weight in the 837P PAT segment, in pounds (PAT07 01) through measure_units."""
        pounds = self.reference.measures.convert(Decimal(str(claim.patient.weight_kg)), "kg", "lb")
        claim.weight_lb = plain(pounds.quantize(Decimal("0.1")))

    def visit_claim(
        self,
        scenario: str,
        *,
        payer_ids: frozenset[str] | set[str] | None = None,
        service_date: date | None = None,
    ) -> Claim:
        """An office visit with no drug (follow-up); patients on factor are seen between doses."""
        patient = self.patient(payer_ids=payer_ids)
        claim = self.empty_claim(patient, scenario, kind="P", on=service_date)
        claim.lines.append(
            self.service_line(claim, self.rng.choice(("99213", "99213", "99214")), claim.service_date)
        )
        return claim


def age_on(patient: Patient, on: date) -> int:
    """Whole years from the patient's birth date (CCYYMMDD) to a date."""
    born = date(int(patient.birth_date[:4]), int(patient.birth_date[4:6]), int(patient.birth_date[6:8]))
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def split_units(units: int, limit: int | None) -> list[int]:
    """9,999 + 9,999 + remainder: the pieces one quantity is billed in at a per-line limit."""
    if units <= 0:
        return []
    if limit is None or units <= limit:
        return [units]
    full, rest = divmod(units, limit)
    return [limit] * full + ([rest] if rest else [])


def hash_text(text: str) -> int:
    """A stable hash (str.__hash__ is salted per process, which would break determinism)."""
    return zlib.crc32(text.encode())
