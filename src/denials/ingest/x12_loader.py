"""Land one X12 file in the raw layer: segments in batches, then its envelope records.

The caller holds a transaction open around this, so a file that fails midway leaves no rows.
DuckDB does the element splitting (vectorised); Python only tokenises and tracks context.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from denials.ingest.loop_context import (
    CHANGES_TABLE,
    CONTEXT_CHANGES_SQL,
    LOADING_TABLE,
    PUBLISH_SQL,
    RUNS_TABLE,
)
from denials.x12.blocks import Block, BlockReader, lead_characters
from denials.x12.envelope import ENVELOPE_IDS, SUPPORTED_TRANSACTIONS, EnvelopeResult, EnvelopeTracker
from denials.x12.errors import X12Rejected

CHUNK_BYTES = 8 * 1024 * 1024
VALID_SEGMENT_ID_PATTERN = "[A-Z][A-Z0-9]{1,2}"
# Composite elements looked at to notice a body that uses another component separator than ISA16.
COMPOSITE_PROBES = {"SVC": 1, "SV1": 1, "SV2": 2, "CLM": 5}
COMPONENT_CANDIDATES = ":>^|\\<"

# Implementation guide ids (GS08/ST03) that tell professional from institutional 837s.
_837_VARIANTS = (("X222", "837P"), ("X098", "837P"), ("X223", "837I"), ("X096", "837I"),
                 ("X224", "837D"), ("X097", "837D"))

INSERT_BLOCK = f"""
insert into {LOADING_TABLE}
select segment_position, split_part(segment_text, $element_separator, 1), segment_text,
       $element_separator, leading_text
from x12_block
"""

ENVELOPE_ROWS = f"""
select segment_position, segment_id, segment_text
from {LOADING_TABLE}
where segment_position >= $first and segment_id in ({", ".join(f"'{i}'" for i in ENVELOPE_IDS)})
order by segment_position
"""


@dataclass
class X12LoadResult:
    envelope: EnvelopeResult
    segment_count: int
    trailing_text: str
    unterminated_position: int | None
    warnings: list[str] = field(default_factory=list)
    transaction_types: list[str] = field(default_factory=list)
    unsupported_types: list[str] = field(default_factory=list)


def iter_text(open_binary: Callable[[], BinaryIO], encoding: str,
              on_bytes: Callable[[int], None] | None = None) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open_binary() as stream:
        while True:
            block = stream.read(CHUNK_BYTES)
            if not block:
                break
            if on_bytes is not None:
                on_bytes(len(block))
            yield decoder.decode(block)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _insert_block(con: duckdb.DuckDBPyConnection, block: Block) -> None:
    # Splitting and trimming run in Arrow's C++ kernels: no Python work per segment.
    pieces = pc.split_pattern(pa.array([block.text], pa.large_string()), block.delimiters.segment)
    parts = pieces.flatten()
    parts = parts.slice(0, len(parts) - 1)  # the empty piece after the block's last terminator
    lead = lead_characters(block.delimiters)
    texts = pc.utf8_ltrim(parts, characters=lead)
    leading = pc.struct_field(
        pc.extract_regex(parts, "^(?P<lead>[" + "".join(_regex_escape(c) for c in lead) + "]*)"), [0])
    table = pa.table({
        "segment_position": pa.array(np.arange(block.first_position,
                                               block.first_position + len(parts), dtype=np.int32)),
        "segment_text": texts,
        "leading_text": leading,
    })
    con.register("x12_block", table)
    try:
        con.execute(INSERT_BLOCK, {"element_separator": block.delimiters.element})
    finally:
        con.unregister("x12_block")


def _regex_escape(character: str) -> str:
    return {"\t": "\\t", "\r": "\\r", "\n": "\\n"}.get(character, re.escape(character))


def load_x12(con: duckdb.DuckDBPyConnection, file_id: int, open_binary: Callable[[], BinaryIO],
             encoding: str, on_bytes: Callable[[int], None] | None = None) -> X12LoadResult:
    """Parse a file into the loading table and check its envelopes; `publish_loaded_segments` then
    moves it into raw.x12_segments inside the caller's transaction."""
    reader = BlockReader()
    tracker = EnvelopeTracker(lambda position: con.execute(
        f"select segment_id from {LOADING_TABLE} where segment_position = ?", [position]).fetchall()[0][0])
    con.execute(f"""
        create or replace temp table {LOADING_TABLE} (
            segment_position integer, segment_id varchar, segment_text varchar,
            element_separator varchar, leading_text varchar
        )
    """)
    for block in reader.read(iter_text(open_binary, encoding, on_bytes)):
        _insert_block(con, block)
        envelope_rows = con.execute(ENVELOPE_ROWS, {"first": block.first_position}).fetchall()
        for position, segment_id, text in envelope_rows:
            tracker.feed(position, segment_id, text, block.delimiters)
    tracker.finish(reader.result.segment_count)
    envelope = tracker.result
    warnings = envelope.warnings
    _check_segment_ids(con, warnings)
    _store_runs(con, envelope)
    _probe_component_separators(con, envelope)
    if reader.result.unterminated_position is not None:
        warnings.append(
            f"the last segment (segment {reader.result.unterminated_position}) has no segment terminator"
        )
    return X12LoadResult(
        envelope=envelope,
        segment_count=reader.result.segment_count,
        trailing_text=reader.result.trailing_text,
        unterminated_position=reader.result.unterminated_position,
        warnings=warnings,
        transaction_types=sorted({_transaction_type(t.set_id, t.implementation_reference)
                                  for t in envelope.transactions}),
        unsupported_types=sorted({t.set_id for t in envelope.transactions
                                  if t.set_id not in SUPPORTED_TRANSACTIONS}),
    )


def _check_segment_ids(con: duckdb.DuckDBPyConnection, warnings: list[str]) -> None:
    empty, first_invalid = con.execute(f"""
        select
            count(*) filter (where segment_id = ''),
            min(segment_position) filter (
                where segment_id <> '' and not regexp_full_match(segment_id, '{VALID_SEGMENT_ID_PATTERN}')
            )
        from {LOADING_TABLE}
    """).fetchall()[0]
    if first_invalid is not None:
        raise X12Rejected(
            f"segment {first_invalid} has an invalid segment id (expected 2-3 capitals/digits)"
        )
    if empty:
        warnings.append(f"{empty} empty segment(s) (two terminators in a row) kept")


def _store_runs(con: duckdb.DuckDBPyConnection, envelope: EnvelopeResult) -> None:
    runs = envelope.runs
    table = pa.table({
        "start_position": pa.array([run[0] for run in runs], pa.int32()),
        "interchange_seq": pa.array([run[1] for run in runs], pa.int32()),
        "group_seq": pa.array([run[2] for run in runs], pa.int32()),
        "transaction_seq": pa.array([run[3] for run in runs], pa.int32()),
        "transaction_set_id": pa.array([run[4] for run in runs], pa.string()),
    })
    con.register("runs_arrow", table)
    try:
        con.execute(f"create or replace temp table {RUNS_TABLE} as select * from runs_arrow")
    finally:
        con.unregister("runs_arrow")


def _probe_component_separators(con: duckdb.DuckDBPyConnection, envelope: EnvelopeResult) -> None:
    """Notice interchanges whose body uses another component separator than ISA16 declares."""
    probes = con.execute(f"""
        select runs.interchange_seq, arg_min(loading.segment_id, loading.segment_position),
               arg_min(loading.segment_text, loading.segment_position),
               min(loading.segment_position)
        from {LOADING_TABLE} as loading
        asof inner join {RUNS_TABLE} as runs on loading.segment_position >= runs.start_position
        where loading.segment_id in ('SVC', 'SV1', 'SV2', 'CLM')
        group by runs.interchange_seq
    """).fetchall()
    by_seq = {interchange.seq: interchange for interchange in envelope.interchanges}
    for interchange_seq, segment_id, text, position in probes:
        interchange = by_seq.get(interchange_seq)
        if interchange is None:
            continue
        delimiters = interchange.delimiters
        elements = text.split(delimiters.element)
        index = COMPOSITE_PROBES[segment_id]
        if len(elements) <= index or not elements[index] or delimiters.component in elements[index]:
            continue
        reserved = {delimiters.element, delimiters.segment, delimiters.repetition}
        used = [c for c in COMPONENT_CANDIDATES if c in elements[index] and c not in reserved]
        if len(used) == 1:
            interchange.observed_component = used[0]
            envelope.warnings.append(
                f"interchange {interchange.seq} declares ISA16 as its component separator but its body "
                f"uses another one (first seen at segment {position}); the body's is recorded"
            )


def _transaction_type(set_id: str, implementation: str | None) -> str:
    if set_id == "837" and implementation:
        for marker, variant in _837_VARIANTS:
            if marker in implementation:
                return variant
    return set_id


def publish_loaded_segments(con: duckdb.DuckDBPyConnection, file_id: int,
                            unterminated_position: int | None) -> tuple[int, int]:
    """Move the parsed file from the temporary loading table into raw.x12_segments with its loop
    context; returns (claims, service lines). The rows become visible to readers only when the
    caller commits the file's registry row (models read raw through the registry)."""
    con.execute(CONTEXT_CHANGES_SQL)
    con.execute(PUBLISH_SQL, {"file_id": file_id, "unterminated_position": unterminated_position or -1})
    claims, lines = con.execute("""
        select
            count(*) filter (where segment_id in ('CLP', 'CLM') and claim_seq is not null),
            count(*) filter (where segment_id in ('SVC', 'LX') and line_seq is not null)
        from raw.x12_segments
        where file_id = ?
    """, [file_id]).fetchall()[0]
    return claims, lines


RAW_FILE_TABLES = ("raw.x12_segments", "raw.x12_interchanges", "raw.x12_groups", "raw.x12_transactions",
                   "raw.drug_administrations")


def remove_unregistered_rows(con: duckdb.DuckDBPyConnection, file_id: int | None = None) -> None:
    """Delete rows of a file that never got its registry row: the one that just failed, or (at
    start-up, file_id None) any left by a process killed mid-load. Readers only ever see files
    through the registry, so such rows are never visible; this keeps them from piling up."""
    for table in RAW_FILE_TABLES:
        if file_id is not None:
            con.execute(f"delete from {table} where file_id = ?", [file_id])
        else:
            con.execute(f"""
                delete from {table}
                where file_id not in (select file_id from raw.file_registry)
            """)


def discard_loading_table(con: duckdb.DuckDBPyConnection) -> None:
    for table in (LOADING_TABLE, RUNS_TABLE, CHANGES_TABLE):
        con.execute(f"drop table if exists {table}")


def insert_rows(con: duckdb.DuckDBPyConnection, table_name: str, rows: list[dict]) -> None:
    if not rows:
        return
    con.register("rows_to_insert", pa.Table.from_pylist(rows))
    try:
        columns = ", ".join(rows[0].keys())
        con.execute(f"insert into {table_name} ({columns}) select {columns} from rows_to_insert")
    finally:
        con.unregister("rows_to_insert")


def _element(elements: list[str], index: int) -> str | None:
    return elements[index] if len(elements) > index else None


def insert_envelopes(con: duckdb.DuckDBPyConnection, file_id: int, read: EnvelopeResult) -> None:
    insert_rows(con, "raw.x12_interchanges", [
        {
            "file_id": file_id,
            "interchange_seq": i.seq,
            "isa_segment_position": i.isa_position,
            "iea_segment_position": i.iea_position,
            "sender_qualifier": _element(i.elements, 4),
            "sender_id": _element(i.elements, 5),
            "receiver_qualifier": _element(i.elements, 6),
            "receiver_id": _element(i.elements, 7),
            "interchange_date": _element(i.elements, 8),
            "interchange_time": _element(i.elements, 9),
            "repetition_separator": i.delimiters.repetition,
            "version_number": _element(i.elements, 11),
            "control_number": _element(i.elements, 12),
            "usage_indicator": _element(i.elements, 14),
            "element_separator": i.delimiters.element,
            "component_separator": i.delimiters.component,
            "component_separator_observed": i.observed_component,
            "segment_terminator": i.delimiters.segment,
            "declared_group_count": i.declared_group_count,
            "trailer_control_number": i.trailer_control_number,
            "group_count": i.group_count,
        }
        for i in read.interchanges
    ])
    insert_rows(con, "raw.x12_groups", [
        {
            "file_id": file_id,
            "group_seq": g.seq,
            "interchange_seq": g.interchange_seq,
            "gs_segment_position": g.gs_position,
            "ge_segment_position": g.ge_position,
            "functional_id_code": _element(g.elements, 0),
            "sender_code": _element(g.elements, 1),
            "receiver_code": _element(g.elements, 2),
            "group_date": _element(g.elements, 3),
            "group_time": _element(g.elements, 4),
            "control_number": _element(g.elements, 5),
            "version_code": _element(g.elements, 7),
            "declared_transaction_count": g.declared_transaction_count,
            "trailer_control_number": g.trailer_control_number,
            "transaction_count": g.transaction_count,
        }
        for g in read.groups
    ])
    insert_rows(con, "raw.x12_transactions", [
        {
            "file_id": file_id,
            "transaction_seq": t.seq,
            "group_seq": t.group_seq,
            "interchange_seq": t.interchange_seq,
            "st_segment_position": t.st_position,
            "se_segment_position": t.se_position,
            "transaction_set_id": t.set_id,
            "control_number": t.control_number,
            "implementation_reference": t.implementation_reference,
            "declared_segment_count": t.declared_segment_count,
            "trailer_control_number": t.trailer_control_number,
            "segment_count": t.segment_count,
            "is_supported": t.set_id in SUPPORTED_TRANSACTIONS,
        }
        for t in read.transactions
    ])
