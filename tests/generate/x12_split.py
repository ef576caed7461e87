"""A deliberately small X12 reader for the generator's tests, independent of the loader.

It reads each interchange's delimiters from its own ISA (element separator at position 3,
component separator at 104, segment terminator at 105) and yields the segments as lists of
elements, so the tests check the files the way any consumer would see them.
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


def interchanges(path: Path) -> Iterator[Interchange]:
    text = path.read_text(encoding="ascii")
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        if text[position : position + 3] != "ISA":
            raise AssertionError(f"{path}: expected ISA at offset {position}")
        header = text[position : position + ISA_LENGTH]
        element, component, terminator = header[3], header[104], header[105]
        segments = []
        while True:
            end = text.index(terminator, position)
            segment = text[position:end].strip()
            position = end + 1
            segments.append(segment.split(element))
            if segments[-1][0] == "IEA":
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
