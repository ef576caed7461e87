"""From a mart row back to the raw X12 segments it came from, with identifiers masked.

The marts carry lineage (remit_file_id and the position of the SVC or CLP segment; claim_file_id and the
position of the 837 LX). The raw segments live in the warehouse itself (raw.x12_segments), not in the
published copy: open it read-only after the build. Segments that name people (NM1, N3, N4, DMG, PER) or
carry free text (NTE) are left out; account, line, authorization and payer claim numbers are masked.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from denials.insights.formatting import mask

LEFT_OUT = ("NM1", "N3", "N4", "DMG", "PER", "NTE")
# segment id -> element positions (1-based) that hold an identifier
MASKED_ELEMENTS = {"CLP": (1, 7), "CLM": (1,), "REF": (2,)}


def _masked_text(segment_id: str, separator: str, elements: list[str] | None, text: str) -> str:
    positions = MASKED_ELEMENTS.get(segment_id)
    if not positions or not separator or not elements:
        return text
    parts = [segment_id, *elements]
    for position in positions:
        if position < len(parts) and parts[position]:
            parts[position] = mask(parts[position])
    return separator.join(parts)


def loop_segments(con: duckdb.DuckDBPyConnection, file_id: int, segment_position: int,
                  show_identifiers: bool = False) -> pd.DataFrame:
    """The segments of the line loop that holds (file_id, segment_position), with its claim segment.

    For an 835 SVC: the CLP and the SVC loop (DTM, CAS, REF, AMT, LQ); for an 837 LX: the CLM and the LX
    loop (SV1/SV2, DTP, REF, LIN, CTP).
    """
    frame = con.execute("""
        with anchor as (
            select file_id, transaction_seq, claim_seq, line_seq
            from raw.x12_segments where file_id = ? and segment_position = ?
        )
        select s.segment_position, s.segment_id, s.loop_id, s.element_separator, s.elements, s.segment_text
        from raw.x12_segments s join anchor a
            on s.file_id = a.file_id and s.transaction_seq = a.transaction_seq and s.claim_seq = a.claim_seq
        where (s.line_seq = a.line_seq or (s.line_seq is null and s.segment_id in ('CLP', 'CLM')))
            and s.segment_id not in (select unnest(?::varchar[]))
        order by s.segment_position""", [file_id, segment_position, list(LEFT_OUT)]).df()
    if not show_identifiers:
        frame["segment_text"] = [
            _masked_text(segment_id, separator, list(elements) if elements is not None else None, text)
            for segment_id, separator, elements, text in zip(
                frame["segment_id"], frame["element_separator"], frame["elements"], frame["segment_text"],
                strict=True)]
    return frame[["segment_position", "segment_id", "loop_id", "segment_text"]]
