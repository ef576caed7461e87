"""Land one X12 file in the raw layer: segments in batches, then its envelope records.

The caller holds a transaction open around this, so a file that fails midway leaves no rows.
DuckDB does the element splitting (vectorised); Python only tokenises and tracks context.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from denials.x12.errors import X12Rejected
from denials.x12.loops import SUPPORTED_TRANSACTIONS
from denials.x12.reader import ReadResult, SegmentBatch, X12Reader

CHUNK_BYTES = 8 * 1024 * 1024
VALID_SEGMENT_ID_PATTERN = "^[A-Z][A-Z0-9]{1,2}$"

# Implementation guide ids (GS08/ST03) that tell professional from institutional 837s.
_837_VARIANTS = (("X222", "837P"), ("X098", "837P"), ("X223", "837I"), ("X096", "837I"),
                 ("X224", "837D"), ("X097", "837D"))

LOADING_TABLE = "raw.x12_segments_loading"

# Context arrives run-length encoded (one row per change); the ASOF join spreads it over the segments.
INSERT_SEGMENTS = f"""
insert into {LOADING_TABLE}
select
    $file_id,
    batch.segment_position,
    runs.interchange_seq,
    runs.group_seq,
    runs.transaction_seq,
    batch.segment_id,
    string_split(batch.segment_text, runs.element_separator)[2:],
    runs.loop_id,
    runs.hl_id,
    runs.claim_seq,
    runs.line_seq,
    nullif(batch.leading_text, ''),
    batch.segment_position <> $unterminated_position
from x12_batch as batch
asof inner join x12_runs as runs
    on batch.segment_position >= runs.start_position
"""


@dataclass
class X12LoadResult:
    read: ReadResult
    transaction_types: list[str] = field(default_factory=list)
    unsupported_types: list[str] = field(default_factory=list)
    empty_segments: int = 0


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


def _runs_table(batch: SegmentBatch) -> pa.Table:
    names = ("interchange_seq", "group_seq", "transaction_seq", "element_separator",
             "loop_id", "hl_id", "claim_seq", "line_seq")
    types = (pa.int32(), pa.int32(), pa.int32(), pa.string(), pa.string(), pa.string(), pa.int32(),
             pa.int32())
    columns = {"start_position": pa.array([batch.first_position + start for start, _ in batch.context_runs],
                                          pa.int32())}
    for index, (name, kind) in enumerate(zip(names, types, strict=True)):
        columns[name] = pa.array([context[index] for _, context in batch.context_runs], kind)
    return pa.table(columns)


def _batch_table(batch: SegmentBatch) -> pa.Table:
    n = len(batch)
    return pa.table({
        "segment_position": pa.array(np.arange(batch.first_position, batch.first_position + n,
                                               dtype=np.int32)),
        "segment_id": pa.array(batch.segment_ids, pa.string()),
        "segment_text": pa.array(batch.texts, pa.string()),
        "leading_text": pa.array(batch.leading, pa.string()),
    })


def _check_segment_ids(table: pa.Table, result: X12LoadResult) -> None:
    ids = table.column("segment_id")
    valid = pc.match_substring_regex(ids, VALID_SEGMENT_ID_PATTERN)
    if pc.all(valid).as_py():
        return
    invalid_positions = pc.filter(table.column("segment_position"), pc.invert(valid))
    invalid_ids = pc.filter(ids, pc.invert(valid))
    for position, segment_id in zip(invalid_positions.to_pylist(), invalid_ids.to_pylist(),
                                    strict=True):
        if segment_id == "":
            result.empty_segments += 1
            continue
        raise X12Rejected(f"segment {position} has an invalid segment id (expected 2-3 capitals/digits)")


def load_x12(con: duckdb.DuckDBPyConnection, file_id: int, open_binary: Callable[[], BinaryIO],
             encoding: str, on_bytes: Callable[[int], None] | None = None) -> X12LoadResult:
    reader = X12Reader()
    result = X12LoadResult(read=reader.result)
    batches: Iterator[SegmentBatch] = reader.read(iter_text(open_binary, encoding, on_bytes))
    pending: tuple[pa.Table, pa.Table] | None = None
    con.execute(f"create or replace table {LOADING_TABLE} as from raw.x12_segments limit 0")
    for batch in batches:
        # Hold one batch back: the reader learns the unterminated position only at the very end.
        if pending is not None:
            _insert(con, file_id, *pending, None)
        pending = (_batch_table(batch), _runs_table(batch))
        _check_segment_ids(pending[0], result)
    read = reader.result
    if pending is not None:
        _insert(con, file_id, *pending, read.unterminated_position)
    if result.empty_segments:
        read.warnings.append(f"{result.empty_segments} empty segment(s) (two terminators in a row) kept")
    result.transaction_types = sorted({_transaction_type(t.set_id, t.implementation_reference)
                                       for t in read.transactions})
    result.unsupported_types = sorted({t.set_id for t in read.transactions
                                       if t.set_id not in SUPPORTED_TRANSACTIONS})
    return result


def _transaction_type(set_id: str, implementation: str | None) -> str:
    if set_id == "837" and implementation:
        for marker, variant in _837_VARIANTS:
            if marker in implementation:
                return variant
    return set_id


def _insert(con: duckdb.DuckDBPyConnection, file_id: int, table: pa.Table, runs: pa.Table,
            unterminated_position: int | None) -> None:
    con.register("x12_batch", table)
    con.register("x12_runs", runs)
    try:
        con.execute(INSERT_SEGMENTS, {"file_id": file_id,
                                      "unterminated_position": unterminated_position or -1})
    finally:
        con.unregister("x12_batch")
        con.unregister("x12_runs")


def publish_loaded_segments(con: duckdb.DuckDBPyConnection) -> None:
    """Move a parsed file from the loading table into raw.x12_segments (inside the caller's transaction).

    Parsing lands batches in a loading table with autocommit so memory stays flat; one bulk
    insert...select then publishes the file atomically together with its envelope and registry rows.
    """
    con.execute(f"insert into raw.x12_segments select * from {LOADING_TABLE}")


def discard_loading_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {LOADING_TABLE}")


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


def insert_envelopes(con: duckdb.DuckDBPyConnection, file_id: int, read: ReadResult) -> None:
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
