"""Delimiters of one interchange, read from its ISA segment.

The ISA is nominally 106 fixed-width characters, but real senders trim padding, so the ISA is read by
counting element separators rather than by offsets: the separator is the character after "ISA", ISA16
(the component separator) is the character after the sixteenth separator, and the segment terminator
is the character after ISA16.
"""

from __future__ import annotations

from dataclasses import dataclass

from denials.x12.errors import X12Rejected

ISA_FIXED_LENGTH = 106
ISA_ELEMENT_COUNT = 16


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str

    def as_tuple(self) -> tuple[str, str, str | None, str]:
        return (self.element, self.component, self.repetition, self.segment)


@dataclass(frozen=True)
class IsaHeader:
    delimiters: Delimiters
    elements: list[str]
    length: int  # characters from "ISA" up to and including ISA16


def read_isa(text: str, start: int, segment_position: int, at_eof: bool) -> IsaHeader | None:
    """Parse the ISA beginning at text[start]. Returns None when more text is needed (not at EOF)."""
    if len(text) - start < 4:
        if at_eof:
            raise X12Rejected(f"truncated ISA at segment {segment_position}: the file ends inside it")
        return None
    element = text[start + 3]
    if element.isalnum() or element in " \r\n\t":
        raise X12Rejected(
            f"ISA at segment {segment_position} has no valid element separator in position 4"
        )
    cursor = start + 3  # the separator before ISA01; fifteen more lead to the one before ISA16
    for _ in range(ISA_ELEMENT_COUNT - 1):
        cursor = text.find(element, cursor + 1, start + 400)
        if cursor < 0:
            break
    if cursor < 0 or cursor + 2 >= len(text):
        if not at_eof and len(text) - start < 400:
            return None
        raise X12Rejected(
            f"truncated ISA at segment {segment_position}: fewer than 16 elements or no segment terminator"
        )
    component = text[cursor + 1]
    terminator = text[cursor + 2]
    fields = text[start:cursor + 2].split(element)
    if terminator.isalnum() or terminator in (element, component):
        raise X12Rejected(
            f"ISA at segment {segment_position} has no valid segment terminator after ISA16"
        )
    if component.isalnum() or component == element:
        raise X12Rejected(f"ISA at segment {segment_position} has an invalid component separator (ISA16)")
    repetition = fields[11] if len(fields[11]) == 1 and not fields[11].isalnum() else None
    if repetition in (element, component, terminator):
        repetition = None
    return IsaHeader(
        delimiters=Delimiters(element, component, repetition, terminator),
        elements=fields[1:],
        length=cursor + 2 - start,
    )
