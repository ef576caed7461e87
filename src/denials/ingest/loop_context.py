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
from denials.x12.arrow_arrays import dictionary, integers
from denials.x12.envelope import Run
from denials.x12.segments import BlockSegments, code_lookup, segment_id_code

LOOP = {loop_id: code for code, loop_id in enumerate(X12_LOOP_IDS)}
NONE = -1  # null in the integer arrays below

_KIND_835, _KIND_837 = 1, 2
_ST, _SE, _CLP, _SVC, _LX, _PLB, _N1, _HL, _CLM, _SBR, _LIN, _SVD, _NM1 = (segment_id_code(s) for s in (
    "ST", "SE", "CLP", "SVC", "LX", "PLB", "N1", "HL", "CLM", "SBR", "LIN", "SVD", "NM1"))
_REMIT_OPENERS = {_ST: LOOP["header"], _CLP: LOOP["2100"], _LX: LOOP["2000"], _PLB: LOOP["summary"],
                  _SE: LOOP["envelope"]}
_LEVELS = {"20": LOOP["2000A"], "22": LOOP["2000B"], "23": LOOP["2000C"]}
_PARTY_LOOPS = {"PR": LOOP["1000A"], "PE": LOOP["1000B"]}
# The name loop an NM1 opens under the current major loop (others keep the major loop's id).
_NAME_LOOPS = np.arange(len(X12_LOOP_IDS) + 1, dtype=np.int8)
_NAME_LOOPS[LOOP["2300"]] = LOOP["2310"]
_NAME_LOOPS[LOOP["2320"]] = LOOP["2330"]
_NAME_LOOPS[LOOP["2400"]] = LOOP["2420"]
_NAME_LOOPS[LOOP["2410"]] = LOOP["2420"]
_NAME_LOOPS[NONE] = LOOP["header"]  # no major loop yet: the last slot, indexed by -1


_DECISIVE = code_lookup("ST", "SE", "CLP", "SVC", "LX", "PLB", "N1", "HL", "CLM", "SBR", "LIN", "SVD", "NM1")
_COUNTED_CLAIMS = code_lookup("CLP", "CLM")
_COUNTED_LINES = code_lookup("SVC", "LX")


@dataclass
class _Carry:
    """Where the previous block left off: its last segment's transaction set and loop state."""
    transaction_seq: int = NONE
    claim_number: int = 0
    line_number: int = 0
    last_claim_position: int = 0
    last_level_position: int = 0
    level_hl_id: str | None = None
    level_hl_position: int = NONE
    last_major_loop: int = NONE
    loop: int = NONE
    hl_id: str | None = None
    hl_position: int = NONE
    claim_seq: int = NONE
    line_seq: int = NONE


@dataclass
class BlockContext:
    interchange_seq: np.ndarray
    group_seq: np.ndarray
    transaction_seq: np.ndarray
    loop: np.ndarray
    hl_index: np.ndarray  # into hl_values and hl_positions
    hl_values: list[str]
    hl_positions: list[int]
    claim_seq: np.ndarray
    line_seq: np.ndarray

    def arrow_columns(self) -> dict[str, pa.Array]:
        return {
            "interchange_seq": _nullable(self.interchange_seq),
            "group_seq": _nullable(self.group_seq),
            "transaction_seq": _nullable(self.transaction_seq),
            "loop_code": integers(self.loop.astype(np.uint8), self.loop < 0),
            "hl_id": _hl_ids(self.hl_index, self.hl_values),
            "hl_position": _hl_positions(self.hl_index, self.hl_positions),
            "claim_seq": _nullable(self.claim_seq),
            "line_seq": _nullable(self.line_seq),
        }


def _nullable(values: np.ndarray) -> pa.Array:
    return integers(values, values < 0)


def _hl_ids(indexes: np.ndarray, values: list[str]) -> pa.Array:
    missing = indexes < 0
    if missing.all():  # every 835, most 837 blocks outside the levels: no dictionary to build
        return pa.nulls(len(indexes), pa.string())
    return dictionary(indexes.astype(np.int32), values, missing)


def _hl_positions(indexes: np.ndarray, positions: list[int]) -> pa.Array:
    missing = indexes < 0
    if missing.all():
        return pa.nulls(len(indexes), pa.int32())
    return integers(np.array(positions, dtype=np.int32)[np.maximum(indexes, 0)], missing)


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
        carry = self._carry

        # Runs (envelope changes) that cover this block: the one open at its start and those after.
        runs = self.runs[self._run_cursor:]
        run_starts = np.array([run[0] for run in runs], dtype=np.int64)
        run_rows = run_starts[1:] - positions[0]
        run_rows = run_rows[run_rows < count]
        run_flags = np.zeros(count, dtype=np.int32)
        run_flags[run_rows] = 1
        run_index = np.cumsum(run_flags)
        interchange = np.array([_or_none(run[1]) for run in runs], dtype=np.int32)[run_index]
        group = np.array([_or_none(run[2]) for run in runs], dtype=np.int32)[run_index]
        transaction = np.array([_or_none(run[3]) for run in runs], dtype=np.int32)[run_index]
        kind = np.array([_kind(run[4]) for run in runs], dtype=np.int8)[run_index]
        self._run_cursor += int(run_index[-1])
        if runs[0][0] == positions[0]:
            run_rows = np.concatenate(([0], run_rows))

        # Context changes, shifted by one: slot 0 holds the context carried from the previous block,
        # so "the last change at or before each segment" is a single gather.
        change_loop = np.full(count + 1, NONE, dtype=np.int32)
        change_claim = np.full(count + 1, NONE, dtype=np.int32)
        change_line = np.full(count + 1, NONE, dtype=np.int32)
        change_hl = np.full(count + 1, NONE, dtype=np.int32)
        change = np.zeros(count + 1, dtype=bool)
        hl_values = [carry.hl_id or ""]
        hl_positions = [carry.hl_position]
        change_loop[0], change_claim[0], change_line[0] = carry.loop, carry.claim_seq, carry.line_seq
        change_hl[0] = 0 if carry.hl_id is not None else NONE
        change[0] = True
        change[run_rows + 1] = True
        change_loop[run_rows + 1] = np.where(transaction[run_rows] == NONE, LOOP["envelope"], NONE)
        # Only segments that can open a loop move the state; the rest inherit the last change.
        decisive = np.flatnonzero(_DECISIVE[codes] & (kind > 0))
        if len(decisive):
            self._place_openers(segments, element_separator, decisive, positions[decisive], codes[decisive],
                                transaction[decisive], kind[decisive], hl_values, hl_positions,
                                change[1:], change_loop[1:], change_claim[1:], change_line[1:], change_hl[1:])

        last_change = np.maximum.accumulate(np.where(change, np.arange(count + 1, dtype=np.int32), 0))[1:]
        context = BlockContext(
            interchange_seq=interchange,
            group_seq=group,
            transaction_seq=transaction,
            loop=change_loop[last_change],
            hl_index=change_hl[last_change],
            hl_values=hl_values,
            hl_positions=hl_positions,
            claim_seq=change_claim[last_change],
            line_seq=change_line[last_change],
        )
        if len(decisive):
            decisive_codes = codes[decisive]
            self.claims += int(np.count_nonzero(
                _COUNTED_CLAIMS[decisive_codes] & (context.claim_seq[decisive] >= 0)))
            self.service_lines += int(np.count_nonzero(
                _COUNTED_LINES[decisive_codes] & (context.line_seq[decisive] >= 0)))
        last = count - 1
        self._carry.loop = int(context.loop[last])
        last_hl = int(context.hl_index[last])
        self._carry.hl_id = hl_values[last_hl] if last_hl >= 0 else None
        self._carry.hl_position = hl_positions[last_hl] if last_hl >= 0 else NONE
        self._carry.claim_seq = int(context.claim_seq[last])
        self._carry.line_seq = int(context.line_seq[last])
        return context

    def _place_openers(self, segments: BlockSegments, element_separator: str, rows: np.ndarray,
                       positions: np.ndarray, codes: np.ndarray, transaction: np.ndarray, kind: np.ndarray,
                       hl_values: list[str], hl_positions: list[int], change: np.ndarray,
                       change_loop: np.ndarray, change_claim: np.ndarray, change_line: np.ndarray,
                       change_hl: np.ndarray) -> None:
        """Loop state over the block's decisive segments (`rows`); marks the loop openers among them."""
        carry = self._carry
        count = len(rows)
        # Segments of one transaction set are consecutive: a group is a run of equal transaction_seq.
        transaction_start = np.diff(transaction, prepend=transaction[0] - 1) != 0
        continues = bool(transaction[0] == carry.transaction_seq)
        segmented = _Segmented.from_flags(transaction_start, continues)

        remit = kind == _KIND_835
        claim = kind == _KIND_837
        claim_start = (remit & (codes == _CLP)) | (claim & (codes == _CLM))
        claim_number = segmented.cumsum(claim_start, carry.claim_number)

        # 835 loop openers
        remit_loop = np.full(count, NONE, dtype=np.int64)
        for code, loop in _REMIT_OPENERS.items():
            remit_loop[remit & (codes == code)] = loop
        line_opener = remit & (codes == _SVC) & (claim_number > 0)
        remit_loop[line_opener] = LOOP["2110"]
        party_indexes = np.flatnonzero(remit & (codes == _N1) & (claim_number == 0))
        [parties] = segments.element_texts(rows[party_indexes], (1,), element_separator)
        for index, party in zip(party_indexes.tolist(), parties, strict=True):
            if party in _PARTY_LOOPS:
                remit_loop[index] = _PARTY_LOOPS[party]

        # 837 levels and claims
        level = claim & (codes == _HL)
        last_claim_position = segmented.fill(claim_start & claim, positions, carry.last_claim_position, 0)
        last_level_position = segmented.fill(level, positions, carry.last_level_position, 0)
        in_claim = claim & (last_claim_position > last_level_position)
        level_indexes = np.flatnonzero(level)
        first_hl = len(hl_values)
        hl_values.append(carry.level_hl_id or "")
        hl_positions.append(carry.level_hl_position)
        level_rows = rows[level_indexes]
        hl_ids, level_codes = segments.element_texts(level_rows, (1, 3), element_separator)
        hl_values.extend(hl_id or "" for hl_id in hl_ids)
        hl_positions.extend(positions[level_indexes].tolist())
        hl_of_row = np.full(count, NONE, dtype=np.int64)
        hl_of_row[level_indexes] = first_hl + 1 + np.arange(len(level_indexes))
        level_hl = segmented.fill(level, hl_of_row, first_hl if carry.level_hl_id is not None else NONE, NONE)

        line_start = line_opener | (claim & (codes == _LX) & in_claim)
        by_claim = _Segmented.from_flags(transaction_start | claim_start, continues and not claim_start[0])
        line_number = by_claim.cumsum(line_start, carry.line_number)

        major = np.full(count, NONE, dtype=np.int64)
        major[level_indexes] = [_LEVELS.get(level_code, LOOP["2000"]) for level_code in level_codes]
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

        opener = (remit_loop >= 0) | claim_opener
        not_se = codes != _SE
        opener_rows = rows[opener]
        change[opener_rows] = True
        change_loop[opener_rows] = np.where(remit_loop >= 0, remit_loop, claim_loop)[opener]
        change_claim[opener_rows] = np.where(remit & ((codes == _CLP) | line_opener), claim_number, np.where(
            claim_opener & in_claim & not_se, claim_number, NONE))[opener]
        change_line[opener_rows] = np.where(line_opener, line_number, np.where(
            claim_opener & in_claim & (line_number > 0) & not_se, line_number, NONE))[opener]
        change_hl[opener_rows] = np.where(claim_opener, level_hl, NONE)[opener]

        last = count - 1
        self._carry = _Carry(
            transaction_seq=int(transaction[last]),
            claim_number=int(claim_number[last]),
            line_number=int(line_number[last]),
            last_claim_position=int(last_claim_position[last]),
            last_level_position=int(last_level_position[last]),
            level_hl_id=hl_values[level_hl[last]] if level_hl[last] >= 0 else None,
            level_hl_position=hl_positions[level_hl[last]] if level_hl[last] >= 0 else NONE,
            last_major_loop=int(last_major[last]),
            loop=carry.loop, hl_id=carry.hl_id, hl_position=carry.hl_position, claim_seq=carry.claim_seq,
            line_seq=carry.line_seq,
        )


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


def _or_none(value: int | None) -> int:
    return NONE if value is None else value


def _kind(set_id: str | None) -> int:
    return {"835": _KIND_835, "837": _KIND_837}.get(set_id or "", 0)
