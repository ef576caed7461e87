"""Cut UTF-8 X12 bytes into blocks that numpy can split on one terminator.

A block is a run of complete segments sharing one set of delimiters: it ends right after a segment
terminator (or is the file's unterminated last segment). Delimiters come from each ISA. An ISA that
declares other delimiters is noticed where it can be seen cheaply: at the start of the unread text
here, and inside a block by its segment id once the block is split; the loader then calls `cut`, and
the rest of the block is read again with the new delimiters. Only the text between blocks is looked
at in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from denials.x12.delimiters import Delimiters, IsaHeader, read_isa
from denials.x12.errors import X12Rejected

WHITESPACE = " \t\r\n\ufeff"
# Some senders declare a newline as the terminator yet still start each line with "~"; the "~" is then
# kept as text between segments rather than taken as part of the segment id.
NEWLINE_TERMINATED_LEAD = WHITESPACE + "~"
_ASCII_WHITESPACE = b" \t\r\n"
_BOM = "\ufeff".encode()
# Enough bytes to hold any ISA (106 characters, more when senders pad oddly, up to 4 bytes each).
_ISA_WINDOW = 1600
# No real segment comes near this; past it the declared terminator is wrong, and reading on would
# hold the whole file in memory.
MAX_SEGMENT_BYTES = 64 * 2**20


def lead_characters(delimiters: Delimiters) -> str:
    return NEWLINE_TERMINATED_LEAD if delimiters.segment in "\r\n" else WHITESPACE


@dataclass(frozen=True)
class Block:
    data: bytes  # UTF-8: complete segments, each followed by the terminator
    delimiters: Delimiters
    first_position: int  # 1-based position of the block's first segment in the file
    segment_count: int
    unterminated: bool = False  # the last segment had no terminator in the file (one was added here)
    # Whitespace before the block's first segment (an ISA) that is leading text, even where it holds
    # the terminator character (a newline before a newline-terminated interchange).
    lead_bytes: int = 0


@dataclass
class BlockReadResult:
    segment_count: int = 0
    trailing_text: str = ""
    unterminated_position: int | None = None


class BlockReader:
    def __init__(self) -> None:
        self.result = BlockReadResult()
        self._delimiters: Delimiters | None = None
        self._terminator = b""
        self._buffer = b""
        self._done = False

    def read(self, chunks: Iterable[bytes]) -> Iterator[Block]:
        iterator = iter(chunks)
        at_eof = False
        while not self._done:
            block = self._next_block(at_eof)
            if block is not None:
                yield block
            elif at_eof:
                break
            else:
                chunk = next(iterator, None)
                if chunk is None:
                    at_eof = True
                else:
                    self._buffer += chunk

    def cut(self, block: Block, offset: int, segments: int) -> None:
        """Keep only the first `segments` segments (`offset` bytes) of the block just read: an ISA with
        other delimiters starts there, so the rest is read again under its own delimiters."""
        self._buffer = block.data[offset:] + self._buffer
        self.result.segment_count -= block.segment_count - segments
        self._delimiters = None

    def _next_block(self, at_eof: bool) -> Block | None:
        buffer = self._buffer
        start = _skip_lead(buffer)
        lead = 0
        if self._delimiters is None:
            if start == len(buffer):
                if at_eof:
                    self._finish(buffer)
                return None
            if not self._adopt_isa(buffer, start, at_eof):
                return None  # need more text to read the whole ISA
            lead = start
        elif buffer.startswith(b"ISA", start):
            header = self._isa_at(buffer, start, at_eof)
            if header is None:
                return None
            if header.delimiters != self._delimiters:
                self._delimiters = None
                return self._next_block(at_eof)
        last_terminator = buffer.rfind(self._terminator)
        if last_terminator < 0:
            if at_eof:
                return self._tail(buffer, lead)
            if len(buffer) > MAX_SEGMENT_BYTES:
                raise X12Rejected(
                    f"no segment terminator in the {MAX_SEGMENT_BYTES // 2**20} MB after segment "
                    f"{self.result.segment_count}: the file does not use the terminator its ISA declares"
                )
            return None
        cut = last_terminator + len(self._terminator)
        if cut <= lead:
            if not at_eof and len(buffer) <= MAX_SEGMENT_BYTES:
                self._delimiters = None  # adopt the ISA again once more text is in
                return None
            return self._tail(buffer, lead) if at_eof else None
        self._buffer = buffer[cut:]
        return self._block(buffer[:cut], lead=lead)

    def _isa_at(self, buffer: bytes, start: int, at_eof: bool) -> IsaHeader | None:
        window = buffer[start:start + _ISA_WINDOW]
        return read_isa(window.decode("utf-8", errors="ignore"), 0, self.result.segment_count + 1,
                        at_eof or len(buffer) - start > _ISA_WINDOW)

    def _adopt_isa(self, buffer: bytes, start: int, at_eof: bool) -> bool:
        position = self.result.segment_count + 1
        if buffer[start : start + 3] != b"ISA":
            if len(buffer) - start < 3 and not at_eof:
                return False
            if self.result.segment_count == 0:
                raise X12Rejected("the file does not start with an ISA segment (segment 1)")
            raise X12Rejected(f"data after IEA at segment {position} does not start a new ISA")
        header = self._isa_at(buffer, start, at_eof)
        if header is None:
            return False
        self._delimiters = header.delimiters
        self._terminator = header.delimiters.segment.encode()
        return True

    def _block(self, data: bytes, unterminated: bool = False, lead: int = 0) -> Block:
        count = data.count(self._terminator) - data[:lead].count(self._terminator)
        block = Block(data, self._delimiters, self.result.segment_count + 1, count, unterminated, lead)
        self.result.segment_count += count
        return block

    def _tail(self, tail: bytes, lead: int = 0) -> Block | None:
        stripped = _strip_trailing(tail)
        if _skip_lead(stripped) == len(stripped):
            self._finish(tail)
            return None
        block = self._block(stripped + self._terminator, unterminated=True, lead=lead)
        self.result.unterminated_position = self.result.segment_count
        self._finish(tail[len(stripped) :])
        return block

    def _finish(self, trailing: bytes) -> None:
        if self.result.segment_count == 0:
            raise X12Rejected("the file holds no X12 segments (empty or whitespace only)")
        self._done = True
        self._buffer = b""
        self.result.trailing_text = trailing.decode("utf-8")


def _skip_lead(data: bytes) -> int:
    index = 0
    while index < len(data):
        if data[index] in _ASCII_WHITESPACE:
            index += 1
        elif data.startswith(_BOM, index):
            index += len(_BOM)
        else:
            break
    return index


def _strip_trailing(data: bytes) -> bytes:
    while True:
        stripped = data.rstrip(_ASCII_WHITESPACE)
        if stripped.endswith(_BOM):
            stripped = stripped[: -len(_BOM)]
        if stripped == data:
            return data
        data = stripped
