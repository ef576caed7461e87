"""Splitting blocks into segments with numpy: the fast paths agree with plain Python splitting."""

from __future__ import annotations

import numpy as np
import pytest

from denials.x12.blocks import Block
from denials.x12.delimiters import Delimiters
from denials.x12.segments import segment_id_of, split_block

STAR_TILDE = Delimiters("*", ":", "^", "~")


def _block(text: str, delimiters: Delimiters = STAR_TILDE) -> Block:
    data = text.encode()
    return Block(data, delimiters, 1, data.count(delimiters.segment.encode()))


def _python_split(text: str, terminator: str, lead: str) -> list[tuple[str | None, str]]:
    pieces = text.split(terminator)[:-1]
    return [(piece[: len(piece) - len(piece.lstrip(lead))] or None, piece.lstrip(lead)) for piece in pieces]


@pytest.mark.parametrize("text", [
    "ISA*00~GS*HP~ST*835*1~SE*2*1~",  # no leads
    "ISA*00~\nGS*HP~\nST*835*1~\nSE*2*1~",  # the same newline after every terminator
    "\nISA*00~\r\nGS*HP~\r\nST*835*1~\r\nSE*2*1~",  # CRLF, and a lead before the first segment
    "ISA*00~\nGS*HP~\r\n  ST*835*1~SE*2*1~",  # mixed leads
    "ISA*00~\n\ufeffISA*00~\nGS*HP~",  # a BOM where two files were appended
    "ISA*00~\n~\nGS*HP\n*X~",  # an empty segment, and a newline inside a segment
])
def test_texts_and_leads_match_a_plain_split(text: str) -> None:
    segments = split_block(_block(text))
    expected = _python_split(text, "~", " \t\r\n\ufeff")
    assert list(zip(segments.leading.to_pylist(), segments.texts.to_pylist(), strict=True)) == expected
    assert [segment_id_of(int(code)) for code in segments.id_codes] == [t.split("*")[0] for _, t in expected]


def test_elements_read_by_window_match_a_plain_split() -> None:
    long_id = "X" * 60
    rows = ["HL*1**20*1", "HL*2*1*22*0", "HL**", "HL", f"HL*{long_id}*1*23", "HL*\u00c9T\u00c9*1*22"]
    segments = split_block(_block("".join(row + "~" for row in rows)))
    every_row = np.arange(len(rows))
    indexes = (1, 2, 3, 4, 5)
    expected = [[row.split("*")[index] if len(row.split("*")) > index else None for row in rows]
                for index in indexes]
    assert segments.element_texts(every_row, indexes, "*") == expected
