"""Rebuild a loaded X12 file, byte for byte, from its raw rows: the proof that the raw layer is lossless."""

from __future__ import annotations

import duckdb

REBUILD_SQL = """
select array_to_string(list(
    coalesce(segments.leading_text, '')
    || segments.segment_text
    || case when segments.is_terminated then interchanges.segment_terminator else '' end
    order by segments.segment_position
), '')
from raw.x12_segments as segments
left join raw.x12_interchanges as interchanges
    on segments.file_id = interchanges.file_id
    and segments.interchange_seq = interchanges.interchange_seq
where segments.file_id = ?
"""


def rebuild_file(con: duckdb.DuckDBPyConnection, file_id: int) -> bytes:
    registry_row = con.execute(
        "select text_encoding, coalesce(trailing_text, '') from raw.file_registry where file_id = ?",
        [file_id],
    ).fetchall()
    if not registry_row:
        raise KeyError(f"no file {file_id} in the registry")
    encoding, trailing = registry_row[0]
    body = con.execute(REBUILD_SQL, [file_id]).fetchall()[0][0] or ""
    return (body + trailing).encode(encoding or "utf-8")
