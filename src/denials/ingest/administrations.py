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

from denials.contracts import ADMINISTRATION_COLUMNS
from denials.ingest.x12_loader import insert_rows
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


def _check_value(column: str, value: str) -> str | None:
    """Return what is wrong with the value, without repeating the value."""
    if value == "":
        return None if column in OPTIONAL_COLUMNS else "is empty"
    if column in ("administered_amount", "wasted_amount"):
        number = _decimal(value)
        return None if number is not None and number >= 0 else "is not a number >= 0"
    if column == "patient_weight_kg":
        number = _decimal(value)
        return None if number is not None and 0 < number < 500 else "is not a weight in kg (0-500)"
    if column == "administered_unit":
        return None if value.lower() in UNITS else "is not one of mcg, mg, IU"
    if column == "hcpcs_code":
        return None if HCPCS.fullmatch(value) else "is not a 5-character HCPCS code"
    if column == "ndc":
        return None if NDC.fullmatch(value) else "is not an 11-digit NDC (5-4-2)"
    if column == "administered_at":
        return None if _timestamp_ok(value) else "is not an ISO 8601 timestamp"
    return None


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
        seen_ids: set[str] = set()
        rows: list[dict] = []
        count = 0
        try:
            for record in reader:
                line = reader.line_num
                if not record or all(not field.strip() for field in record):
                    continue
                if len(record) != len(header):
                    raise CsvRejected(
                        f"administrations CSV line {line}: {len(record)} fields where the header has "
                        f"{len(header)}"
                    )
                values = dict(zip(header, (field.strip() for field in record), strict=True))
                for column in header:
                    problem = _check_value(column, values[column])
                    if problem:
                        raise CsvRejected(
                            f"administrations CSV line {line}, column {column}: value {problem}"
                        )
                if values["administration_id"] in seen_ids:
                    raise CsvRejected(
                        f"administrations CSV line {line}, column administration_id: repeats an earlier row"
                    )
                seen_ids.add(values["administration_id"])
                rows.append({"file_id": file_id, "row_number": line,
                             **{column: values.get(column) for column in COLUMNS}})
                count += 1
                if len(rows) >= BATCH_ROWS:
                    insert_rows(con, "raw.drug_administrations", rows)
                    rows = []
        except csv.Error as error:
            raise CsvRejected(
                f"administrations CSV line {reader.line_num} cannot be parsed ({error})"
            ) from None
        insert_rows(con, "raw.drug_administrations", rows)
    if count == 0:
        raise CsvRejected("administrations CSV has a header but no rows")
    return count
