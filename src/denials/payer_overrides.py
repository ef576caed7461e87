"""Per-payer overrides of the default policies, kept in a file of the user's that upgrades never touch.

The seeds (seeds/payers.csv, payer_policies.csv, payer_type_defaults.csv...) ship with the project and
are replaced by an upgrade. A user's own settings for a payer live in one CSV outside the project:

- `--payer-overrides PATH` (on `denials run` and `denials build`), else
- `$DENIALS_PAYER_OVERRIDES`, else
- `$XDG_CONFIG_HOME/denials/payer_overrides.csv` (`~/.config/denials/payer_overrides.csv`) when it exists.

Columns (header required, in any order; blank means "not overridden"):

    payer_id,payer_type,appeal_window_days,timely_filing_days,hcpcs_code,requires_prior_auth,
    max_units_per_line,requires_jw_jz,effective_from

A row without hcpcs_code sets the payer's type and windows (one such row per payer). A row with a
hcpcs_code replaces every policy the seeds or the type defaults give that payer for that code
(requires_prior_auth, requires_jw_jz and effective_from required). payer_id is the resolved payer key
`denials payers` lists. Each build loads the file into raw.payer_overrides (replacing what was there;
no file empties it), with the file and line of each row, so the models read it on any engine. A bad
value stops the command before anything is built, naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from denials.errors import EXIT_USAGE, DenialsError
from denials.paths import SEEDS_DIR

OVERRIDES_ENV = "DENIALS_PAYER_OVERRIDES"
COLUMNS = ("payer_id", "payer_type", "appeal_window_days", "timely_filing_days", "hcpcs_code",
           "requires_prior_auth", "max_units_per_line", "requires_jw_jz", "effective_from")
POLICY_REQUIRED = ("requires_prior_auth", "requires_jw_jz", "effective_from")
BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}



class PayerOverridesInvalid(DenialsError):
    """The override file cannot be read or has a bad value; the message names the file and line."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Override:
    line_number: int
    payer_id: str
    payer_type: str | None
    appeal_window_days: int | None
    timely_filing_days: int | None
    hcpcs_code: str | None
    requires_prior_auth: bool | None
    max_units_per_line: int | None
    requires_jw_jz: bool | None
    effective_from: date | None


def default_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "denials" / "payer_overrides.csv"


def resolve_path(explicit: Path | None = None) -> Path | None:
    """--payer-overrides, else $DENIALS_PAYER_OVERRIDES (both must exist), else the default if it exists."""
    for given in (explicit, os.environ.get(OVERRIDES_ENV) or None):
        if given:
            path = Path(given)
            if not path.is_file():
                raise PayerOverridesInvalid(f"{path}: no such payer override file")
            return path
    path = default_path()
    return path if path.is_file() else None


def payer_types(seeds_dir: Path = SEEDS_DIR) -> set[str]:
    with open(seeds_dir / "payer_type_defaults.csv", newline="", encoding="utf-8") as handle:
        return {row["payer_type"] for row in csv.DictReader(handle)}


def read_overrides(path: Path, known_types: set[str] | None = None) -> list[Override]:
    """Parse and check the file; PayerOverridesInvalid names the file, line and column of a bad value."""
    known_types = payer_types() if known_types is None else known_types
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            unknown = [name for name in header if name not in COLUMNS]
            if "payer_id" not in header or unknown:
                raise PayerOverridesInvalid(
                    f"{path}, line 1: " + (f"unknown column(s) {', '.join(unknown)}; " if unknown else "")
                    + f"expected a header with payer_id and any of {', '.join(COLUMNS[1:])}")
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PayerOverridesInvalid(f"{path}: cannot read the payer override file ({error})") from None
    overrides = [_parse(path, line, row, known_types) for line, row in rows
                 if any((value or "").strip() for value in row.values())]
    _check_unique(path, overrides)
    return overrides


def _parse(path: Path, line: int, row: dict[str, str | None], known_types: set[str]) -> Override:
    def value(column: str) -> str | None:
        text = (row.get(column) or "").strip()
        return text or None

    def fail(column: str, expected: str) -> PayerOverridesInvalid:
        return PayerOverridesInvalid(f"{path}, line {line}, column {column}: expected {expected}")

    def integer(column: str) -> int | None:
        text = value(column)
        if text is None:
            return None
        if not text.isdigit() or int(text) > 100_000:
            raise fail(column, "a whole number of 0 to 100000")
        return int(text)

    def boolean(column: str) -> bool | None:
        text = value(column)
        if text is None:
            return None
        if text.lower() not in BOOLEANS:
            raise fail(column, "true or false")
        return BOOLEANS[text.lower()]

    payer_id = value("payer_id")
    if payer_id is None:
        raise fail("payer_id", "the payer id `denials payers` lists")
    payer_type = value("payer_type")
    if payer_type is not None and payer_type not in known_types:
        raise fail("payer_type", "one of " + ", ".join(sorted(known_types)))
    effective_from = None
    if value("effective_from") is not None:
        try:
            effective_from = date.fromisoformat(value("effective_from") or "")
        except ValueError:
            raise fail("effective_from", "a date as YYYY-MM-DD") from None
    hcpcs_code = value("hcpcs_code")
    override = Override(line, payer_id, payer_type, integer("appeal_window_days"),
                        integer("timely_filing_days"), hcpcs_code.upper() if hcpcs_code else None,
                        boolean("requires_prior_auth"), integer("max_units_per_line"),
                        boolean("requires_jw_jz"), effective_from)
    if hcpcs_code is None:
        policy_columns = [c for c in ("requires_prior_auth", "max_units_per_line", "requires_jw_jz",
                                      "effective_from") if value(c) is not None]
        if policy_columns:
            raise fail(policy_columns[0], "no value on a payer row (give the policy's hcpcs_code)")
    else:
        if len(hcpcs_code) != 5 or not hcpcs_code.isalnum():
            raise fail("hcpcs_code", "a 5-character HCPCS code")
        for column in POLICY_REQUIRED:
            if value(column) is None:
                raise fail(column, "a value on a policy row")
        for column in ("payer_type", "appeal_window_days", "timely_filing_days"):
            if value(column) is not None:
                raise fail(column, "no value on a policy row (put it on the payer's row without hcpcs_code)")
    return override


def _check_unique(path: Path, overrides: list[Override]) -> None:
    seen: dict[tuple, int] = {}
    for override in overrides:
        key = (override.payer_id, override.hcpcs_code, override.effective_from)
        if key in seen:
            what = "policy" if override.hcpcs_code else "payer row"
            raise PayerOverridesInvalid(
                f"{path}, line {override.line_number}: the same {what} as line {seen[key]} "
                f"(payer {override.payer_id}{', ' + override.hcpcs_code if override.hcpcs_code else ''})")
        seen[key] = override.line_number


def load_overrides(warehouse: Path, explicit: Path | None = None) -> tuple[Path | None, int]:
    """Check the override file and replace raw.payer_overrides with it; (file, rows) loaded."""
    from denials.warehouse import connect

    path = resolve_path(explicit)
    overrides = read_overrides(path) if path is not None else []
    con = connect(warehouse)
    try:
        con.execute("begin transaction")
        con.execute("delete from raw.payer_overrides")
        if overrides:
            con.executemany(
                f"insert into raw.payer_overrides values ({', '.join('?' * 11)})",
                [[str(path), o.line_number, o.payer_id, o.payer_type, o.appeal_window_days,
                  o.timely_filing_days, o.hcpcs_code, o.requires_prior_auth, o.max_units_per_line,
                  o.requires_jw_jz, o.effective_from] for o in overrides])
        con.execute("commit")
    finally:
        con.close()
    return path, len(overrides)
