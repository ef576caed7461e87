"""Place every segment in its envelope and loop, block by block, with numpy.

Loop context follows the implementation guides' loop starts. 835 (005010X221A1): CLP opens 2100, SVC
opens 2110, LX 2000, PLB the summary, N1*PR/N1*PE the 1000A/1000B payer and payee loops. 837
(X222/X223): HL opens 2000A/B/C by HL03, CLM opens 2300, SBR inside a claim 2320, LX 2400, LIN 2410,
SVD 2430; NM1 opens the name loop under the current one (2310, 2330, 2420).

Running counts (claims in a transaction, lines in a claim) are segmented cumulative sums, and "the
last X before this segment" is a forward fill of row indices; both restart at each transaction set.
What a transaction set has built up by the end of a block is carried into the next block, so a file
of any size is handled in blocks of constant size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from denials.warehouse import X12_LOOP_IDS
from denials.x12.envelope import Run
from denials.x12.segments import BlockSegments, codes_of, segment_id_code

LOOP = {loop_id: code for code, loop_id in enumerate(X12_LOOP_IDS)}
NONE = -1  # null in the integer arrays below

_KIND_835, _KIND_837 = 1, 2
_ST, _SE, _CLP, _SVC, _LX, _PLB, _N1, _HL, _CLM, _SBR, _LIN, _SVD, _NM1 = (segment_id_code(s) for s in (
    "ST", "SE", "CLP", "SVC", "LX", "PLB", "N1", "HL", "CLM", "SBR", "LIN", "SVD", "NM1"))
_REMIT_OPENERS = {_ST: LOOP["header"], _CLP: LOOP["2100"], _LX: LOOP["2000"], _PLB: LOOP["summary"],
                  _SE: LOOP["envelope"]}
_LEVELS = {"20": LOOP["2000A"], "22": LOOP["2000B"], "23": LOOP["2000C"]}
# The name loop an NM1 opens under the current major loop (others keep the major loop's id).
_NAME_LOOPS = np.arange(len(X12_LOOP_IDS) + 1, dtype=np.int8)
_NAME_LOOPS[LOOP["2300"]] = LOOP["2310"]
_NAME_LOOPS[LOOP["2320"]] = LOOP["2330"]
_NAME_LOOPS[LOOP["2400"]] = LOOP["2420"]
_NAME_LOOPS[LOOP["2410"]] = LOOP["2420"]
_NAME_LOOPS[NONE] = LOOP["header"]  # no major loop yet: the last slot, indexed by -1
_COUNTED_CLAIMS = codes_of("CLP", "CLM")
_COUNTED_LINES = codes_of("SVC", "LX")


@dataclass
class _Carry:
    """Where the previous block left off: its last segment's transaction set and loop state."""
    transaction_seq: int = NONE
    claim_number: int = 0
    line_number: int = 0
    last_claim_position: int = 0
    last_level_position: int = 0
    level_hl_id: str | None = None
    last_major_loop: int = NONE
    loop: int = NONE
    hl_id: str | None = None
    claim_seq: int = NONE
    line_seq: int = NONE


@dataclass
class BlockContext:
    interchange_seq: np.ndarray
    group_seq: np.ndarray
    transaction_seq: np.ndarray
    loop: np.ndarray
    hl_index: np.ndarray  # into hl_values
    hl_values: list[str]
    claim_seq: np.ndarray
    line_seq: np.ndarray

    def arrow_columns(self) -> dict[str, pa.Array]:
        return {
            "interchange_seq": _nullable(self.interchange_seq),
            "group_seq": _nullable(self.group_seq),
            "transaction_seq": _nullable(self.transaction_seq),
            "loop_code": pa.array(self.loop.astype(np.uint8), mask=self.loop < 0),
            "hl_id": pa.DictionaryArray.from_arrays(
                pa.array(self.hl_index, mask=self.hl_index < 0), pa.array(self.hl_values, pa.string())),
            "claim_seq": _nullable(self.claim_seq),
            "line_seq": _nullable(self.line_seq),
        }


def _nullable(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int32), mask=values < 0)


@dataclass
class LoopContext:
    """Feed blocks in file order after the envelope tracker has seen their envelope segments."""
    runs: list[Run]
    claims: int = 0
    service_lines: int = 0
    _carry: _Carry = field(default_factory=_Carry)
    _run_cursor: int = 0

    def place(self, segments: BlockSegments, element_separator: str) -> BlockContext:
        positions = segments.positions.astype(np.int64)
        codes = segments.id_codes
        count = len(positions)
        rows = np.arange(count)
        carry = self._carry

        runs = self.runs[self._run_cursor:]
        run_starts = np.array([run[0] for run in runs], dtype=np.int64)
        run_index = np.searchsorted(run_starts, positions, side="right") - 1
        interchange = np.array([_or_none(run[1]) for run in runs], dtype=np.int64)[run_index]
        group = np.array([_or_none(run[2]) for run in runs], dtype=np.int64)[run_index]
        transaction = np.array([_or_none(run[3]) for run in runs], dtype=np.int64)[run_index]
        kind = np.array([_kind(run[4]) for run in runs], dtype=np.int8)[run_index]
        self._run_cursor += int(run_index[-1])

        # Segments of one transaction set are consecutive: a group is a run of equal transaction_seq.
        transaction_start = np.diff(transaction, prepend=transaction[0] - 1) != 0
        continues = bool(transaction[0] != NONE and transaction[0] == carry.transaction_seq)
        segmented = _Segmented.from_flags(transaction_start, continues)

        remit = kind == _KIND_835
        claim = kind == _KIND_837
        claim_start = (remit & (codes == _CLP)) | (claim & (codes == _CLM))
        claim_number = segmented.cumsum(claim_start, carry.claim_number)

        element_1 = _elements(segments, (codes == _N1) | (codes == _HL), element_separator, (1,))
        # 835 loop openers
        remit_loop = np.full(count, NONE, dtype=np.int8)
        for code, loop in _REMIT_OPENERS.items():
            remit_loop[remit & (codes == code)] = loop
        line_opener = remit & (codes == _SVC) & (claim_number > 0)
        remit_loop[line_opener] = LOOP["2110"]
        for row, values in element_1.items():
            if remit[row] and claim_number[row] == 0 and values[0] in ("PR", "PE"):
                remit_loop[row] = LOOP["1000A"] if values[0] == "PR" else LOOP["1000B"]

        # 837 levels and claims
        level = claim & (codes == _HL)
        last_claim_position = segmented.fill(claim_start & claim, positions, carry.last_claim_position, 0)
        last_level_position = segmented.fill(level, positions, carry.last_level_position, 0)
        in_claim = claim & (last_claim_position > last_level_position)
        level_rows = np.flatnonzero(level)
        hl_values = [element_1[int(row)][0] or "" for row in level_rows]
        hl_of_row = np.full(count, NONE, dtype=np.int64)
        hl_of_row[level_rows] = np.arange(len(level_rows)) + 1
        carried_hl = 0 if carry.level_hl_id is not None else NONE
        level_hl = segmented.fill(level, hl_of_row, carried_hl, NONE)
        hl_values.insert(0, carry.level_hl_id or "")

        line_start = line_opener | (claim & (codes == _LX) & in_claim)
        by_claim = _Segmented.from_flags(transaction_start | claim_start, continues and not claim_start[0])
        line_number = by_claim.cumsum(line_start, carry.line_number)

        major = np.full(count, NONE, dtype=np.int8)
        levels_3 = _elements(segments, level, element_separator, (3,))
        for row, values in levels_3.items():
            major[row] = _LEVELS.get(values[0], LOOP["2000"])
        major[claim & (codes == _CLM)] = LOOP["2300"]
        major[claim & (codes == _SBR) & in_claim & (line_number == 0)] = LOOP["2320"]
        major[claim & (codes == _LX) & in_claim] = LOOP["2400"]
        major[claim & (codes == _LIN) & in_claim & (line_number > 0)] = LOOP["2410"]
        major[claim & (codes == _SVD) & in_claim & (line_number > 0)] = LOOP["2430"]
        major[claim & (codes == _SE)] = LOOP["envelope"]
        last_major = segmented.fill(major >= 0, major, carry.last_major_loop, NONE)
        name = claim & (codes == _NM1)
        claim_opener = claim & ((major >= 0) | (codes == _ST) | name)
        claim_loop = np.where(name, _NAME_LOOPS[last_major], np.where(major >= 0, major, LOOP["header"]))

        # Context changes: loop openers, and envelope boundaries that open no loop.
        opener = (remit_loop >= 0) | claim_opener
        run_start = np.zeros(count, dtype=bool)
        inside_block = run_starts[(run_starts >= positions[0]) & (run_starts <= positions[-1])]
        run_start[inside_block - positions[0]] = True
        change = opener | run_start
        not_se = codes != _SE
        change_loop = np.where(remit_loop >= 0, remit_loop, np.where(
            claim_opener, claim_loop, np.where(transaction == NONE, LOOP["envelope"], NONE)))
        change_claim = np.where(remit & ((codes == _CLP) | line_opener), claim_number, np.where(
            claim_opener & in_claim & not_se, claim_number, NONE))
        change_line = np.where(line_opener, line_number, np.where(
            claim_opener & in_claim & (line_number > 0) & not_se, line_number, NONE))
        change_hl = np.where(claim_opener, level_hl, NONE)

        last_change = np.maximum.accumulate(np.where(change, rows, -1))
        from_carry = last_change < 0
        source = np.where(from_carry, 0, last_change)
        hl_values.append(carry.hl_id or "")
        carried_context_hl = len(hl_values) - 1 if carry.hl_id is not None else NONE
        context = BlockContext(
            interchange_seq=interchange,
            group_seq=group,
            transaction_seq=transaction,
            loop=np.where(from_carry, carry.loop, change_loop[source]).astype(np.int8),
            hl_index=np.where(from_carry, carried_context_hl, change_hl[source]),
            hl_values=hl_values,
            claim_seq=np.where(from_carry, carry.claim_seq, change_claim[source]),
            line_seq=np.where(from_carry, carry.line_seq, change_line[source]),
        )

        self.claims += int(np.count_nonzero(np.isin(codes, _COUNTED_CLAIMS) & (context.claim_seq >= 0)))
        self.service_lines += int(np.count_nonzero(np.isin(codes, _COUNTED_LINES) & (context.line_seq >= 0)))
        last = count - 1
        self._carry = _Carry(
            transaction_seq=int(transaction[last]),
            claim_number=int(claim_number[last]),
            line_number=int(line_number[last]),
            last_claim_position=int(last_claim_position[last]),
            last_level_position=int(last_level_position[last]),
            level_hl_id=hl_values[level_hl[last]] if level_hl[last] >= 0 else None,
            last_major_loop=int(last_major[last]),
            loop=int(context.loop[last]),
            hl_id=hl_values[context.hl_index[last]] if context.hl_index[last] >= 0 else None,
            claim_seq=int(context.claim_seq[last]),
            line_seq=int(context.line_seq[last]),
        )
        return context


@dataclass
class _Segmented:
    """Running sums and forward fills that restart at each group, the first group possibly carried."""
    starts: np.ndarray
    group_of_row: np.ndarray
    first_continues: bool

    @classmethod
    def from_flags(cls, group_start: np.ndarray, first_continues: bool) -> _Segmented:
        return cls(np.flatnonzero(group_start), np.cumsum(group_start) - 1, first_continues)

    def cumsum(self, flags: np.ndarray, carried: int) -> np.ndarray:
        totals = np.cumsum(flags, dtype=np.int64)
        before_group = totals[self.starts] - flags[self.starts]
        result = totals - before_group[self.group_of_row]
        if self.first_continues:
            result[self.group_of_row == 0] += carried
        return result

    def fill(self, valid: np.ndarray, values: np.ndarray, carried: int, null: int) -> np.ndarray:
        rows = np.arange(len(valid))
        last = np.maximum.accumulate(np.where(valid, rows, -1))
        inside = last >= self.starts[self.group_of_row]
        fallback = np.full(len(valid), null, dtype=np.int64)
        if self.first_continues:
            fallback[self.group_of_row == 0] = carried
        return np.where(inside, values[np.maximum(last, 0)], fallback)


def _elements(segments: BlockSegments, mask: np.ndarray, separator: str,
              indexes: tuple[int, ...]) -> dict[int, list[str | None]]:
    """Chosen elements of the few segments that decide a loop (N1, HL), keyed by row."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        return {}
    texts = segments.texts.take(pa.array(rows)).to_pylist()
    result = {}
    for row, text in zip(rows.tolist(), texts, strict=True):
        elements = text.split(separator)
        result[row] = [elements[i] if len(elements) > i else None for i in indexes]
    return result


def _or_none(value: int | None) -> int:
    return NONE if value is None else value


def _kind(set_id: str | None) -> int:
    return {"835": _KIND_835, "837": _KIND_837}.get(set_id or "", 0)
