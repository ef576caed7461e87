"""Cut decoded X12 text into blocks that DuckDB can split on one terminator.

A block is a run of complete segments sharing one set of delimiters: it ends right after a segment
terminator (or is the file's unterminated last segment). Delimiters come from each ISA; when a later
interchange declares other delimiters, the block is cut before it. Only the text between blocks is
looked at in Python; splitting into segments happens in C (Arrow), never per segment in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from denials.x12.delimiters import Delimiters, read_isa
from denials.x12.errors import X12Rejected

WHITESPACE = " \t\r\n\ufeff"
# Some senders declare a newline as the terminator yet still start each line with "~"; the "~" is then
# kept as text between segments rather than taken as part of the segment id.
NEWLINE_TERMINATED_LEAD = WHITESPACE + "~"


def lead_characters(delimiters: Delimiters) -> str:
    return NEWLINE_TERMINATED_LEAD if delimiters.segment in "\r\n" else WHITESPACE


@dataclass(frozen=True)
class Block:
    text: str  # complete segments, each followed by the terminator
    delimiters: Delimiters
    first_position: int  # 1-based position of the block's first segment in the file
    segment_count: int
    unterminated: bool = False  # the last segment had no terminator in the file (one was added here)


@dataclass
class BlockReadResult:
    segment_count: int = 0
    trailing_text: str = ""
    unterminated_position: int | None = None


class BlockReader:
    def __init__(self) -> None:
        self.result = BlockReadResult()
        self._delimiters: Delimiters | None = None
        self._isa_pattern: re.Pattern[str] | None = None

    def read(self, chunks: Iterable[str]) -> Iterator[Block]:
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
                    start = _skip(buffer, WHITESPACE)
                    if start == len(buffer):
                        if at_eof:
                            self._finish(buffer)
                        break
                    if not self._adopt_isa(buffer, start, at_eof):
                        break  # need more text to read the whole ISA
                else:
                    start = _skip(buffer, WHITESPACE)
                    if buffer.startswith("ISA", start):
                        header = read_isa(buffer, start, self.result.segment_count + 1, at_eof)
                        if header is None:
                            break  # need more text to read the whole ISA
                        if header.delimiters != self._delimiters:
                            self._delimiters = None
                            continue
                terminator = self._delimiters.segment
                cut = buffer.rfind(terminator) + 1
                if cut == 0:
                    if at_eof:
                        yield from self._tail(buffer)
                    break
                complete, rest = buffer[:cut], buffer[cut:]
                switch = self._delimiter_switch(complete)
                if switch is not None:
                    complete, rest = complete[:switch], complete[switch:] + rest
                if complete:
                    yield self._block(complete)
                buffer = rest
                if switch is not None:
                    self._delimiters = None
                    continue
                if not at_eof:
                    break  # read the next chunk; at the end, go round once more for the tail

    def _adopt_isa(self, buffer: str, start: int, at_eof: bool) -> bool:
        position = self.result.segment_count + 1
        if buffer[start : start + 3] != "ISA":
            if len(buffer) - start < 3 and not at_eof:
                return False
            if self.result.segment_count == 0:
                raise X12Rejected("the file does not start with an ISA segment (segment 1)")
            raise X12Rejected(f"data after IEA at segment {position} does not start a new ISA")
        header = read_isa(buffer, start, position, at_eof)
        if header is None:
            return False
        self._delimiters = header.delimiters
        lead = "".join(re.escape(c) for c in lead_characters(header.delimiters))
        self._isa_pattern = re.compile(re.escape(header.delimiters.segment) + f"[{lead}]*ISA")
        return True

    def _delimiter_switch(self, text: str) -> int | None:
        """Offset just after the terminator that precedes an ISA declaring other delimiters."""
        for match in self._isa_pattern.finditer(text):
            isa_start = match.end() - 3
            header = read_isa(text, isa_start, 0, True)
            if header.delimiters != self._delimiters:
                return match.start() + 1
        return None

    def _block(self, text: str, unterminated: bool = False) -> Block:
        count = text.count(self._delimiters.segment)
        block = Block(text, self._delimiters, self.result.segment_count + 1, count, unterminated)
        self.result.segment_count += count
        return block

    def _tail(self, tail: str) -> Iterator[Block]:
        stripped = tail.rstrip(WHITESPACE)
        if stripped.strip(WHITESPACE):
            yield self._block(stripped + self._delimiters.segment, unterminated=True)
            self.result.unterminated_position = self.result.segment_count
        self._finish(tail[len(stripped) :] if stripped.strip(WHITESPACE) else tail)

    def _finish(self, trailing: str) -> None:
        if self.result.segment_count == 0:
            raise X12Rejected("the file holds no X12 segments (empty or whitespace only)")
        self.result.trailing_text = trailing


def _skip(text: str, characters: str) -> int:
    index = 0
    while index < len(text) and text[index] in characters:
        index += 1
    return index
