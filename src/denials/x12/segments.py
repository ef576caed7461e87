"""Cut a block of X12 bytes into segment arrays with numpy, without a Python step per segment.

The block's bytes are scanned once for terminators; everything else (text between blocks, segment
ids, leading whitespace) is found by gathering a few bytes at each segment start. Texts become one
Arrow string array over a copy of the block with terminators and leading characters removed.

Segment ids are coded as small integers (base 37 over A-Z0-9): masks such as "is CLP" are one
gather, and the codes are what raw.x12_segment_rows stores (raw.x12_segment_ids spells them out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from denials.x12.arrow_arrays import dictionary, strings, utf8_from_buffers
from denials.x12.blocks import Block, lead_characters
from denials.x12.delimiters import read_isa
from denials.x12.errors import X12Rejected

_BASE = 37  # 0 = no character, 1-26 = A-Z, 27-36 = 0-9
_INVALID_CHARACTER = _BASE  # any other byte
CODE_SPACE = _BASE**3
EMPTY_ID_CODE = 0
BOM = "\ufeff".encode()
_ELEMENT_WINDOW = 48  # bytes read per segment to find one of its first elements

ID_ALPHABET = " ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # digit value -> character; 0 is "none"
_CHARACTER_CODES = np.full(256, _INVALID_CHARACTER, dtype=np.int32)
for _digit, _character in enumerate(ID_ALPHABET[1:], start=1):
    _CHARACTER_CODES[ord(_character)] = _digit


def segment_id_code(segment_id: str) -> int:
    """The code of a valid segment id (2-3 capitals/digits, a capital first)."""
    digits = [ID_ALPHABET.index(c) for c in segment_id] + [0] * (3 - len(segment_id))
    return (digits[0] * _BASE + digits[1]) * _BASE + digits[2]


_ISA_CODE = segment_id_code("ISA")


def segment_id_of(code: int) -> str:
    first, rest = divmod(code, _BASE * _BASE)
    second, third = divmod(rest, _BASE)
    return "".join(ID_ALPHABET[d] for d in (first, second, third) if d)


def code_lookup(*segment_ids: str) -> np.ndarray:
    """A table indexed by segment id code: True for the given ids (a mask is one gather)."""
    table = np.zeros(CODE_SPACE, dtype=bool)
    table[[segment_id_code(segment_id) for segment_id in segment_ids]] = True
    return table


@dataclass
class BlockSegments:
    first_position: int
    positions: np.ndarray  # int32, 1-based file positions
    id_codes: np.ndarray  # int32 segment id codes (EMPTY_ID_CODE for an empty segment)
    texts: pa.StringArray  # segment text without terminator and leading characters
    leading: pa.Array  # text between the previous terminator and the segment; null when none
    is_terminated: np.ndarray  # bool
    raw_starts: np.ndarray  # byte offset in the block where each segment's leading text begins

    def __len__(self) -> int:
        return len(self.positions)

    def text_at(self, index: int) -> str:
        return self.texts[index].as_py()

    def element_texts(self, rows: np.ndarray, indexes: tuple[int, ...],
                      separator: str) -> list[list[str | None]]:
        """For each element index (1 = XX01), that element of each row; None where the segment has
        fewer elements. Read from one window of bytes per row with numpy; a row whose element runs
        past the window, or holds non-ASCII text, is split in Python."""
        if not len(rows):
            return [[] for _ in indexes]
        _, offsets_buffer, data_buffer = self.texts.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[self.texts.offset:]
        data = np.concatenate((np.frombuffer(data_buffer, dtype=np.uint8),
                               np.zeros(_ELEMENT_WINDOW, dtype=np.uint8)))
        row_lengths = offsets[rows + 1] - offsets[rows]
        window = np.lib.stride_tricks.sliding_window_view(data, _ELEMENT_WINDOW)[offsets[rows]]
        inside = np.arange(_ELEMENT_WINDOW) < row_lengths[:, None]
        is_separator = (window == ord(separator)) & inside
        field = np.cumsum(is_separator, axis=1, dtype=np.int16)
        separators = field[:, -1]
        non_ascii = (window >= 128).any(axis=1)
        result = []
        for index in indexes:
            in_element = (field == index) & ~is_separator & inside
            lengths = in_element.sum(axis=1)
            # Elements end to end with a NUL after each (control bytes never reach here), split at once.
            picked = np.insert(window[in_element], np.cumsum(lengths), 0)
            values: list[str | None] = picked.tobytes().decode("latin-1").split("\0")[:-1]
            for position in np.flatnonzero(separators < index).tolist():
                values[position] = None
            inexact = ((row_lengths > _ELEMENT_WINDOW) & (separators <= index)) | non_ascii
            for position in np.flatnonzero(inexact).tolist():
                text = self.texts_at(rows[position : position + 1])[0]
                values[position] = _split_element(text, index, separator)
            result.append(values)
        return result

    def texts_at(self, rows: np.ndarray) -> list[str]:
        """Texts of a few rows, read from the array's buffers (Arrow's `take` would import pandas)."""
        _, offsets_buffer, data_buffer = self.texts.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[self.texts.offset:]
        data = memoryview(data_buffer)
        return [str(data[offsets[row]:offsets[row + 1]], "utf-8") for row in rows.tolist()]


def _split_element(text: str, index: int, separator: str) -> str | None:
    elements = text.split(separator)
    return elements[index] if len(elements) > index else None


def split_block(block: Block) -> BlockSegments:
    lead = lead_characters(block.delimiters)
    ascii_delimiters = all(ord(c) < 128 for c in (block.delimiters.element, block.delimiters.segment))
    if ascii_delimiters:
        return _split_bytes(block, lead)
    return _split_text(block, lead)


def _split_bytes(block: Block, lead: str) -> BlockSegments:
    data = block.data
    size = len(data)
    # Padding lets the gathers below read a few bytes past the end without bounds checks.
    padded = np.frombuffer(data + b"\0\0\0\0", dtype=np.uint8)
    terminator = block.delimiters.segment.encode()
    ends = np.flatnonzero(padded[:size] == terminator[0])
    if block.lead_bytes:
        ends = ends[ends >= block.lead_bytes]
    count = len(ends)
    raw_starts = np.empty(count, dtype=np.int64)
    raw_starts[0] = 0
    raw_starts[1:] = ends[:-1] + 1

    lead_lengths, uniform_lead = _leads(padded, raw_starts, ends, lead)
    starts = raw_starts + lead_lengths
    lengths = ends - starts
    if not lead_lengths.any():
        # Without leading characters the texts are the block minus its terminators.
        texts = utf8_from_buffers(np.frombuffer(data.replace(terminator, b""), dtype=np.uint8), lengths)
        leading = pa.nulls(count, pa.string())
    elif uniform_lead is not None:
        # Every segment after the first follows "terminator + the same lead" (e.g. "~" and a newline).
        first_lead = int(lead_lengths[0])
        body = data[first_lead : size - len(terminator)]
        # Deleting bytes is faster than replacing pairs, and exact when the lead bytes occur nowhere
        # but after terminators (terminators occur nowhere else by definition).
        expected = {byte: (count - 1) * uniform_lead.count(byte) for byte in set(uniform_lead)}
        if all(body.count(bytes([byte])) == times for byte, times in expected.items()):
            body = body.translate(None, terminator + uniform_lead)
        else:
            body = body.replace(terminator + uniform_lead, b"")
        texts = utf8_from_buffers(np.frombuffer(body, dtype=np.uint8), lengths)
        lead_index = np.zeros(count, dtype=np.int32)
        lead_index[0] = 1
        leading = dictionary(lead_index, [uniform_lead.decode(), data[:first_lead].decode()],
                             null=np.arange(count) == (0 if first_lead == 0 else -1))
    else:
        has_lead = np.flatnonzero(lead_lengths)
        keep = np.ones(size, dtype=bool)
        keep[ends] = False
        lead_mask = np.zeros(size, dtype=bool)
        for offset in range(int(lead_lengths.max())):
            rows = has_lead[lead_lengths[has_lead] > offset]
            lead_mask[raw_starts[rows] + offset] = True
        keep &= ~lead_mask
        texts = utf8_from_buffers(padded[:size][keep], lengths)
        leading = utf8_from_buffers(padded[:size][lead_mask], lead_lengths, valid=lead_lengths > 0)

    codes, invalid = _segment_id_codes(padded, starts, lengths, ord(block.delimiters.element))
    _reject_invalid_ids(invalid, block, codes, texts)

    terminated = np.ones(count, dtype=bool)
    if block.unterminated:
        terminated[-1] = False
    return BlockSegments(
        first_position=block.first_position,
        positions=np.arange(block.first_position, block.first_position + count, dtype=np.int32),
        id_codes=codes,
        texts=texts,
        leading=leading,
        is_terminated=terminated,
        raw_starts=raw_starts,
    )


def _leads(padded: np.ndarray, raw_starts: np.ndarray, ends: np.ndarray,
           lead: str) -> tuple[np.ndarray, bytes | None]:
    """Length in bytes of the whitespace (and BOMs) between each terminator and the next segment, and
    the lead itself when every segment after the first has the same one (such as a newline)."""
    ascii_lead = np.zeros(256, dtype=bool)
    for character in lead:
        if ord(character) < 128:
            ascii_lead[ord(character)] = True
    uniform = _uniform_lead(padded, raw_starts, ends, ascii_lead)
    if uniform is not None:
        lead_lengths = np.full(len(raw_starts), len(uniform), dtype=np.int64)
        lead_lengths[:1] = _widen(padded, raw_starts[:1], ends[:1], ascii_lead)
        return lead_lengths, uniform
    return _widen(padded, raw_starts, ends, ascii_lead), None


def _uniform_lead(padded: np.ndarray, raw_starts: np.ndarray, ends: np.ndarray,
                  ascii_lead: np.ndarray) -> bytes | None:
    """Checked byte column by byte column: the same ASCII lead byte after every terminator, then
    something that is not one."""
    following = raw_starts[1:]
    if not len(following):
        return None
    lead = b""
    while len(lead) <= 4:
        at = padded[following + len(lead)]
        inside = following + len(lead) < ends[1:]
        if not (ascii_lead[at] & inside).any():
            # A BOM may follow (files appended to one another): the general path handles it.
            return lead or None if not (at == BOM[0]).any() else None
        if not (inside.all() and (at == at[0]).all() and ascii_lead[at[0]]):
            return None
        lead += bytes([int(at[0])])
    return None


def _widen(padded: np.ndarray, raw_starts: np.ndarray, ends: np.ndarray,
           ascii_lead: np.ndarray) -> np.ndarray:
    """Lead lengths found row by row in steps (BOMs, mixed or missing leads)."""
    candidate = ascii_lead.copy()
    candidate[BOM[0]] = True
    lead_lengths = np.zeros(len(raw_starts), dtype=np.int64)
    first_bytes = padded[raw_starts]
    if not candidate[first_bytes].any():
        return lead_lengths
    active = np.flatnonzero(candidate[first_bytes] & (raw_starts < ends))
    while len(active):
        cursor = raw_starts[active] + lead_lengths[active]
        at = padded[cursor]
        step = ascii_lead[at].astype(np.int64)
        maybe_bom = np.flatnonzero(at == BOM[0])
        if len(maybe_bom):
            bom_cursor = cursor[maybe_bom]
            is_bom = (padded[bom_cursor + 1] == BOM[1]) & (padded[bom_cursor + 2] == BOM[2])
            step[maybe_bom[is_bom]] = len(BOM)
        step[cursor >= ends[active]] = 0
        moving = np.flatnonzero(step)
        lead_lengths[active[moving]] += step[moving]
        active = active[moving]
    return lead_lengths


def _segment_id_codes(padded: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                      separator: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the segment ids (the text before the first element separator), and which are invalid."""
    # The first four bytes of every segment in one gather, through an unaligned 4-byte view.
    words = np.ndarray(shape=(len(padded) - 3,), dtype="<u4", buffer=padded, strides=(1,))[starts]
    heads = [(words >> (8 * index)) & 0xFF for index in range(4)]
    id_lengths = np.full(len(starts), 4, dtype=np.int32)  # 4 = longer than any valid id
    for length in (3, 2, 1, 0):
        stops = (lengths == length) | ((lengths > length) & (heads[length] == separator))
        id_lengths[stops] = length
    # An ISA that declares other delimiters than the block's: its id ends at its own separator. The
    # loader notices it by its id and reads the rest of the block again under the new delimiters.
    other_isa = ((heads[0] == ord("I")) & (heads[1] == ord("S")) & (heads[2] == ord("A")) & (lengths > 3)
                 & (_CHARACTER_CODES[heads[3]] == _INVALID_CHARACTER))
    id_lengths[other_isa] = 3
    digits = [np.where(id_lengths > index, _CHARACTER_CODES[heads[index]], 0) for index in range(3)]
    codes = (digits[0] * _BASE + digits[1]) * _BASE + digits[2]
    invalid = (id_lengths == 1) | (id_lengths > 3) | (digits[0] > 26)
    for digit in digits:
        invalid |= digit == _INVALID_CHARACTER
    return codes.astype(np.int32), invalid


def _split_text(block: Block, lead: str) -> BlockSegments:
    """Same result for the rare interchange with non-ASCII delimiters, one Python step per segment."""
    terminator = block.delimiters.segment
    prefix = block.data[: block.lead_bytes].decode("utf-8")
    pieces = block.data[block.lead_bytes :].decode("utf-8").split(terminator)[:-1]
    if pieces:
        pieces[0] = prefix + pieces[0]
    texts, leading, codes, invalid, raw_starts = [], [], [], [], []
    offset = 0
    for piece in pieces:
        raw_starts.append(offset)
        offset += len(piece.encode()) + len(terminator.encode())
        text = piece.lstrip(lead)
        texts.append(text)
        leading.append(piece[: len(piece) - len(text)] or None)
        segment_id = text.split(block.delimiters.element, 1)[0]
        if text.startswith("ISA") and len(text) > 3 and text[3] not in ID_ALPHABET:
            segment_id = "ISA"  # declares other delimiters: the loader cuts the block here
        valid = segment_id == "" or (
            2 <= len(segment_id) <= 3 and segment_id[0] in ID_ALPHABET[1:27]
            and all(c in ID_ALPHABET[1:] for c in segment_id))
        invalid.append(not valid)
        codes.append(segment_id_code(segment_id) if valid and segment_id else EMPTY_ID_CODE)
    texts_array = strings(texts)
    _reject_invalid_ids(np.array(invalid, dtype=bool), block, np.array(codes, dtype=np.int32), texts_array)
    terminated = np.ones(len(pieces), dtype=bool)
    if block.unterminated:
        terminated[-1] = False
    return BlockSegments(
        first_position=block.first_position,
        positions=np.arange(block.first_position, block.first_position + len(pieces), dtype=np.int32),
        id_codes=np.array(codes, dtype=np.int32),
        texts=texts_array,
        leading=strings(leading),
        is_terminated=terminated,
        raw_starts=np.array(raw_starts, dtype=np.int64),
    )


def _reject_invalid_ids(invalid: np.ndarray, block: Block, codes: np.ndarray, texts: pa.StringArray) -> None:
    """Reject the first invalid segment id, unless an ISA that declares other delimiters comes before
    it: the block is then cut at that ISA and the rest read again under its own delimiters."""
    bad = np.flatnonzero(invalid)
    if not len(bad):
        return
    first_bad = int(bad[0])
    for row in np.flatnonzero(codes[1:first_bad] == _ISA_CODE).tolist():
        text = texts[row + 1].as_py()
        try:
            header = read_isa(text + block.delimiters.segment, 0, block.first_position + row + 1, True)
        except X12Rejected:
            continue
        if header.delimiters != block.delimiters:
            return
    raise X12Rejected(
        f"segment {block.first_position + first_bad} has an invalid segment id (expected 2-3 capitals/digits)"
    )
