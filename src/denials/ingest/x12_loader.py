"""Land one X12 file in the raw layer, block by block: split, envelope checks, loop context, append.

Each block of complete segments is cut into arrays (numpy), its envelope segments are checked (the
only per-segment Python work), its segments are placed in their loops (numpy, carried from block to
block) and handed to a writer thread that appends them to raw.x12_segment_rows. Appends are not
wrapped in a transaction (DuckDB appends twice as fast outside one): readers only see a file once
its registry row commits, and the runner deletes the rows of a file that fails, so a file is still
all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa

from denials.ingest.loop_context import BlockContext, LoopContext
from denials.ingest.segment_writer import SegmentWriter
from denials.x12.arrow_arrays import booleans, column_array, integers
from denials.x12.blocks import Block, BlockReader
from denials.x12.delimiters import read_isa
from denials.x12.envelope import ENVELOPE_IDS, SUPPORTED_TRANSACTIONS, EnvelopeResult, EnvelopeTracker
from denials.x12.errors import X12Rejected
from denials.x12.segments import (
    EMPTY_ID_CODE,
    BlockSegments,
    code_lookup,
    segment_id_code,
    segment_id_of,
    split_block,
)

CHUNK_BYTES = 8 * 1024 * 1024
# The models pack a segment's position into 30 bits of a key (macro x12_key): past that, two segments of
# one file would share a key.
MAX_SEGMENTS = 2**30 - 1
# Composite elements looked at to notice a body that uses another component separator than ISA16.
COMPOSITE_PROBES = {"SVC": 1, "SV1": 1, "SV2": 2, "CLM": 5}
COMPONENT_CANDIDATES = ":>^|\\<"
_ENVELOPE_IDS = code_lookup(*ENVELOPE_IDS)
_ISA_CODE = segment_id_code("ISA")
_PROBE_IDS = code_lookup(*COMPOSITE_PROBES)

# Implementation guide ids (GS08/ST03) that tell professional from institutional 837s.
_837_VARIANTS = (("X222", "837P"), ("X098", "837P"), ("X223", "837I"), ("X096", "837I"),
                 ("X224", "837D"), ("X097", "837D"))


@dataclass
class X12LoadResult:
    envelope: EnvelopeResult
    segment_count: int
    trailing_text: str
    unterminated_position: int | None
    claim_count: int
    service_line_count: int
    warnings: list[str] = field(default_factory=list)
    transaction_types: list[str] = field(default_factory=list)
    unsupported_types: list[str] = field(default_factory=list)


def iter_utf8(open_binary: Callable[[], BinaryIO], encoding: str,
              on_chunk: Callable[[bytes], None] | None = None) -> Iterator[bytes]:
    """The file's bytes as UTF-8 in chunks. `on_chunk` sees each raw chunk before it is used, and b""
    at the end. UTF-8 files pass through untouched; Latin-1 is one byte per character, so each chunk
    converts on its own."""
    with open_binary() as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            if on_chunk is not None:
                on_chunk(chunk)
            if not chunk:
                break
            yield chunk if encoding == "utf-8" else chunk.decode(encoding).encode("utf-8")


def load_x12(con: duckdb.DuckDBPyConnection, file_id: int, open_binary: Callable[[], BinaryIO],
             encoding: str, on_chunk: Callable[[bytes], None] | None = None) -> X12LoadResult:
    """Append the file's segments to raw.x12_segment_rows and check its envelopes. Raises X12Rejected for
    a fatal problem; the caller then removes the rows appended so far."""
    reader = BlockReader()
    current: list[BlockSegments] = []

    def segment_id_at(position: int) -> str:
        # Only asked when naming a segment in a rejection, which may sit in an earlier block.
        if current and current[0].first_position <= position < current[0].first_position + len(current[0]):
            return segment_id_of(int(current[0].id_codes[position - current[0].first_position]))
        writer.wait()
        return con.execute("""
            select ids.segment_id
            from raw.x12_segment_rows as segments
            inner join raw.x12_segment_ids as ids on segments.segment_code = ids.segment_code
            where segments.file_id = ? and segments.segment_position = ?
        """, [file_id, position]).fetchall()[0][0]

    tracker = EnvelopeTracker(segment_id_at)
    context = LoopContext(tracker.result.runs)
    probe = _ComponentProbe()
    empty_segments = 0
    with SegmentWriter(con, file_id) as writer:
        for whole_block in reader.read(iter_utf8(open_binary, encoding, on_chunk)):
            block, segments = _up_to_other_delimiters(reader, whole_block, split_block(whole_block))
            if block is None:
                continue
            if block.first_position + len(segments) - 1 > MAX_SEGMENTS:
                raise X12Rejected(f"more than {MAX_SEGMENTS:,} segments (segment {MAX_SEGMENTS + 1:,}): "
                                  "the warehouse's keys hold a segment's position in 30 bits")
            current[:] = [segments]
            envelope_rows = np.flatnonzero(_ENVELOPE_IDS[segments.id_codes])
            envelope_texts = segments.texts_at(envelope_rows)
            for row, text in zip(envelope_rows.tolist(), envelope_texts, strict=True):
                tracker.feed(block.first_position + row, segment_id_of(int(segments.id_codes[row])), text,
                             block.delimiters)
            empty_segments += int(np.count_nonzero(segments.id_codes == EMPTY_ID_CODE))
            placed = context.place(segments, block.delimiters.element)
            probe.see(segments, placed, block.delimiters.element)
            writer.append(_block_table(segments, placed))
        tracker.finish(reader.result.segment_count)
    envelope = tracker.result
    warnings = envelope.warnings
    if empty_segments:
        warnings.append(f"{empty_segments} empty segment(s) (two terminators in a row) kept")
    probe.apply(envelope)
    if any(transaction.set_id == "837" for transaction in envelope.transactions):
        warnings.extend(_repeated_level_ids(con, file_id))
    if reader.result.unterminated_position is not None:
        warnings.append(
            f"the last segment (segment {reader.result.unterminated_position}) has no segment terminator"
        )
    return X12LoadResult(
        envelope=envelope,
        segment_count=reader.result.segment_count,
        trailing_text=reader.result.trailing_text,
        unterminated_position=reader.result.unterminated_position,
        claim_count=context.claims,
        service_line_count=context.service_lines,
        warnings=warnings,
        transaction_types=sorted({_transaction_type(t.set_id, t.implementation_reference)
                                  for t in envelope.transactions}),
        unsupported_types=sorted({t.set_id for t in envelope.transactions
                                  if t.set_id not in SUPPORTED_TRANSACTIONS}),
    )


# 837 levels whose HL01 an earlier level of their transaction set already has. Counted in SQL over the
# stored segments (the file's rows are together, so DuckDB reads only theirs) rather than in a set of every
# HL01 while loading, which would grow with a transaction set of any size.
_REPEATED_LEVEL_IDS = f"""
select count(*), min(segment_position)
from (
    select
        segment_position,
        row_number() over (partition by transaction_seq, hl_id order by segment_position) as occurrence
    from raw.x12_segment_rows
    where file_id = $file_id and segment_code = {segment_id_code("HL")} and hl_id <> ''
)
where occurrence > 1
"""


def _repeated_level_ids(con: duckdb.DuckDBPyConnection, file_id: int) -> list[str]:
    """The guide wants HL01 unique in a transaction set, but some senders number each billing provider's
    levels from 1 again. The models nest levels by position, so such a file loads, with this warning."""
    repeated, first = con.execute(_REPEATED_LEVEL_IDS, {"file_id": file_id}).fetchone()
    if not repeated:
        return []
    return [f"{repeated} HL segment(s) repeat the HL01 of an earlier level in their transaction set "
            f"(first at segment {first}); each level's parent is taken as the nearest level before it with "
            "its HL02 as HL01"]


def _up_to_other_delimiters(reader: BlockReader, block: Block,
                            segments: BlockSegments) -> tuple[Block | None, BlockSegments]:
    """Cut the block before an ISA that declares other delimiters (the reader reads the rest again)."""
    for row in np.flatnonzero(segments.id_codes == _ISA_CODE).tolist():
        header = read_isa(segments.text_at(row) + block.delimiters.segment, 0, block.first_position + row,
                          True)
        if header.delimiters != block.delimiters:
            offset = int(segments.raw_starts[row])
            reader.cut(block, offset, row)
            if row == 0:
                return None, segments
            kept = replace(block, data=block.data[:offset], segment_count=row, unterminated=False)
            return kept, split_block(kept)
    return block, segments


def _block_table(segments: BlockSegments, placed: BlockContext) -> pa.Table:
    return pa.table({
        "segment_position": integers(segments.positions),
        "segment_code": integers(segments.id_codes.astype(np.uint16)),
        "segment_text": segments.texts,
        "leading_text": segments.leading,
        "is_terminated": booleans(segments.is_terminated),
        **placed.arrow_columns(),
    })


class _ComponentProbe:
    """Notice interchanges whose body uses another component separator than ISA16 declares, from the
    first composite (SVC, SV1, SV2, CLM) of each interchange."""

    def __init__(self) -> None:
        self._first: dict[int, tuple[int, str, str]] = {}

    def see(self, segments: BlockSegments, placed: BlockContext, element_separator: str) -> None:
        rows = np.flatnonzero(_PROBE_IDS[segments.id_codes])
        if not len(rows):
            return
        interchanges, first = np.unique(placed.interchange_seq[rows], return_index=True)
        for interchange_seq, index in zip(interchanges.tolist(), first.tolist(), strict=True):
            if interchange_seq in self._first:
                continue
            row = int(rows[index])
            segment_id = segment_id_of(int(segments.id_codes[row]))
            self._first[interchange_seq] = (segments.first_position + row, segment_id, segments.text_at(row))

    def apply(self, envelope: EnvelopeResult) -> None:
        by_seq = {interchange.seq: interchange for interchange in envelope.interchanges}
        for interchange_seq, (position, segment_id, text) in sorted(self._first.items()):
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


RAW_FILE_TABLES = ("raw.x12_segment_rows", "raw.x12_interchanges", "raw.x12_groups", "raw.x12_transactions",
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


def insert_rows(con: duckdb.DuckDBPyConnection, table_name: str, rows: list[dict]) -> None:
    if not rows:
        return
    names = list(rows[0])
    columns = {name: column_array([row[name] for row in rows]) for name in names}
    listed = ", ".join(names)
    if any(array is None for array in columns.values()):
        # Lists and timestamps (the registry's single row): plain parameters.
        con.executemany(f"insert into {table_name} ({listed}) values ({', '.join('?' for _ in names)})",
                        [[row[name] for name in names] for row in rows])
        return
    con.register("rows_to_insert", pa.table(columns))
    try:
        con.execute(f"insert into {table_name} ({listed}) select {listed} from rows_to_insert")
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
