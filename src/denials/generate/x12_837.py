"""837P (005010X222A1) and 837I (005010X223A2) text.

A claim is rendered once into its subscriber loop (SBR through its last line) when it is built;
the batch writer later wraps those strings in HL, ST/SE, GS/GE and ISA/IEA with the counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from denials.generate import envelope
from denials.generate.amounts import money
from denials.generate.catalog import Provider
from denials.generate.envelope import TERMINATOR, ControlNumbers, ymd
from denials.generate.model import Claim, Line

VERSION_BY_KIND = {"P": "005010X222A1", "I": "005010X223A2"}
SUBMITTER_ID = "DENIALSGEN"
SUBMITTER_NAME = "DENIALS SYNTHETIC BILLING"
RECEIVER_ID = "CLEARINGHOUSE"
RECEIVER_NAME = "SYNTHETIC CLEARINGHOUSE"
COMPONENT = ":"


def _procedure(line: Line, cs: str) -> str:
    if line.modifiers:
        return f"HC{cs}{line.code}{cs}{cs.join(line.modifiers)}"
    return f"HC{cs}{line.code}"


def _line_segments(claim: Claim, line: Line, number: int, cs: str) -> list[str]:
    if claim.kind == "P":
        pointers = line.pointers.replace(":", cs)
        service = f"SV1*{_procedure(line, cs)}*{money(line.charge)}*UN*{line.units}***{pointers}"
    else:
        service = f"SV2*{line.revenue_code}*{_procedure(line, cs)}*{money(line.charge)}*UN*{line.units}"
    segments = [
        f"LX*{number}",
        service,
        f"DTP*472*D8*{ymd(line.service_date)}",
        f"REF*6R*{line.control_number}",
    ]
    if line.ndc and claim.send_ndc:
        segments.append(f"LIN**N4*{line.ndc}")
        segments.append(f"CTP****{line.ndc_quantity}*{line.ndc_unit}")
    if claim.prior is not None:
        segments.append(
            f"SVD*{claim.prior.payer.payer_id}*{money(line.prior_paid)}*{_procedure(line, cs)}"
            f"*{line.revenue_code}*{line.units}"
        )
        segments.extend(envelope.cas_segments(line.prior_adjustments))
        segments.append(f"DTP*573*D8*{ymd(claim.prior.paid_date)}")
    return segments


def render_claim(claim: Claim, cs: str = COMPONENT) -> tuple[str, int]:
    """The claim's subscriber loop (2000B without its HL) and the number of segments in it."""
    patient, payer = claim.patient, claim.payer
    sequence = "S" if claim.prior is not None else "P"
    segments = [f"SBR*{sequence}*18*{patient.group_number}******{payer.filing_837}"]
    if claim.weight_lb:
        # 2000B PAT: PAT07 01 (actual pounds), PAT08 the weight; PAT01-06 are not used for the subscriber.
        segments.append(f"PAT*******01*{claim.weight_lb}")
    segments += [
        f"NM1*IL*1*{patient.last_name}*{patient.first_name}****MI*{patient.member_id}",
        f"N3*{patient.street}",
        f"N4*{patient.city}*{patient.state}*{patient.zip5}",
        f"DMG*D8*{patient.birth_date}*{patient.sex}",
        f"NM1*PR*2*{payer.name.upper()}*****PI*{payer.payer_id}",
    ]
    total = money(claim.charge)
    if claim.kind == "P":
        segments.append(
            f"CLM*{claim.claim_id}*{total}***{claim.provider.place}{cs}B{cs}{claim.frequency}*Y*A*Y*Y"
        )
        segments.append(f"DTP*431*D8*{ymd(claim.service_date)}")
    else:
        last = max(line.service_date for line in claim.lines)
        segments.append(
            f"CLM*{claim.claim_id}*{total}***{claim.provider.place}{cs}A{cs}{claim.frequency}**A*Y*Y"
        )
        segments.append(f"DTP*434*RD8*{ymd(claim.service_date)}-{ymd(last)}")
        segments.append("CL1***01")
    if claim.prior_auth:
        segments.append(f"REF*G1*{claim.prior_auth}")
    if claim.note:
        segments.append(f"NTE*ADD*{claim.note}")
    if claim.kind == "P":
        codes = [f"ABK{cs}{claim.diagnoses[0]}", *(f"ABF{cs}{code}" for code in claim.diagnoses[1:12])]
        segments.append("HI*" + "*".join(codes))
    else:
        segments.append(f"HI*ABK{cs}{claim.diagnoses[0]}")
        if len(claim.diagnoses) > 1:
            segments.append("HI*" + "*".join(f"ABF{cs}{code}" for code in claim.diagnoses[1:13]))
        provider = claim.provider
        segments.append(
            f"NM1*71*1*{provider.physician_last}*{provider.physician_first}****XX*{provider.physician_npi}"
        )
    if claim.prior is not None:
        prior = claim.prior
        segments.extend(
            (
                f"SBR*P*18*******{prior.payer.filing_837}",
                f"AMT*D*{money(sum(line.prior_paid for line in claim.lines))}",
                "OI***Y***Y",
                f"NM1*IL*1*{patient.last_name}*{patient.first_name}****MI*{prior.member_id}",
                f"NM1*PR*2*{prior.payer.name.upper()}*****PI*{prior.payer.payer_id}",
            )
        )
    for number, line in enumerate(claim.lines, 1):
        segments.extend(_line_segments(claim, line, number, cs))
    return TERMINATOR.join(segments) + TERMINATOR, len(segments)


@dataclass(slots=True)
class _Transaction:
    payer_name: str
    providers: dict[int, list[tuple[str, int]]] = field(default_factory=dict)


class Batch837:
    """The claims of one submission batch, grouped the way a billing system sends them:
    one interchange per batch, a functional group per implementation guide, a transaction per
    payer, and a billing-provider HL with its claims' subscriber HLs."""

    def __init__(self) -> None:
        self._groups: dict[str, dict[str, _Transaction]] = {}
        self.last_date = date.min
        self.claims = 0

    def add(self, claim: Claim, provider_index: int, text: str, segment_count: int) -> None:
        transactions = self._groups.setdefault(claim.kind, {})
        transaction = transactions.get(claim.payer.payer_id)
        if transaction is None:
            transaction = transactions[claim.payer.payer_id] = _Transaction(claim.payer.name.upper())
        transaction.providers.setdefault(provider_index, []).append((text, segment_count))
        self.last_date = max(self.last_date, claim.claim_date)
        self.claims += 1

    def write(self, out: TextIO, providers: Sequence[Provider], numbers: ControlNumbers) -> int:
        """Write the batch as one interchange; returns the number of transaction sets written."""
        if not self.claims:
            return 0
        on, time = self.last_date, "2300"
        control = numbers.interchange()
        out.write(envelope.isa(SUBMITTER_ID, RECEIVER_ID, on, time, control, COMPONENT))
        written = 0
        for kind in sorted(self._groups):
            group_control = numbers.group()
            out.write(
                envelope.gs("HC", SUBMITTER_ID, RECEIVER_ID, on, time, group_control, VERSION_BY_KIND[kind])
            )
            transactions = self._groups[kind]
            for payer_id in sorted(transactions):
                written += 1
                out.write(_transaction(transactions[payer_id], providers, kind, on, numbers.transaction()))
            out.write(envelope.ge(len(transactions), group_control))
        out.write(envelope.iea(len(self._groups), control))
        return written


def _transaction(
    transaction: _Transaction, providers: Sequence[Provider], kind: str, on: date, control: str
) -> str:
    parts = [
        f"ST*837*{control}*{VERSION_BY_KIND[kind]}{TERMINATOR}"
        f"BHT*0019*00*B{control}*{ymd(on)}*2300*CH{TERMINATOR}"
        f"NM1*41*2*{SUBMITTER_NAME}*****46*{SUBMITTER_ID}{TERMINATOR}"
        f"PER*IC*BILLING OFFICE*TE*8005550199{TERMINATOR}"
        f"NM1*40*2*{RECEIVER_NAME}*****46*{RECEIVER_ID}{TERMINATOR}"
    ]
    count = 6  # ST, BHT, NM1, PER, NM1, and SE
    hl = 0
    for index in sorted(transaction.providers):
        provider = providers[index]
        hl += 1
        parent = hl
        parts.append(
            f"HL*{hl}**20*1{TERMINATOR}"
            f"NM1*85*2*{provider.name}*****XX*{provider.npi}{TERMINATOR}"
            f"N3*{provider.street}{TERMINATOR}"
            f"N4*{provider.city}*{provider.state}*{provider.zip9}{TERMINATOR}"
            f"REF*EI*{provider.ein}{TERMINATOR}"
        )
        count += 5
        for text, segment_count in transaction.providers[index]:
            hl += 1
            parts.append(f"HL*{hl}*{parent}*22*0{TERMINATOR}")
            parts.append(text)
            count += 1 + segment_count
    parts.append(f"SE*{count}*{control}{TERMINATOR}")
    return "".join(parts)
