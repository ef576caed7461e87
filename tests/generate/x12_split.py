"""A deliberately small X12 reader for the generator's tests, independent of the loader.

It reads each interchange's delimiters from its own ISA (the element separator is its fourth
character, the component separator ISA16 and the segment terminator the character after it, at 104
and 105 in a well-formed ISA) and yields the segments as lists of elements, so the tests check the
files the way any consumer would see them. The public samples' tests read them leniently: any
encoding, and text after the last interchange ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ISA_LENGTH = 106


@dataclass
class Interchange:
    element: str
    component: str
    terminator: str
    segments: list[list[str]]


def interchanges(path: Path, encoding: str = "ascii", lenient: bool = False) -> Iterator[Interchange]:
    text = path.read_text(encoding=encoding)
    position = text.find("ISA") if lenient else 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        if text[position : position + 3] != "ISA":
            if lenient:
                return
            raise AssertionError(f"{path}: expected ISA at offset {position}")
        element = text[position + 3]
        # ISA16 and the terminator after it: at 104 and 105, or wherever a short ISA puts them when lenient
        header = text[position : position + 2 * ISA_LENGTH]
        isa16 = len(element.join(header.split(element, 16)[:16])) + 1
        if not lenient and isa16 != ISA_LENGTH - 2:
            raise AssertionError(f"{path}: the ISA at offset {position} is not {ISA_LENGTH} characters long")
        component, terminator = header[isa16], header[isa16 + 1]
        segments = []
        while True:
            end = text.find(terminator, position)
            if end < 0 and not lenient:
                raise AssertionError(f"{path}: no segment terminator after offset {position}")
            end = len(text) if end < 0 else end
            segment = text[position:end].strip()
            position = end + 1
            segments.append(segment.split(element))
            if segments[-1][0] == "IEA" or (lenient and position >= len(text)):
                break
        yield Interchange(element, component, terminator, segments)


def transactions(interchange: Interchange) -> Iterator[list[list[str]]]:
    """The segments of each ST..SE, inclusive."""
    current: list[list[str]] | None = None
    for segment in interchange.segments:
        if segment[0] == "ST":
            current = [segment]
        elif current is not None:
            current.append(segment)
            if segment[0] == "SE":
                yield current
                current = None


def all_segments(paths: list[Path]) -> Iterator[tuple[Interchange, list[str]]]:
    for path in paths:
        for interchange in interchanges(path):
            for segment in interchange.segments:
                yield interchange, segment
