"""Envelope bookkeeping: ISA/GS/ST ... SE/GE/IEA nesting, counts and control numbers.

It sees only the envelope segments (a handful per transaction) with their positions; a gap between
two envelope segments where no transaction set is open means segments outside any transaction, which
is fatal. Count and control-number mismatches are warnings: real files often carry them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from denials.x12.delimiters import ISA_FIXED_LENGTH, Delimiters, read_isa
from denials.x12.errors import X12Rejected

# TA1 acknowledges an interchange and legitimately sits between ISA and GS, so it is tracked here too.
ENVELOPE_IDS = ("ISA", "GS", "ST", "SE", "GE", "IEA", "TA1")
SUPPORTED_TRANSACTIONS = frozenset({"835", "837"})


@dataclass
class Interchange:
    seq: int
    isa_position: int
    elements: list[str]
    delimiters: Delimiters
    observed_component: str | None = None
    iea_position: int | None = None
    declared_group_count: str | None = None
    trailer_control_number: str | None = None
    group_count: int = 0


@dataclass
class Group:
    seq: int
    interchange_seq: int
    gs_position: int
    elements: list[str]
    ge_position: int | None = None
    declared_transaction_count: str | None = None
    trailer_control_number: str | None = None
    transaction_count: int = 0


@dataclass
class Transaction:
    seq: int
    group_seq: int
    interchange_seq: int
    st_position: int
    set_id: str
    control_number: str
    implementation_reference: str | None
    se_position: int | None = None
    declared_segment_count: str | None = None
    trailer_control_number: str | None = None
    segment_count: int = 0


# A context run: from start_position on, segments belong to (interchange, group, transaction, set id).
Run = tuple[int, int | None, int | None, int | None, str | None]


@dataclass
class EnvelopeResult:
    interchanges: list[Interchange] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)


class EnvelopeTracker:
    def __init__(self, segment_id_at: Callable[[int], str] | None = None) -> None:
        # Names the segment id in "outside a transaction" messages (the tracker sees envelopes only).
        self._segment_id_at = segment_id_at
        self.result = EnvelopeResult()
        self._interchange: Interchange | None = None
        self._group: Group | None = None
        self._transaction: Transaction | None = None
        self._last_position = 0

    def feed(self, position: int, segment_id: str, text: str, delimiters: Delimiters) -> None:
        self._check_gap(position)
        elements = text.split(delimiters.element)[1:]
        handler = getattr(self, f"_on_{segment_id.lower()}")
        handler(position, elements, text, delimiters)
        self._last_position = position

    def finish(self, segment_count: int) -> None:
        self._check_gap(segment_count + 1)
        if self._interchange is not None:
            raise X12Rejected(
                f"interchange {self._interchange.seq} (ISA at segment {self._interchange.isa_position}) "
                f"has no IEA: the file ends at segment {segment_count}"
            )

    # ------------------------------------------------------------------ structure
    def _check_gap(self, position: int) -> None:
        if position <= self._last_position + 1 or self._transaction is not None:
            return
        first = self._last_position + 1
        if self._interchange is None:
            raise X12Rejected(f"data after IEA at segment {first} does not start a new ISA")
        named = f" ({self._segment_id_at(first)})" if self._segment_id_at else ""
        raise X12Rejected(f"segment {first}{named} is outside a transaction set (no ST before it)")

    def _run(self, start: int) -> None:
        interchange, group, transaction = self._interchange, self._group, self._transaction
        run = (
            start,
            interchange.seq if interchange else None,
            group.seq if group else None,
            transaction.seq if transaction else None,
            transaction.set_id if transaction else None,
        )
        runs = self.result.runs
        if runs and runs[-1][0] == start:
            runs[-1] = run
        else:
            runs.append(run)

    def _check_trailer(self, position: int, trailer: str, declared_count: str | None, actual_count: int,
                       counted: str, control: str | None, expected_control: str | None,
                       control_source: str) -> None:
        """Trailer count (xx01) and control number (xx02) mismatches: warnings, never fatal."""
        if declared_count != str(actual_count):
            self.result.warnings.append(
                f"{trailer}01 at segment {position} does not match the {actual_count} {counted}"
            )
        if control != expected_control:
            self.result.warnings.append(f"{trailer}02 at segment {position} does not match {control_source}")

    def _on_isa(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        if self._interchange is not None:
            raise X12Rejected(
                f"interchange {self._interchange.seq} (ISA at segment {self._interchange.isa_position})"
                f" has no IEA before the next ISA at segment {position}"
            )
        header = read_isa(text + delimiters.segment, 0, position, True)
        interchange = Interchange(len(self.result.interchanges) + 1, position, header.elements,
                                  header.delimiters)
        if header.length + 1 != ISA_FIXED_LENGTH:
            self.result.warnings.append(
                f"ISA at segment {position} is {header.length + 1} characters long, "
                f"not the fixed {ISA_FIXED_LENGTH}"
            )
        self.result.interchanges.append(interchange)
        self._interchange = interchange
        self._run(position)

    def _on_ta1(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        if self._interchange is None or self._group is not None:
            raise X12Rejected(f"segment {position} (TA1) is outside its interchange header")

    def _on_gs(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        if self._interchange is None:
            raise X12Rejected(f"GS at segment {position} is outside an interchange (no ISA)")
        if self._group is not None:
            raise X12Rejected(
                f"functional group opened at segment {self._group.gs_position} has no GE "
                f"before the GS at segment {position}"
            )
        group = Group(len(self.result.groups) + 1, self._interchange.seq, position, elements)
        self._interchange.group_count += 1
        self.result.groups.append(group)
        self._group = group
        self._run(position)

    def _on_st(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        if self._group is None:
            raise X12Rejected(f"ST at segment {position} is outside a functional group (no GS)")
        if self._transaction is not None:
            raise X12Rejected(
                f"transaction set opened at segment {self._transaction.st_position} has no SE "
                f"before the ST at segment {position}"
            )
        implementation = elements[2] if len(elements) > 2 and elements[2] else None
        if implementation is None and len(self._group.elements) > 7:
            implementation = self._group.elements[7] or None
        transaction = Transaction(
            seq=len(self.result.transactions) + 1,
            group_seq=self._group.seq,
            interchange_seq=self._interchange.seq,
            st_position=position,
            set_id=elements[0] if elements else "",
            control_number=elements[1] if len(elements) > 1 else "",
            implementation_reference=implementation,
        )
        self._group.transaction_count += 1
        self.result.transactions.append(transaction)
        self._transaction = transaction
        self._run(position)

    def _on_se(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        transaction = self._transaction
        if transaction is None:
            raise X12Rejected(f"SE at segment {position} closes no transaction set (no ST)")
        transaction.se_position = position
        transaction.segment_count = position - transaction.st_position + 1
        transaction.declared_segment_count = elements[0] if elements else None
        transaction.trailer_control_number = elements[1] if len(elements) > 1 else None
        self._check_trailer(
            position, "SE", transaction.declared_segment_count, transaction.segment_count,
            f"segments of transaction set {transaction.seq}",
            transaction.trailer_control_number, transaction.control_number,
            f"ST02 of transaction set {transaction.seq}",
        )
        self._transaction = None
        self._run(position + 1)

    def _on_ge(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        group = self._group
        if group is None:
            raise X12Rejected(f"GE at segment {position} closes no functional group (no GS)")
        if self._transaction is not None:
            raise X12Rejected(
                f"transaction set opened at segment {self._transaction.st_position} has no SE "
                f"before the GE at segment {position}"
            )
        group.ge_position = position
        group.declared_transaction_count = elements[0] if elements else None
        group.trailer_control_number = elements[1] if len(elements) > 1 else None
        self._check_trailer(
            position, "GE", group.declared_transaction_count, group.transaction_count,
            f"transaction sets of group {group.seq}",
            group.trailer_control_number, group.elements[5] if len(group.elements) > 5 else None,
            f"GS06 of group {group.seq}",
        )
        self._group = None
        self._run(position + 1)

    def _on_iea(self, position: int, elements: list[str], text: str, delimiters: Delimiters) -> None:
        interchange = self._interchange
        if interchange is None:
            raise X12Rejected(f"IEA at segment {position} closes no interchange (no ISA)")
        if self._group is not None:
            raise X12Rejected(
                f"functional group opened at segment {self._group.gs_position} has no GE "
                f"before the IEA at segment {position}"
            )
        interchange.iea_position = position
        interchange.declared_group_count = elements[0] if elements else None
        interchange.trailer_control_number = elements[1] if len(elements) > 1 else None
        self._check_trailer(
            position, "IEA", interchange.declared_group_count, interchange.group_count,
            f"functional groups of interchange {interchange.seq}",
            interchange.trailer_control_number,
            interchange.elements[12] if len(interchange.elements) > 12 else None,
            f"ISA13 of interchange {interchange.seq}",
        )
        self._interchange = None
        self._run(position + 1)
