"""Streaming X12 reader: text chunks in, batches of segment rows plus envelope records out.

Memory stays flat whatever the file size: only the current chunk and one batch of rows are held.
Splitting a chunk on the segment terminator is one C-level `str.split`; the per-segment Python work
is a whitespace check, finding the segment id, and a dictionary lookup. Envelope and loop bookkeeping
runs only on the few segments that open or close something.

Fatal structure problems raise `X12Rejected` (the caller rolls the file back); count and control
number mismatches are recorded as warnings, because real files often carry them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from denials.x12.delimiters import ISA_FIXED_LENGTH, Delimiters, read_isa
from denials.x12.errors import X12Rejected
from denials.x12.loops import LoopContext, context_for

WHITESPACE = " \t\r\n\ufeff"
# Some senders declare a newline as the terminator yet still start each line with "~"; the "~" is then
# kept as part of the text between segments rather than taken as part of the segment id.
NEWLINE_TERMINATED_LEAD = WHITESPACE + "~"
VALID_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
# Composite elements we look at to notice a body that uses another component separator than ISA16.
COMPOSITE_PROBES = {"SVC": 1, "SV1": 1, "SV2": 2, "CLM": 5}
COMPONENT_CANDIDATES = ":>^|\\<"
ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
# Interchange-level segments that legitimately sit between ISA and GS (TA1 acknowledges an interchange).
INTERCHANGE_LEVEL_IDS = frozenset({"TA1"})


@dataclass
class Interchange:
    seq: int
    isa_position: int
    elements: list[str]
    delimiters: Delimiters
    isa_length: int
    observed_component: str | None = None
    probe_pending: bool = True
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


@dataclass
class SegmentBatch:
    """Rows for positions first_position .. first_position + len(texts) - 1."""

    first_position: int
    texts: list[str]
    segment_ids: list[str]
    leading: list[str]
    # (row index where the run starts, (interchange_seq, group_seq, transaction_seq, element separator,
    #  loop_id, hl_id, claim_seq, line_seq))
    context_runs: list[tuple[int, tuple]]

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class ReadResult:
    interchanges: list[Interchange] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    segment_count: int = 0
    claim_count: int = 0
    service_line_count: int = 0
    trailing_text: str = ""
    unterminated_position: int | None = None


class _Split(Exception):
    """Raised inside consumption when the next interchange needs different delimiters."""

    def __init__(self, index: int) -> None:
        self.index = index


class X12Reader:
    def __init__(self, batch_size: int = 100_000) -> None:
        self.batch_size = batch_size
        self.result = ReadResult()
        self._position = 0
        self._interchange: Interchange | None = None
        self._group: Group | None = None
        self._transaction: Transaction | None = None
        self._context: LoopContext | None = None
        self._delimiters: Delimiters | None = None
        self._batch: SegmentBatch | None = None
        self._seen_segment = False
        self._trailing_after_unterminated = ""

    # ------------------------------------------------------------------ driving
    def read(self, chunks: Iterable[str]) -> Iterator[SegmentBatch]:
        buffer = ""
        iterator = iter(chunks)
        at_eof = False
        while not at_eof:
            chunk = next(iterator, None)
            if chunk is None:
                at_eof = True
            else:
                buffer += chunk
            while True:
                if self._delimiters is None:
                    start = _skip_whitespace(buffer)
                    if start == len(buffer):
                        if at_eof:
                            self._finish(buffer)
                        break
                    if not self._begin_interchange(buffer, start, at_eof):
                        break  # need more text to read the whole ISA
                terminator = self._delimiters.segment
                parts = buffer.split(terminator)
                buffer = parts.pop()
                try:
                    yield from self._consume(parts)
                except _Split as split:
                    buffer = terminator.join([*parts[split.index :], buffer])
                    self._delimiters = None
                    continue
                if at_eof:
                    if buffer.strip(WHITESPACE):
                        try:
                            yield from self._consume_unterminated(buffer)
                        except _Split:
                            # The last interchange uses another terminator than the one before it.
                            self._delimiters = None
                            continue
                        buffer = ""
                    self._finish(buffer)
                break
        if self._batch is not None and len(self._batch):
            yield self._batch
            self._batch = None

    def _begin_interchange(self, buffer: str, start: int, at_eof: bool) -> bool:
        position = self._position + 1
        if buffer[start : start + 3] != "ISA":
            if len(buffer) - start < 3 and not at_eof:
                return False
            if not self._seen_segment:
                raise X12Rejected("the file does not start with an ISA segment (segment 1)")
            raise X12Rejected(f"data after IEA at segment {position} does not start a new ISA")
        header = read_isa(buffer, start, position, at_eof)
        if header is None:
            return False
        self._delimiters = header.delimiters
        return True

    # ------------------------------------------------------------------ hot loop
    def _consume(self, parts: list[str]) -> Iterator[SegmentBatch]:
        element_separator = self._delimiters.element
        lead_chars = NEWLINE_TERMINATED_LEAD if self._delimiters.segment in "\r\n" else WHITESPACE
        in_transaction = self._transaction is not None
        context = self._context
        triggers = context.triggers if context is not None else frozenset()
        batch = self._batch or self._new_batch()
        texts, segment_ids, leading = batch.texts, batch.segment_ids, batch.leading
        batch_size = self.batch_size
        position = self._position
        for index, part in enumerate(parts):
            if part and part[0] in lead_chars:
                segment = part.lstrip(lead_chars)
                lead = part[: len(part) - len(segment)]
            else:
                segment = part
                lead = ""
            cut = segment.find(element_separator, 0, 4)
            segment_id = segment if cut < 0 else segment[:cut]
            position += 1
            if segment_id in ENVELOPE_IDS or not in_transaction:
                self._position = position
                if self._interchange is None and self._seen_segment and segment.startswith("ISA"):
                    # A new interchange after an IEA: keep going only if its delimiters are ours.
                    header = read_isa(segment + self._delimiters.segment, 0, position, True)
                    if header.delimiters != self._delimiters:
                        self._position = position - 1
                        self._batch = batch
                        raise _Split(index)
                if segment_id in ENVELOPE_IDS:
                    self._envelope(segment_id, segment, batch)
                    in_transaction = self._transaction is not None
                    context = self._context
                    triggers = context.triggers if context is not None else frozenset()
                    element_separator = self._delimiters.element
                else:
                    self._outside_transaction(segment_id)
            elif segment_id in triggers:
                self._position = position
                before = context.snapshot()
                context.on_segment(segment_id, segment[cut:] if cut >= 0 else "", element_separator)
                if context.snapshot() != before:
                    self._mark_context(batch)
                if segment_id == "CLP" or segment_id == "CLM":
                    self.result.claim_count += 1
                elif segment_id == "SVC" or (segment_id == "LX" and context.claim_seq is not None):
                    self.result.service_line_count += 1
                if segment_id in COMPOSITE_PROBES and self._interchange.probe_pending:
                    self._probe_component(segment, segment_id)
            elif segment_id in COMPOSITE_PROBES and self._interchange.probe_pending:
                self._position = position
                self._probe_component(segment, segment_id)
            self._seen_segment = True
            texts.append(segment)
            segment_ids.append(segment_id)
            leading.append(lead)
            if len(texts) >= batch_size:
                self._position = position
                yield batch
                batch = self._new_batch()
                texts, segment_ids, leading = batch.texts, batch.segment_ids, batch.leading
        self._position = position
        self._batch = batch

    def _consume_unterminated(self, tail: str) -> Iterator[SegmentBatch]:
        stripped = tail.rstrip(WHITESPACE)
        yield from self._consume([stripped])
        self.result.warnings.append(f"the last segment (segment {self._position}) has no segment terminator")
        self.result.unterminated_position = self._position
        self._trailing_after_unterminated = tail[len(stripped) :]

    # ------------------------------------------------------------------ envelope
    def _envelope(self, segment_id: str, segment: str, batch: SegmentBatch) -> None:
        position = self._position
        elements = segment.split(self._delimiters.element)[1:]
        warnings = self.result.warnings
        if segment_id == "ISA":
            if self._interchange is not None:
                raise X12Rejected(
                    f"interchange {self._interchange.seq} (ISA at segment {self._interchange.isa_position})"
                    f" has no IEA before the next ISA at segment {position}"
                )
            header = read_isa(segment + self._delimiters.segment, 0, position, True)
            interchange = Interchange(
                seq=len(self.result.interchanges) + 1,
                isa_position=position,
                elements=header.elements,
                delimiters=header.delimiters,
                isa_length=header.length + 1,
            )
            if interchange.isa_length != ISA_FIXED_LENGTH:
                warnings.append(
                    f"ISA at segment {position} is {interchange.isa_length} characters long, "
                    f"not the fixed {ISA_FIXED_LENGTH}"
                )
            self.result.interchanges.append(interchange)
            self._interchange = interchange
        elif segment_id == "GS":
            if self._interchange is None:
                raise X12Rejected(f"GS at segment {position} is outside an interchange (no ISA)")
            if self._group is not None:
                raise X12Rejected(
                    f"functional group opened at segment {self._group.gs_position} has no GE "
                    f"before the GS at segment {position}"
                )
            group = Group(
                seq=len(self.result.groups) + 1,
                interchange_seq=self._interchange.seq,
                gs_position=position,
                elements=elements,
            )
            self._interchange.group_count += 1
            self.result.groups.append(group)
            self._group = group
        elif segment_id == "ST":
            if self._group is None:
                raise X12Rejected(f"ST at segment {position} is outside a functional group (no GS)")
            if self._transaction is not None:
                raise X12Rejected(
                    f"transaction set opened at segment {self._transaction.st_position} has no SE "
                    f"before the ST at segment {position}"
                )
            set_id = elements[0] if elements else ""
            implementation = elements[2] if len(elements) > 2 and elements[2] else None
            if implementation is None and len(self._group.elements) > 7:
                implementation = self._group.elements[7] or None
            transaction = Transaction(
                seq=len(self.result.transactions) + 1,
                group_seq=self._group.seq,
                interchange_seq=self._interchange.seq,
                st_position=position,
                set_id=set_id,
                control_number=elements[1] if len(elements) > 1 else "",
                implementation_reference=implementation,
            )
            self._group.transaction_count += 1
            self.result.transactions.append(transaction)
            self._transaction = transaction
            self._context = context_for(set_id)
        elif segment_id == "SE":
            transaction = self._transaction
            if transaction is None:
                raise X12Rejected(f"SE at segment {position} closes no transaction set (no ST)")
            transaction.se_position = position
            transaction.segment_count = position - transaction.st_position + 1
            transaction.declared_segment_count = elements[0] if elements else None
            transaction.trailer_control_number = elements[1] if len(elements) > 1 else None
            if transaction.declared_segment_count != str(transaction.segment_count):
                warnings.append(
                    f"SE01 at segment {position} does not match the {transaction.segment_count} "
                    f"segments of transaction set {transaction.seq}"
                )
            if transaction.trailer_control_number != transaction.control_number:
                warnings.append(f"SE02 at segment {position} does not match ST02 of transaction set "
                                f"{transaction.seq}")
            self._context.close()
        elif segment_id == "GE":
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
            if group.declared_transaction_count != str(group.transaction_count):
                warnings.append(
                    f"GE01 at segment {position} does not match the {group.transaction_count} "
                    f"transaction sets of group {group.seq}"
                )
            control = group.elements[5] if len(group.elements) > 5 else None
            if group.trailer_control_number != control:
                warnings.append(f"GE02 at segment {position} does not match GS06 of group {group.seq}")
        elif segment_id == "IEA":
            interchange = self._interchange
            if interchange is None:
                raise X12Rejected(f"IEA at segment {position} closes no interchange (no ISA)")
            if self._group is not None and self._group.ge_position is None:
                raise X12Rejected(
                    f"functional group opened at segment {self._group.gs_position} has no GE "
                    f"before the IEA at segment {position}"
                )
            interchange.iea_position = position
            interchange.declared_group_count = elements[0] if elements else None
            interchange.trailer_control_number = elements[1] if len(elements) > 1 else None
            if interchange.declared_group_count != str(interchange.group_count):
                warnings.append(
                    f"IEA01 at segment {position} does not match the {interchange.group_count} "
                    f"functional groups of interchange {interchange.seq}"
                )
            control = interchange.elements[12] if len(interchange.elements) > 12 else None
            if interchange.trailer_control_number != control:
                warnings.append(
                    f"IEA02 at segment {position} does not match ISA13 of interchange {interchange.seq}"
                )

        # The envelope segment itself carries the context it opens or closes.
        self._mark_context(batch)
        if segment_id in ("SE", "GE", "IEA"):
            if segment_id == "SE":
                self._transaction = None
                self._context = None
            elif segment_id == "GE":
                self._group = None
            elif segment_id == "IEA":
                self._interchange = None

    def _outside_transaction(self, segment_id: str) -> None:
        position = self._position
        if self._interchange is None:
            raise X12Rejected(f"data after IEA at segment {position} does not start a new ISA")
        if segment_id in INTERCHANGE_LEVEL_IDS and self._group is None:
            return
        if not VALID_SEGMENT_ID.fullmatch(segment_id):
            raise X12Rejected(f"segment {position} has no valid segment id")
        raise X12Rejected(f"segment {position} ({segment_id}) is outside a transaction set (no ST)")

    def _mark_context(self, batch: SegmentBatch) -> None:
        """Start a new context run at the next row of the batch."""
        interchange = self._interchange
        group = self._group
        transaction = self._transaction
        loop = self._context.snapshot() if self._context is not None else ("envelope", None, None, None)
        context = (
            interchange.seq if interchange else None,
            group.seq if group else None,
            transaction.seq if transaction else None,
            self._delimiters.element,
            *loop,
        )
        runs = batch.context_runs
        row = len(batch.texts)
        if runs and runs[-1][0] == row:
            runs[-1] = (row, context)
        elif not runs or runs[-1][1] != context:
            runs.append((row, context))

    def _probe_component(self, segment: str, segment_id: str) -> None:
        interchange = self._interchange
        elements = segment.split(self._delimiters.element)
        index = COMPOSITE_PROBES[segment_id]
        if len(elements) <= index or not elements[index]:
            return
        composite = elements[index]
        interchange.probe_pending = False
        declared = interchange.delimiters.component
        if declared in composite:
            return
        reserved = {self._delimiters.element, self._delimiters.segment, self._delimiters.repetition}
        used = [c for c in COMPONENT_CANDIDATES if c in composite and c not in reserved]
        if len(used) == 1:
            interchange.observed_component = used[0]
            self.result.warnings.append(
                f"interchange {interchange.seq} declares ISA16 as its component separator but its body "
                f"uses another one (first seen at segment {self._position}); the body's is recorded"
            )

    def _new_batch(self) -> SegmentBatch:
        batch = SegmentBatch(
            first_position=self._position + 1, texts=[], segment_ids=[], leading=[], context_runs=[]
        )
        if self._delimiters is not None:
            self._mark_context(batch)
        return batch

    def _finish(self, trailing: str) -> None:
        result = self.result
        if not self._seen_segment:
            raise X12Rejected("the file holds no X12 segments (empty or whitespace only)")
        if self._interchange is not None:
            raise X12Rejected(
                f"interchange {self._interchange.seq} (ISA at segment {self._interchange.isa_position}) "
                f"has no IEA: the file ends at segment {self._position}"
            )
        result.segment_count = self._position
        result.trailing_text = self._trailing_after_unterminated + trailing


def _skip_whitespace(text: str) -> int:
    index = 0
    length = len(text)
    while index < length and text[index] in WHITESPACE:
        index += 1
    return index
