"""835 (005010X221A1) text: claim payment loops, checks, provider adjustments.

A claim's CLP loop is rendered when it is adjudicated; `Batch835` holds those strings per check
(payer x payee x payment date) and writes one interchange per payer, one transaction per check,
with BPR02 = sum(CLP04) - sum(PLB) computed from integer cents.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TextIO

from denials.generate import envelope
from denials.generate.amounts import money, percent_of
from denials.generate.catalog import CITIES, Provider
from denials.generate.encounters import hash_text
from denials.generate.envelope import TERMINATOR, ControlNumbers, ymd
from denials.generate.model import Claim
from denials.generate.reference import Payer

VERSION = "005010X221A1"
RECEIVER_ID = "DENIALSGEN"


@dataclass(frozen=True, slots=True)
class PayerDetails:
    tin: str
    street: str
    city: str
    state: str
    zip5: str
    routing: str
    account: str
    # How the payer names itself on its remits, never the 837's NM1*PR NM109 (DOMAIN.md section 1: the
    # 837 carries the clearinghouse payer id, the 835 a plan id, or no N104 at all): N1*PR N104 (XV) and
    # REF*2U, either of which may be absent. Neither is in any seed: the models must learn them.
    plan_id: str | None
    additional_id: str | None


@lru_cache(maxsize=64)
def payer_details(payer_id: str) -> PayerDetails:
    value = hash_text(payer_id)
    city, state, zip5 = CITIES[value % len(CITIES)]
    plan = f"{10000 + value % 90000}"
    style = value % 3  # plan id in N104 and REF*2U; in REF*2U only (no N104); in N104 only
    return PayerDetails(
        plan_id=None if style == 1 else plan,
        additional_id=None if style == 2 else f"EIN{value % 10**9:09d}",
        tin=f"{100000000 + value % 900000000}",
        street=f"{100 + value % 900} CLAIMS PROCESSING BLVD",
        city=city,
        state=state,
        zip5=zip5,
        routing=f"{10000000 + value % 90000000}1",
        account=f"{value % 10**9:09d}",
    )


def render_claim(
    claim: Claim, cs: str, *, sign: int = 1, status: str | None = None
) -> tuple[str, int, int, int]:
    """The claim's 2100 loop: (text, segment count, CLP04 in cents, SVC count).

    `sign=-1` renders the reversal of the claim as adjudicated (CLP02=22): every amount and
    adjusted quantity negated, the original group and reason codes resent.
    """
    patient = claim.patient
    responsibility = claim.patient_responsibility
    paid = sign * claim.remit_paid
    place = claim.provider.place
    segments = [
        f"CLP*{claim.claim_id}*{status or claim.status}*{money(sign * claim.charge)}*{money(paid)}"
        f"*{money(sign * responsibility) if responsibility else ''}*{claim.payer.filing_835}"
        f"*{claim.payer_claim_number}*{place}*{claim.frequency}",
        *envelope.cas_segments(claim.claim_adjustments, sign),
        f"NM1*QC*1*{patient.last_name}*{patient.first_name}****MI*{patient.member_id}",
    ]
    if claim.claim_remarks:
        segments.append("MOA***" + "*".join(claim.claim_remarks[:5]))
    if claim.kind == "I":
        last = max(line.service_date for line in claim.lines)
        segments.append(f"DTM*232*{ymd(claim.service_date)}")
        segments.append(f"DTM*233*{ymd(last)}")
    segments.append(f"DTM*050*{ymd(claim.claim_date + timedelta(days=1))}")
    services = 0
    if claim.claim_denial is None:
        for line in claim.lines:
            services += 1
            procedure = (
                f"HC{cs}{line.code}{cs}{cs.join(line.modifiers)}" if line.modifiers else f"HC{cs}{line.code}"
            )
            service = (
                f"SVC*{procedure}*{money(sign * line.charge)}*{money(sign * line.paid)}"
                f"*{line.revenue_code}*{sign * line.units_paid}"
            )
            if line.units_paid != line.units:
                service += f"**{sign * line.units}"
            segments.append(service)
            segments.append(f"DTM*472*{ymd(line.service_date)}")
            segments.extend(envelope.cas_segments(line.adjustments, sign))
            segments.append(f"REF*6R*{line.control_number}")
            if line.allowed:
                segments.append(f"AMT*B6*{money(sign * line.allowed)}")
            for remark in line.remarks:
                segments.append(f"LQ*HE*{remark}")
    return TERMINATOR.join(segments) + TERMINATOR, len(segments), paid, services


@dataclass(slots=True)
class _Entry:
    text: str
    segments: int
    paid: int
    claim_id: str


def check_date(paid_on: date) -> date:
    """Payers cut checks and EFTs on a weekly cycle: the Friday on or after the paid date."""
    return paid_on + timedelta(days=(4 - paid_on.weekday()) % 7)


class Batch835:
    """Remittance loops waiting for their payment run, keyed by (payer, check date, payee).

    A check is written once no later claim can still land on it (`close_before`), so one EFT
    carries the week's claims for a payee as it does in real life; past `max_held` loops the
    oldest checks are written early, which keeps memory flat whatever the claim volume.
    """

    def __init__(self, max_held: int = 20_000) -> None:
        self._checks: dict[tuple[str, date, int], list[_Entry]] = {}
        self._held = 0
        self._max_held = max_held

    def add(
        self,
        payer_id: str,
        paid_on: date,
        provider_index: int,
        loop: tuple[str, int, int, int],
        claim_id: str,
    ) -> None:
        key = (payer_id, check_date(paid_on), provider_index)
        entries = self._checks.get(key)
        if entries is None:
            entries = self._checks[key] = []
        entries.append(_Entry(loop[0], loop[1], loop[2], claim_id))
        self._held += 1

    def __len__(self) -> int:
        return len(self._checks)

    def _due(self, close_before: date | None) -> list[tuple[str, date, int]]:
        if close_before is None:
            return list(self._checks)
        due = [key for key in self._checks if key[1] < close_before]
        held = self._held - sum(len(self._checks[key]) for key in due)
        if held > self._max_held:
            for key in sorted((k for k in self._checks if k[1] >= close_before), key=lambda k: (k[1], k)):
                due.append(key)
                held -= len(self._checks[key])
                if held <= self._max_held:
                    break
        return due

    def write(
        self,
        out: TextIO,
        *,
        payers: dict[str, Payer],
        providers: Sequence[Provider],
        components: dict[str, str],
        numbers: ControlNumbers,
        rng: random.Random,
        plb_rate: float,
        trace_prefix: str,
        close_before: date | None = None,
    ) -> dict[str, int]:
        """Write the checks dated before `close_before` (all when None): one interchange per payer,
        one transaction per check. Returns the counts written."""
        counts = {"interchanges": 0, "transactions": 0, "plb_segments": 0}
        by_payer: dict[str, list[tuple[date, int]]] = {}
        for payer_id, on, provider_index in self._due(close_before):
            by_payer.setdefault(payer_id, []).append((on, provider_index))
        for payer_id in sorted(by_payer):
            keys = sorted(by_payer[payer_id])
            payer = payers[payer_id]
            cs = components[payer_id]
            last = max(on for on, _ in keys)
            control = numbers.interchange()
            group_control = numbers.group()
            sender = payer_id
            out.write(envelope.isa(sender, RECEIVER_ID, last, "0600", control, cs))
            out.write(envelope.gs("HP", sender, RECEIVER_ID, last, "0600", group_control, VERSION))
            for on, provider_index in keys:
                entries = self._checks.pop((payer_id, on, provider_index))
                self._held -= len(entries)
                number = numbers.transaction()
                trace = f"{trace_prefix}{number}"
                has_plb = _write_check(
                    out, payer, providers[provider_index], entries, on, number, trace, cs, rng, plb_rate
                )
                counts["plb_segments"] += has_plb
            out.write(envelope.ge(len(keys), group_control))
            out.write(envelope.iea(1, control))
            counts["interchanges"] += 1
            counts["transactions"] += len(keys)
        return counts


def _write_check(
    out: TextIO,
    payer: Payer,
    provider: Provider,
    entries: list[_Entry],
    on: date,
    control: str,
    trace: str,
    cs: str,
    rng: random.Random,
    plb_rate: float,
) -> int:
    details = payer_details(payer.payer_id)
    paid = sum(entry.paid for entry in entries)
    adjustments: list[str] = []
    plb_total = 0
    if paid > 0 and rng.random() < plb_rate:
        # Overpayment recovery of an earlier claim, taken out of this check (positive reduces).
        amount = percent_of(paid, rng.randint(200, 2000))
        if amount:
            adjustments.append(f"WO{cs}{rng.randrange(10**12, 10**13)}*{money(amount)}")
            plb_total += amount
    if paid > 0 and rng.random() < plb_rate / 2:
        # Prompt-pay interest owed to the provider (negative increases the payment).
        amount = rng.randint(35, 4800)
        adjustments.append(f"L6{cs}{entries[0].claim_id}*{money(-amount)}")
        plb_total -= amount
    total = paid - plb_total
    stamp = ymd(on)
    if total == 0:
        bpr = f"BPR*H*0*C*NON************{stamp}"
    elif rng.random() < 0.15:
        bpr = f"BPR*I*{money(total)}*C*CHK************{stamp}"
    else:
        bpr = (
            f"BPR*I*{money(total)}*C*ACH*CCP*01*{details.routing}*DA*{details.account}*1{details.tin}"
            f"**01*{provider.zip9[:8]}1*DA*{provider.ein}{provider.npi[-4:]}*{stamp}"
        )
    head = (
        f"ST*835*{control}{TERMINATOR}"
        f"{bpr}{TERMINATOR}"
        f"TRN*1*{trace}*1{details.tin}{TERMINATOR}"
        f"DTM*405*{stamp}{TERMINATOR}"
        + (f"N1*PR*{payer.name.upper()}*XV*{details.plan_id}{TERMINATOR}" if details.plan_id
           else f"N1*PR*{payer.name.upper()}{TERMINATOR}")
        + f"N3*{details.street}{TERMINATOR}"
        f"N4*{details.city}*{details.state}*{details.zip5}{TERMINATOR}"
        + (f"REF*2U*{details.additional_id}{TERMINATOR}" if details.additional_id else "")
        + f"PER*BL*EDI SUPPORT*TE*8005550100{TERMINATOR}"
        f"N1*PE*{provider.name}*XX*{provider.npi}{TERMINATOR}"
        f"REF*TJ*{provider.ein}{TERMINATOR}"
        f"LX*1{TERMINATOR}"
    )
    count = 13 - (details.additional_id is None)  # the header segments above and SE
    out.write(head)
    for entry in entries:
        out.write(entry.text)
        count += entry.segments
    if adjustments:
        out.write(f"PLB*{provider.npi}*{on.year}1231*{'*'.join(adjustments)}{TERMINATOR}")
        count += 1
    out.write(f"SE*{count}*{control}{TERMINATOR}")
    return 1 if adjustments else 0
