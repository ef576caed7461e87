"""Land a drug-administration CSV (what was actually given) in raw.drug_administrations.

DuckDB's CSV reader parses the file with an explicit schema (the header's columns, each kept as text,
nothing sniffed: the raw layer holds values as received, trimmed), the rows land with their line
numbers, then SQL checks every value against what staging types it to (see administration_checks).
A file with any bad line or value is rejected whole, naming the line and the column, never
half-loaded. Messages never quote a value or a header cell: in a file without a header row the first
line is a patient's record.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa

from denials.contracts import ADMINISTRATION_COLUMNS
from denials.ingest.administration_checks import first_problem
from denials.x12.errors import X12Rejected

COLUMNS = ADMINISTRATION_COLUMNS
OPTIONAL_COLUMNS = frozenset({"patient_weight_kg"})
MAX_HEADER_BYTES = 64 * 1024
MAX_LINE_BYTES = 1024 * 1024
READ_SIZE = 8 * 1024 * 1024
WHITESPACE = " \t\r\n"
SPOOL_PREFIX = "denials-csv-"
GLOB_MARKS = ("*", "?", "[", "{")
LANDED = "administrations_landed"
# What the reader's error types mean, without the line's content (which the reader would quote).
_READER_PROBLEMS = {
    "TOO MANY COLUMNS": "has more fields than the header",
    "MISSING COLUMNS": "has fewer fields than the header",
    "UNQUOTED VALUE": "has a quote that is not closed or not followed by a comma",
    "INVALID ENCODING": "is not valid text in the file's encoding",
    "INVALID UNICODE": "is not valid text in the file's encoding",
    "LINE SIZE OVER MAXIMUM": f"is longer than {MAX_LINE_BYTES} bytes",
}


class CsvRejected(X12Rejected):
    """A malformed administrations CSV."""


def load_administrations(con: duckdb.DuckDBPyConnection, file_id: int,
                         open_binary: Callable[[], BinaryIO], encoding: str) -> int:
    """Insert the file's rows; raises CsvRejected naming the line and column. Returns the row count."""
    header = _read_header(open_binary, encoding)
    with _csv_path(open_binary) as given, _one_line_break(given) as (path, layout):
        count = _insert(con, file_id, path, header, encoding, layout.padded)
        if count == 0:
            raise CsvRejected("administrations CSV has a header but no rows")
        if layout.lines != count + 1:
            # Blank lines or values spanning lines: number the rows the slow, exact way.
            _renumber(con, file_id, path, header, encoding)
    problem = first_problem(con, file_id, header)
    if problem is not None:
        line, column, text = problem
        raise CsvRejected(f"administrations CSV line {line}, column {column}: value {text}")
    return count


def _read_header(open_binary: Callable[[], BinaryIO], encoding: str) -> list[str]:
    with open_binary() as binary:
        first = binary.readline(MAX_HEADER_BYTES)
    if not first.strip():
        raise CsvRejected("administrations CSV has no header row (line 1 is empty)")
    try:
        names = next(csv.reader([first.decode(encoding).split("\r", 1)[0].rstrip("\n")]))
    except (csv.Error, UnicodeDecodeError, StopIteration):
        raise CsvRejected("administrations CSV line 1 cannot be read as a header row") from None
    header = [name.strip().lstrip("\ufeff").strip().lower() for name in names]
    known = set(COLUMNS)
    if not known.intersection(header):
        raise CsvRejected(
            "administrations CSV has no header row: line 1 names none of the columns "
            f"({', '.join(COLUMNS)})"
        )
    unknown = [str(position) for position, name in enumerate(header, start=1) if name not in known]
    if unknown:
        raise CsvRejected(f"administrations CSV line 1, column(s) {', '.join(unknown)}: not a column of "
                          f"the contract ({', '.join(COLUMNS)})")
    missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        raise CsvRejected(f"administrations CSV line 1: missing column(s) {', '.join(missing)}")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise CsvRejected(f"administrations CSV line 1: column(s) {', '.join(repeated)} appear twice")
    return header


@contextlib.contextmanager
def _csv_path(open_binary: Callable[[], BinaryIO]) -> Iterator[Path]:
    """A path DuckDB can read: the file itself, or a private copy of an archive member or of a file
    whose name DuckDB would take for a glob pattern."""
    with open_binary() as binary:
        on_disk = getattr(binary, "disk_path", None)
        if on_disk is None and isinstance(binary, io.BufferedReader) and isinstance(binary.name, str):
            on_disk = Path(binary.name)
        if on_disk is not None and on_disk.is_file() and not any(mark in str(on_disk) for mark in GLOB_MARKS):
            yield on_disk
            return
        handle, spooled = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=".csv")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as sink:
                shutil.copyfileobj(binary, sink, READ_SIZE)
            yield Path(spooled)
        finally:
            Path(spooled).unlink(missing_ok=True)


def _insert(con: duckdb.DuckDBPyConnection, file_id: int, path: Path, header: list[str],
            encoding: str, padded: bool) -> int:
    """Insert the rows with row_number = record ordinal + 1 (the line when every record is one line);
    reader errors reject the file. Returns the number of rows inserted. The reader reads a blank value
    as null: the optional weight keeps it as '', any other blank value rejects the file anyway (and
    copying every value to turn null into '' costs a fifth of the insert). Trimming costs as much as
    the insert, so it is done only when some value may need it."""
    schema = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in header) + "}"
    values = [f"trim({name}, '{WHITESPACE}')" if padded else name for name in header]
    all_empty = " and ".join(f"coalesce({value}, '') = ''" for value in values)
    trimmed = [f"coalesce({value}, '')" if name in OPTIONAL_COLUMNS else value
               for name, value in zip(header, values, strict=True)]
    names = ", ".join(header)
    preserve = con.execute("select current_setting('preserve_insertion_order')").fetchall()[0][0]
    try:
        # The records land first in a private table, in file order (insertion order preserved), so each
        # one's row id is its ordinal; numbering them there, rather than with a window over the scan,
        # cut the load of a 100 MB file by about a third. The copy into the raw table need not keep any
        # order. Beyond the loader's memory limit the private table spills to disk like any other.
        con.execute("set preserve_insertion_order = true")
        con.execute(
            f"""
            create or replace temp table {LANDED} as
            select *
            from read_csv(?, header = true, auto_detect = false, columns = {schema},
                          delim = ',', quote = '"', escape = '"', encoding = '{encoding}',
                          max_line_size = {MAX_LINE_BYTES}, store_rejects = true,
                          rejects_table = 'administrations_rejects',
                          rejects_scan = 'administrations_reject_scans')
            """,
            [str(path)],
        )
        con.execute("set preserve_insertion_order = false")
        count = con.execute(
            f"""
            insert into raw.drug_administrations (file_id, row_number, {names})
            select ?, cast({_ordinal(con)} as integer) + 2, {', '.join(trimmed)}
            from temp.{LANDED}
            where not ({all_empty})
            """,
            [file_id],
        ).fetchall()[0][0]
        reader_problem = _first_reader_problem(con)
    except duckdb.Error:
        # The error left the caller's transaction unusable, so nothing could be cleaned up: end it here
        # (the caller's rollback then finds none). The reader's own message quotes the offending line,
        # so the reason says what went wrong only in general terms.
        with contextlib.suppress(duckdb.TransactionException):
            con.rollback()
        raise CsvRejected("administrations CSV cannot be read as comma-separated text") from None
    finally:
        con.execute(f"set preserve_insertion_order = {preserve}")
        con.execute(f"drop table if exists temp.{LANDED}")
        con.execute("drop table if exists temp.administrations_rejects")
        con.execute("drop table if exists temp.administrations_reject_scans")
    if reader_problem is not None:
        line, problem = reader_problem
        raise CsvRejected(f"administrations CSV line {line} {problem}")
    return count


def _ordinal(con: duckdb.DuckDBPyConnection) -> str:
    """SQL for a landed record's 0-based ordinal. Row ids follow the file's order; inside a transaction
    they start at a large offset, and they are taken as they are only when they run without a gap."""
    first, span, landed = con.execute(
        f"select min(rowid), max(rowid) - min(rowid) + 1, count(*) from temp.{LANDED}"
    ).fetchall()[0]
    if landed and span == landed:
        return f"rowid - {int(first)}"
    return "row_number() over (order by rowid) - 1"


def _first_reader_problem(con: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    """The first line the reader refused, ignoring lines of blanks only (skipped, as blank lines are).
    The reader does not count a line break inside a quoted value as a new line, so in a file with such
    values a refused line after them is named that many lines early (rare: the file is rejected
    either way, only the line named is off)."""
    rows = con.execute(
        f"""
        select line, error_type
        from temp.administrations_rejects
        where not (error_type = 'MISSING COLUMNS' and trim(csv_line, '{WHITESPACE}') = '')
        order by line
        limit 1
        """
    ).fetchall()
    if not rows:
        return None
    line, error_type = rows[0]
    return int(line), _READER_PROBLEMS.get(error_type, "cannot be read")


@dataclass(frozen=True)
class _Layout:
    lines: int  # lines in the file, not counting the line breaks at its very end
    padded: bool  # some value may start or end with blanks (then every value is trimmed)
    mixed_breaks: bool  # lines end in more than one way (CR LF, LF, CR)


@contextlib.contextmanager
def _one_line_break(path: Path) -> Iterator[tuple[Path, _Layout]]:
    """The file and its layout, or, when its lines end in more than one way (which DuckDB's strict
    reader refuses), a private copy with every line break made LF, which numbers lines as before."""
    layout = _layout(path)
    if not layout.mixed_breaks:
        yield path, layout
        return
    handle, copy = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=".csv")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as sink, open(path, "rb") as source:
            held = b""  # a CR that ends a block may be the first half of a CR LF
            while block := source.read(READ_SIZE):
                block = held + block
                held = b"\r" if block.endswith(b"\r") else b""
                block = block[: len(block) - len(held)]
                sink.write(block.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
            sink.write(held.replace(b"\r", b"\n"))
        yield Path(copy), _layout(Path(copy))
    finally:
        Path(copy).unlink(missing_ok=True)


# Bytes next to which a blank sits at the edge of a value (a false alarm only costs the slower,
# trimming insert).
_EDGES = (b",", b"\n", b"\r", b'"')


def _has_padding(block: bytes) -> bool:
    for blank in (b" ", b"\t"):
        # Most files hold no blank at all: one fast scan settles it.
        if blank in block and any(blank + edge in block or edge + blank in block for edge in _EDGES):
            return True
    return False


def _layout(path: Path) -> _Layout:
    newlines = returns = pairs = 0
    padded = False
    previous = b"\n"  # the file's start counts as a line start
    tail = b""  # the run of line-break bytes the file ends with
    with open(path, "rb") as binary:
        while block := binary.read(READ_SIZE):
            newlines += block.count(b"\n")
            if b"\r" in block or previous.endswith(b"\r"):
                returns += block.count(b"\r")
                pairs += block.count(b"\r\n") + (previous[-1:] + block[:1] == b"\r\n")
            padded = padded or _has_padding(previous[-1:] + block[:1]) or _has_padding(block)
            previous = block
            content = block.rstrip(b"\r\n")
            tail = tail + block if not content else block[len(content):]
    padded = padded or _has_padding(previous[-1:] + b"\n")
    kinds = (pairs > 0) + (newlines > pairs) + (returns > pairs)
    return _Layout(newlines - tail.count(b"\n") + 1, padded, kinds > 1)


def _renumber(con: duckdb.DuckDBPyConnection, file_id: int, path: Path, header: list[str],
              encoding: str) -> None:
    """Set row_number to the line each record starts on, for files with blank lines or line breaks
    inside quoted values. Records are matched to the inserted rows by their ordinal."""
    starts: list[int] = []
    with open(path, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        try:
            next(reader, None)
            consumed = reader.line_num
            for record in reader:
                # DuckDB skips blank lines and refuses lines of a wrong width; only the others get an
                # ordinal (all-empty rows included: they are dropped after numbering).
                if len(record) == len(header):
                    starts.append(consumed + 1)
                consumed = reader.line_num
        except csv.Error:
            raise CsvRejected(f"administrations CSV line {reader.line_num} cannot be read") from None
    numbered = con.execute("select max(row_number) - 1 from raw.drug_administrations where file_id = ?",
                           [file_id]).fetchall()[0][0]
    if numbered > len(starts):
        raise CsvRejected("administrations CSV line numbers cannot be determined (check its quoting)")
    ordinals = pa.table({"ordinal_line": pa.array(range(2, len(starts) + 2), pa.int32()),
                         "start_line": pa.array(starts, pa.int32())})
    con.register("administration_lines", ordinals)
    try:
        con.execute(
            """
            update raw.drug_administrations
            set row_number = administration_lines.start_line
            from administration_lines
            where raw.drug_administrations.file_id = ?
              and raw.drug_administrations.row_number = administration_lines.ordinal_line
            """,
            [file_id],
        )
    finally:
        con.unregister("administration_lines")
