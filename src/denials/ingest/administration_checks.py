"""What staging needs of each administrations CSV column, as SQL over the landed text.

Each column has one SQL expression that names what is wrong with a value (a fixed phrase, never the
value: values may be identifiers) or is null when the value is fine. "Fine" means the staging model
types it without loss: amounts go through the same `decimal(18, 4)` cast staging uses, timestamps
through the same split of the UTC offset and `timestamp` cast, so nothing that loads turns null there.
"""

from __future__ import annotations

import duckdb

from denials.contracts import ADMINISTRATION_COLUMNS

AMOUNT_TYPE = "decimal(18, 4)"
# Wider than AMOUNT_TYPE: a value that differs once narrowed had digits staging would round away.
EXACT_TYPE = "decimal(38, 12)"
WEIGHT_RANGE_KG = (0, 500)
UNITS = ("mcg", "mg", "iu")
HCPCS_PATTERN = r"[A-Z0-9][0-9]{4}|[A-Z][0-9]{3}[A-Z0-9]"
NDC_PATTERN = r"\d{11}|\d{5}-\d{4}-\d{2}"
# ISO 8601 as the contract allows it: a date, optionally a time, and after a time optionally Z or a
# UTC offset of at most 14 hours.
TIMESTAMP_PATTERN = (r"\d{4}-\d{2}-\d{2}"
                     r"([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)?)?")
# The staging macro iso_utc_offset splits the offset off with this same pattern.
OFFSET_PATTERN = r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)$"


def _blank(column: str) -> str:
    # The reader reads a blank value as null; the loader keeps '' only for the optional weight.
    return f"({column} is null or {column} = '')"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text(column: str) -> str:
    return f"case when {_blank(column)} then 'is empty' end"


def _pattern(column: str, pattern: str, problem: str) -> str:
    return (f"case when {_blank(column)} then 'is empty' "
            f"when not regexp_full_match({column}, {_literal(pattern)}) then {_literal(problem)} end")


def _number(column: str, low_problem: str, low_test: str, optional: bool) -> str:
    as_double = f"try_cast({column} as double)"
    as_amount = f"try_cast({column} as {AMOUNT_TYPE})"
    empty = "null" if optional else "'is empty'"
    return (
        f"case when {_blank(column)} then {empty} "
        f"when {as_double} is null then 'is not a number' "
        f"when isnan({as_double}) or (isinf({as_double}) and lower({column}) like '%inf%') "
        "then 'is not a finite number' "
        f"when {as_amount} is null then 'is out of the range of {AMOUNT_TYPE}' "
        f"when ({low_test.format(value=as_amount)}) then {_literal(low_problem)} "
        f"when {as_amount} <> try_cast({column} as {EXACT_TYPE}) then 'has more than 4 decimal places' "
        "end"
    )


def _amount(column: str) -> str:
    return _number(column, "is negative", "{value} < 0", optional=False)


def _weight(column: str) -> str:
    low, high = WEIGHT_RANGE_KG
    return _number(column, f"is not a weight in kg ({low}-{high})",
                   f"{{value}} <= {low} or {{value}} >= {high}", optional=True)


def _unit(column: str) -> str:
    units = ", ".join(_literal(unit) for unit in UNITS)
    return (f"case when {_blank(column)} then 'is empty' "
            f"when lower({column}) not in ({units}) then 'is not one of mcg, mg, IU' end")


def _timestamp(column: str) -> str:
    offset = f"regexp_extract({column}, {_literal(OFFSET_PATTERN)}, 1)"
    local = f"left({column}, length({column}) - length({offset}))"
    return (
        f"case when {_blank(column)} then 'is empty' "
        f"when not regexp_full_match({column}, {_literal(TIMESTAMP_PATTERN)}) "
        "then 'is not an ISO 8601 timestamp (YYYY-MM-DD, optional Thh:mm[:ss], optional Z or +hh:mm)' "
        f"when try_cast({local} as timestamp) is null then 'is not a valid date and time' end"
    )


PROBLEM_SQL = {
    "administration_id": _text("administration_id"),
    "claim_control_number": _text("claim_control_number"),
    "line_control_number": _text("line_control_number"),
    "hcpcs_code": _pattern("hcpcs_code", HCPCS_PATTERN, "is not a 5-character HCPCS code"),
    "ndc": _pattern("ndc", NDC_PATTERN, "is not an 11-digit NDC (5-4-2)"),
    "administered_amount": _amount("administered_amount"),
    "administered_unit": _unit("administered_unit"),
    "wasted_amount": _amount("wasted_amount"),
    "patient_weight_kg": _weight("patient_weight_kg"),
    "administered_at": _timestamp("administered_at"),
}
if set(PROBLEM_SQL) != set(ADMINISTRATION_COLUMNS):
    raise ImportError("every administrations column needs exactly one check")


# The id columns: nearly every value is distinct and only a blank is wrong, so they are checked per
# row. Every other column's check depends on the value alone and runs once per distinct value, far
# cheaper than once per row (a file has few distinct codes, units, amounts and times).
_TEXT_COLUMNS = ("administration_id", "claim_control_number", "line_control_number")


def first_problem(con: duckdb.DuckDBPyConnection, file_id: int,
                  header: list[str]) -> tuple[int, str, str] | None:
    """The first (line, column, problem) among the file's landed rows, in line order and then in the
    file's column order; a repeated administration_id comes after the row's own values. None when
    every row is fine."""
    if _all_fine(con, file_id, header):
        return None
    firsts = ", ".join(f"min(row_number) filter (where ({PROBLEM_SQL[name]}) is not null)" for name in header)
    found = con.execute(
        f"select {firsts}, count(administration_id) - count(distinct administration_id) "
        "from raw.drug_administrations where file_id = ?",
        [file_id],
    ).fetchall()[0]
    candidates = [(line, position, name) for position, (name, line) in enumerate(zip(header, found[:-1],
                                                                                       strict=True))
                  if line is not None]
    if found[-1]:
        candidates.append((_first_repeat(con, file_id), len(header), "administration_id"))
    if not candidates:
        return None
    line, position, name = min(candidates)
    if position == len(header):
        return line, name, "repeats an earlier row"
    problem = con.execute(
        f"select {PROBLEM_SQL[name]} from raw.drug_administrations where file_id = ? and row_number = ?",
        [file_id, line],
    ).fetchall()[0][0]
    return line, name, problem


def _all_fine(con: duckdb.DuckDBPyConnection, file_id: int, header: list[str]) -> bool:
    blank = " or ".join(_blank(name) for name in _TEXT_COLUMNS)
    repeats, blanks = con.execute(
        "select count(administration_id) - count(distinct administration_id), "
        f"count(*) filter (where {blank}) from raw.drug_administrations where file_id = ?",
        [file_id],
    ).fetchall()[0]
    if repeats or blanks:
        return False
    checked = [name for name in header if name not in _TEXT_COLUMNS]
    # One scan: the distinct values of every column at once (a grouping set each), each flagged by
    # grouping() as a value of that column, then each column's check on its own distinct values.
    groups = ", ".join(f"grouping({name}) as in_{name}" for name in checked)
    sets = ", ".join(f"({name})" for name in checked)
    problems = " or ".join(f"(in_{name} = 0 and ({PROBLEM_SQL[name]}) is not null)" for name in checked)
    bad_values = con.execute(
        f"""
        select count(*) filter (where {problems})
        from (
            select {", ".join(checked)}, {groups}
            from raw.drug_administrations
            where file_id = ?
            group by grouping sets ({sets})
        )
        """,
        [file_id],
    ).fetchall()[0][0]
    return bad_values == 0


def _first_repeat(con: duckdb.DuckDBPyConnection, file_id: int) -> int:
    return con.execute(
        """
        select min(row_number) from (
            select row_number,
                   row_number() over (partition by administration_id order by row_number) as seen
            from raw.drug_administrations
            where file_id = ? and administration_id is not null
        ) where seen > 1
        """,
        [file_id],
    ).fetchall()[0][0]
