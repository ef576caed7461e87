"""Land a drug-administration CSV (what was actually given) in raw.drug_administrations.

Values are kept as received text (staging types them), but every row is validated first so that a
malformed file is rejected whole with the row number and column, never half-loaded. Messages name the
column and row only: values may be identifiers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa

from denials.contracts import ADMINISTRATION_COLUMNS
from denials.x12.arrow_arrays import integers, strings
from denials.x12.errors import X12Rejected

COLUMNS = ADMINISTRATION_COLUMNS
OPTIONAL_COLUMNS = frozenset({"patient_weight_kg"})
UNITS = frozenset({"mcg", "mg", "iu"})
HCPCS = re.compile(r"[A-Z0-9][0-9]{4}|[A-Z][0-9]{3}[A-Z0-9]")
NDC = re.compile(r"\d{11}|\d{5}-\d{4}-\d{2}")
BATCH_ROWS = 50_000


class CsvRejected(X12Rejected):
    """A malformed administrations CSV."""


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _timestamp_ok(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _text(value: str) -> str | None:
    return None if value else "is empty"


def _amount(value: str) -> str | None:
    if not value:
        return "is empty"
    number = _decimal(value)
    return None if number is not None and number >= 0 else "is not a number >= 0"


def _weight(value: str) -> str | None:
    if not value:
        return None
    number = _decimal(value)
    return None if number is not None and 0 < number < 500 else "is not a weight in kg (0-500)"


def _unit(value: str) -> str | None:
    if not value:
        return "is empty"
    return None if value.lower() in UNITS else "is not one of mcg, mg, IU"


def _hcpcs(value: str) -> str | None:
    if not value:
        return "is empty"
    return None if HCPCS.fullmatch(value) else "is not a 5-character HCPCS code"


def _ndc(value: str) -> str | None:
    if not value:
        return "is empty"
    return None if NDC.fullmatch(value) else "is not an 11-digit NDC (5-4-2)"


def _administered_at(value: str) -> str | None:
    if not value:
        return "is empty"
    return None if _timestamp_ok(value) else "is not an ISO 8601 timestamp"


# What is wrong with a value of each column, without repeating the value (values may be identifiers).
_CHECKS: dict[str, Callable[[str], str | None]] = {
    "administration_id": _text,
    "claim_control_number": _text,
    "line_control_number": _text,
    "hcpcs_code": _hcpcs,
    "ndc": _ndc,
    "administered_amount": _amount,
    "administered_unit": _unit,
    "wasted_amount": _amount,
    "patient_weight_kg": _weight,
    "administered_at": _administered_at,
}


class _Batch:
    """Validated rows until they are inserted, column by column."""

    def __init__(self, header: list[str]) -> None:
        self._header = header
        self._lines: list[int] = []
        self._rows: list[list[str]] = []

    @property
    def size(self) -> int:
        return len(self._lines)

    def add(self, line: int, values: list[str]) -> None:
        self._lines.append(line)
        self._rows.append(values)

    def insert(self, con: duckdb.DuckDBPyConnection, file_id: int) -> None:
        if not self._lines:
            return
        # Every row has one value per header column (checked when it was read).
        columns = zip(*self._rows, strict=True)
        by_name = dict(zip(self._header, (list(column) for column in columns), strict=True))
        # A column the file does not have (the optional weight) is null; a blank value stays "".
        absent = [None] * len(self._lines)
        table = pa.table({
            "file_id": integers(np.full(len(self._lines), file_id, dtype=np.int64)),
            "row_number": integers(np.array(self._lines, dtype=np.int32)),
            **{name: strings(by_name.get(name, absent)) for name in COLUMNS},
        })
        con.register("administrations_batch", table)
        try:
            names = ", ".join(table.column_names)
            con.execute(f"insert into raw.drug_administrations ({names}) select {names} "
                        "from administrations_batch")
        finally:
            con.unregister("administrations_batch")
        self._lines = []
        self._rows = []


def load_administrations(con: duckdb.DuckDBPyConnection, file_id: int,
                         open_binary: Callable[[], BinaryIO], encoding: str) -> int:
    """Insert the file's rows; raises CsvRejected naming the row and column. Returns the row count."""
    with open_binary() as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise CsvRejected("administrations CSV has no header row (line 1)") from None
        except csv.Error as error:
            raise CsvRejected(f"administrations CSV line 1 cannot be parsed ({error})") from None
        header = [name.strip().lstrip("\ufeff").lower() for name in header]
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            raise CsvRejected(f"administrations CSV line 1: unexpected column(s) {', '.join(unknown)}")
        missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL_COLUMNS]
        if missing:
            raise CsvRejected(f"administrations CSV line 1: missing column(s) {', '.join(missing)}")
        if len(set(header)) != len(header):
            raise CsvRejected("administrations CSV line 1: a column appears twice")
        checks = [_CHECKS[name] for name in header]
        id_position = header.index("administration_id")
        seen_ids: set[str] = set()
        batch = _Batch(header)
        count = 0
        try:
            for record in reader:
                line = reader.line_num
                values = [field.strip() for field in record]
                if not any(values):
                    continue
                if len(values) != len(header):
                    raise CsvRejected(
                        f"administrations CSV line {line}: {len(record)} fields where the header has "
                        f"{len(header)}"
                    )
                for column, check, value in zip(header, checks, values, strict=True):
                    problem = check(value)
                    if problem:
                        raise CsvRejected(
                            f"administrations CSV line {line}, column {column}: value {problem}"
                        )
                if values[id_position] in seen_ids:
                    raise CsvRejected(
                        f"administrations CSV line {line}, column administration_id: repeats an earlier row"
                    )
                seen_ids.add(values[id_position])
                batch.add(line, values)
                count += 1
                if batch.size >= BATCH_ROWS:
                    batch.insert(con, file_id)
        except csv.Error as error:
            raise CsvRejected(
                f"administrations CSV line {reader.line_num} cannot be parsed ({error})"
            ) from None
        batch.insert(con, file_id)
    if count == 0:
        raise CsvRejected("administrations CSV has a header but no rows")
    return count
