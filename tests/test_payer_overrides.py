"""The per-payer override file: where it is looked for, what it accepts, and errors that name the file,
the line and the column (the models' side is covered by the dbt unit tests of int_payers_resolved and
int_payer_policies_in_force, and end to end in tests/pipeline/test_feed_operations.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from denials.errors import EXIT_USAGE
from denials.payer_overrides import (
    OVERRIDES_ENV,
    PayerOverridesInvalid,
    load_overrides,
    read_overrides,
    resolve_path,
)

HEADER = ("payer_id,payer_type,appeal_window_days,timely_filing_days,hcpcs_code,requires_prior_auth,"
          "max_units_per_line,requires_jw_jz,effective_from\n")
GOOD = HEADER + (
    "77027,commercial,60,,,,,,\n"
    "77027,,,,J7170,false,300,true,2024-01-01\n"
    "\n"
    "04412,,30,,,,,,\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "payer_overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_payer_and_policy_rows(tmp_path: Path) -> None:
    rows = read_overrides(write(tmp_path, GOOD))
    assert [(r.line_number, r.payer_id, r.payer_type, r.appeal_window_days, r.hcpcs_code) for r in rows] == [
        (2, "77027", "commercial", 60, None), (3, "77027", None, None, "J7170"), (5, "04412", None, 30, None)]
    policy = rows[1]
    assert (policy.requires_prior_auth, policy.max_units_per_line, policy.requires_jw_jz,
            policy.effective_from) == (False, 300, True, date(2024, 1, 1))


@pytest.mark.parametrize("body, line, column", [
    ("77027,commercial,sixty,,,,,,\n", 2, "appeal_window_days"),
    ("77027,private,,,,,,,\n", 2, "payer_type"),
    ("77027,,,,J7170,maybe,,true,2024-01-01\n", 2, "requires_prior_auth"),
    ("77027,,,,J7170,true,,true,01/01/2024\n", 2, "effective_from"),
    ("77027,,,,J7170,true,,,2024-01-01\n", 2, "requires_jw_jz"),
    ("77027,,,,,true,,,\n", 2, "requires_prior_auth"),
    ("77027,medicaid,,,J7170,true,,true,2024-01-01\n", 2, "payer_type"),
    (",commercial,,,,,,,\n", 2, "payer_id"),
    ("77027,,,,J71,true,,true,2024-01-01\n", 2, "hcpcs_code"),
])
def test_a_bad_value_names_file_line_and_column(tmp_path: Path, body: str, line: int, column: str) -> None:
    path = write(tmp_path, HEADER + body)
    with pytest.raises(PayerOverridesInvalid) as raised:
        read_overrides(path)
    assert str(raised.value).startswith(f"{path}, line {line}, column {column}: expected")
    assert raised.value.exit_code == EXIT_USAGE


def test_duplicates_and_unknown_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "77027,,30,,,,,,\n04412,,30,,,,,,\n77027,,45,,,,,,\n")
    with pytest.raises(PayerOverridesInvalid, match=r", line 4: the same payer row as line 2"):
        read_overrides(path)
    path = write(tmp_path, "payer_id,appeal_days\n77027,30\n")
    with pytest.raises(PayerOverridesInvalid, match=r", line 1: unknown column\(s\) appeal_days"):
        read_overrides(path)


def test_where_the_file_is_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    assert resolve_path() is None  # no file anywhere: no overrides
    default = tmp_path / "config" / "denials" / "payer_overrides.csv"
    default.parent.mkdir(parents=True)
    default.write_text(GOOD, encoding="utf-8")
    assert resolve_path() == default
    from_env = write(tmp_path, GOOD)
    monkeypatch.setenv(OVERRIDES_ENV, str(from_env))
    assert resolve_path() == from_env
    explicit = tmp_path / "mine.csv"
    explicit.write_text(GOOD, encoding="utf-8")
    assert resolve_path(explicit) == explicit
    with pytest.raises(PayerOverridesInvalid, match="no such payer override file"):
        resolve_path(tmp_path / "missing.csv")


def test_each_build_replaces_the_loaded_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    warehouse = tmp_path / "w" / "denials.duckdb"
    path = write(tmp_path, GOOD)
    assert load_overrides(warehouse, path) == (path, 3)
    assert load_overrides(warehouse, path) == (path, 3)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*), min(source_file) from raw.payer_overrides").fetchone() == (
            3, str(path))
    finally:
        con.close()
    assert load_overrides(warehouse) == (None, 0)  # the file is gone: so are its overrides
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from raw.payer_overrides").fetchone() == (0,)
    finally:
        con.close()
