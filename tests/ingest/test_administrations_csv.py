"""The administrations CSV loader: what loads, what is rejected (line and column named), and that no
message ever carries a cell value (the values are patient identifiers and clinical facts)."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denials.cli import main
from denials.contracts import ADMINISTRATION_COLUMNS
from denials.ingest import administrations, ingest_paths

HEADER = ",".join(ADMINISTRATION_COLUMNS)
# Identifying cells carry a marker that no message may repeat.
GOOD_ROW = {
    "administration_id": "PHIADM{n}",
    "claim_control_number": "PHICLM{n}",
    "line_control_number": "PHILIN{n}",
    "hcpcs_code": "J7189",
    "ndc": "00169720101",
    "administered_amount": "7200",
    "administered_unit": "mcg",
    "wasted_amount": "800",
    "patient_weight_kg": "80",
    "administered_at": "2026-01-02T09:30:00",
}
MARKERS = ("PHIADM", "PHICLM", "PHILIN")


def row(n: int, **changes: str) -> str:
    values = {name: value.format(n=n) for name, value in GOOD_ROW.items()} | changes
    return ",".join(values[name] for name in ADMINISTRATION_COLUMNS)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def load(tmp_path: Path, text: str | bytes, name: str = "admin.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([path], warehouse)
    (outcome,) = report.files
    return outcome, warehouse


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def assert_rejected_without_values(outcome, warehouse: Path, values: tuple[str, ...]) -> None:
    """Rejected whole: no rows, a registry row with the reason, a quarantined copy with its reason file;
    and none of `values` (nor an identifying marker) in the reason anywhere it is kept."""
    assert outcome.status == "rejected"
    assert query(warehouse, "select count(*) from raw.drug_administrations")[0][0] == 0
    (status, reason), = query(warehouse, "select status, reason from raw.file_registry where file_id = ?",
                              [outcome.file_id])
    assert (status, reason) == ("rejected", outcome.reason)
    quarantined = Path(outcome.quarantined_to)
    kept_reason = quarantined.with_name(quarantined.name + ".reason.txt").read_text()
    for text in (outcome.reason, reason, kept_reason):
        for value in (*values, *MARKERS):
            assert value not in text, f"{value!r} leaked into {text!r}"


def test_a_good_file_lands_as_text_with_line_numbers(tmp_path: Path) -> None:
    outcome, warehouse = load(tmp_path, csv_text(
        row(1),
        row(2, patient_weight_kg="", administered_at="2026-01-03T10:00:00+02:00"),
        row(3, administered_amount=" 12.5 ", administered_unit="IU"),
    ))
    assert outcome.status == "loaded" and outcome.records == 3
    rows = query(warehouse, "select file_id, row_number, administration_id, administered_amount, "
                            "patient_weight_kg, administered_at from raw.drug_administrations order by 2")
    assert rows == [
        (outcome.file_id, 2, "PHIADM1", "7200", "80", "2026-01-02T09:30:00"),
        (outcome.file_id, 3, "PHIADM2", "7200", "", "2026-01-03T10:00:00+02:00"),
        (outcome.file_id, 4, "PHIADM3", "12.5", "80", "2026-01-02T09:30:00"),
    ]


def test_a_file_of_many_row_groups_keeps_every_line_number(tmp_path: Path) -> None:
    # DuckDB reads a large file in parallel, in blocks of rows; each record must still get its own line
    rows = 300_000
    outcome, warehouse = load(tmp_path, csv_text(*(row(n) for n in range(rows))))
    assert outcome.status == "loaded" and outcome.records == rows
    misnumbered = query(warehouse, "select count(*) from raw.drug_administrations "
                                   "where administration_id <> 'PHIADM' || (row_number - 2)")
    assert misnumbered == [(0,)]


def test_landed_records_are_numbered_in_order_when_row_ids_have_gaps() -> None:
    con = duckdb.connect()
    con.execute(f"create temp table {administrations.LANDED} as select range as line from range(10)")
    con.execute(f"delete from temp.{administrations.LANDED} where line in (3, 4)")
    ordinals = con.execute(f"select line, {administrations._ordinal(con)} as ordinal "
                           f"from temp.{administrations.LANDED} order by line").fetchall()
    assert ordinals == [(line, ordinal) for ordinal, line in enumerate([0, 1, 2, 5, 6, 7, 8, 9])]


@pytest.mark.parametrize("variant", ["bom", "cr_only", "no_final_newline", "trailing_blank_lines",
                                     "quoted", "tab_padded"])
def test_common_text_layouts_load_the_same_rows(tmp_path: Path, variant: str) -> None:
    text = csv_text(row(1), row(2, administered_amount="\t7200 " if variant == "tab_padded" else "7200"))
    if variant == "quoted":
        text = csv_text(row(1, administration_id='"PHIADM1"'), row(2, ndc='"00169720101"'))
    data = {
        "bom": b"\xef\xbb\xbf" + text.encode(),
        "cr_only": text.replace("\n", "\r").encode(),
        "no_final_newline": text.rstrip("\n").encode(),
        "trailing_blank_lines": (text + "\n\r\n").encode(),
    }.get(variant, text.encode())
    outcome, warehouse = load(tmp_path, data)
    assert outcome.status == "loaded", outcome.reason
    assert query(warehouse, "select row_number, administration_id, ndc, administered_amount "
                            "from raw.drug_administrations order by 1") == [
        (2, "PHIADM1", "00169720101", "7200"), (3, "PHIADM2", "00169720101", "7200")]


def test_mixed_line_breaks_load_with_true_line_numbers(tmp_path: Path) -> None:
    text = HEADER + "\r\n" + row(1) + "\n" + row(2) + "\r" + row(3) + "\r\n\n" + row(4) + "\n"
    outcome, warehouse = load(tmp_path, text)
    assert outcome.status == "loaded", outcome.reason
    lines = query(warehouse, "select row_number from raw.drug_administrations order by 1")
    assert lines == [(2,), (3,), (4,), (6,)]
    (tmp_path / "bad").mkdir()
    outcome, _ = load(tmp_path / "bad", text.replace(row(4), row(4, ndc="1234")))
    assert outcome.reason == "administrations CSV line 6, column ndc: value is not an 11-digit NDC (5-4-2)"


def test_columns_in_any_order_and_the_optional_weight_absent(tmp_path: Path) -> None:
    names = [name for name in reversed(ADMINISTRATION_COLUMNS) if name != "patient_weight_kg"]
    values = {name: value.format(n=1) for name, value in GOOD_ROW.items()}
    text = ",".join(names) + "\n" + ",".join(values[name] for name in names) + "\n"
    outcome, warehouse = load(tmp_path, text)
    assert outcome.status == "loaded"
    assert query(warehouse, "select administration_id, ndc, patient_weight_kg "
                            "from raw.drug_administrations") == [("PHIADM1", "00169720101", None)]


def test_blank_lines_and_line_breaks_in_quoted_values_keep_true_line_numbers(tmp_path: Path) -> None:
    # line 1 header, 2 row, 3 blank, 4-5 one record with a line break in a quoted id, 6 blank-ish,
    # 7 row, then a row of empty fields (skipped, as a blank line is).
    text = (HEADER + "\n" + row(1) + "\n\n" + row(2, administration_id='"PHIADM2\nsecond part"') + "\n"
            + "   \n" + row(3) + "\n" + "," * (len(ADMINISTRATION_COLUMNS) - 1) + "\n")
    outcome, warehouse = load(tmp_path, text)
    assert outcome.status == "loaded", outcome.reason
    lines = query(warehouse, "select row_number from raw.drug_administrations order by 1")
    assert lines == [(2,), (4,), (7,)]
    bad = text.replace(row(3), row(3, wasted_amount="-1"))
    (tmp_path / "bad").mkdir()
    outcome, _ = load(tmp_path / "bad", bad)
    assert outcome.reason == "administrations CSV line 7, column wasted_amount: value is negative"


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("administration_id", "", "is empty"),
    ("claim_control_number", "", "is empty"),
    ("hcpcs_code", "J71", "is not a 5-character HCPCS code"),
    ("ndc", "0016972010", "is not an 11-digit NDC (5-4-2)"),
    ("administered_amount", "", "is empty"),
    ("administered_amount", "7200mcg", "is not a number"),
    ("administered_amount", "NaN", "is not a finite number"),
    ("administered_amount", "inf", "is not a finite number"),
    ("administered_amount", "-Infinity", "is not a finite number"),
    ("administered_amount", "1e400", "is out of the range of decimal(18, 4)"),
    ("administered_amount", "123456789012345", "is out of the range of decimal(18, 4)"),
    ("administered_amount", "-7.5", "is negative"),
    ("administered_amount", "7.123456", "has more than 4 decimal places"),
    ("wasted_amount", "-0.25", "is negative"),
    ("wasted_amount", "1e-7", "has more than 4 decimal places"),
    ("administered_unit", "grams", "is not one of mcg, mg, IU"),
    ("patient_weight_kg", "612.5", "is not a weight in kg (0-500)"),
    ("patient_weight_kg", "-3.25", "is not a weight in kg (0-500)"),
    ("patient_weight_kg", "heavy", "is not a number"),
    ("administered_at", "", "is empty"),
    ("administered_at", "02/01/2026 09:30",
     "is not an ISO 8601 timestamp (YYYY-MM-DD, optional Thh:mm[:ss], optional Z or +hh:mm)"),
    ("administered_at", "2026-01-02T09:30:00 America/Chicago",
     "is not an ISO 8601 timestamp (YYYY-MM-DD, optional Thh:mm[:ss], optional Z or +hh:mm)"),
    ("administered_at", "2026-01-02T09:30:00+15:00",
     "is not an ISO 8601 timestamp (YYYY-MM-DD, optional Thh:mm[:ss], optional Z or +hh:mm)"),
    ("administered_at", "2026-02-30T09:30:00", "is not a valid date and time"),
    ("administered_at", "2026-01-02T25:30:00+01:00", "is not a valid date and time"),
])
def test_each_bad_value_names_line_and_column_only(tmp_path: Path, column: str, value: str,
                                                   problem: str) -> None:
    outcome, warehouse = load(tmp_path, csv_text(row(1), row(2), row(3, **{column: value}), row(4)))
    assert outcome.reason == f"administrations CSV line 4, column {column}: value {problem}"
    assert_rejected_without_values(outcome, warehouse, (value,) if value else ())


def test_the_first_bad_line_is_named_then_the_first_bad_column(tmp_path: Path) -> None:
    outcome, _ = load(tmp_path, csv_text(
        row(1),
        row(2, administered_at="soon", hcpcs_code="bad"),
        row(3, administration_id=""),
    ))
    assert outcome.reason == ("administrations CSV line 3, column hcpcs_code: value is not a 5-character "
                              "HCPCS code")


def test_a_repeated_administration_id_is_named(tmp_path: Path) -> None:
    outcome, warehouse = load(tmp_path, csv_text(row(1), row(2), row(1, claim_control_number="PHICLM9")))
    assert outcome.reason == ("administrations CSV line 4, column administration_id: value repeats an "
                              "earlier row")
    assert_rejected_without_values(outcome, warehouse, ())


@pytest.mark.parametrize(("bad_line", "problem"), [
    (row(2) + ",PHIEXTRA", "has more fields than the header"),
    (row(2).rsplit(",", 2)[0], "has fewer fields than the header"),
    (row(2).replace("PHIADM2", '"PHIADM2"x'), "has a quote that is not closed or not followed by a comma"),
])
def test_lines_the_reader_refuses_are_named(tmp_path: Path, bad_line: str, problem: str) -> None:
    outcome, warehouse = load(tmp_path, csv_text(row(1), bad_line, row(3)))
    assert outcome.reason == f"administrations CSV line 3 {problem}"
    assert_rejected_without_values(outcome, warehouse, ("PHIEXTRA",))


def test_a_file_without_header_row_is_rejected_without_quoting_its_first_row(tmp_path: Path) -> None:
    text = row(1) + "\n" + row(2) + "\n"
    outcome, warehouse = load(tmp_path, text)
    assert outcome.reason.startswith(
        "administrations CSV has no header row: line 1 names none of the columns")
    assert_rejected_without_values(outcome, warehouse, ("J7189", "00169720101", "2026-01-02T09:30:00"))
    # Nor on the command line, nor in its summary.
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "admin.csv"), "--warehouse",
                                       str(tmp_path / "cli.duckdb")])
    assert result.exit_code == 1
    assert "no header row" in result.output
    for value in (*MARKERS, "00169720101", "2026-01-02T09:30:00"):
        assert value not in result.output


@pytest.mark.parametrize(("header", "reason"), [
    (HEADER + ",PHINAME", "line 1, column(s) 11: not a column of the contract"),
    (HEADER.replace("ndc,", ""), "line 1: missing column(s) ndc"),
    (HEADER + ",ndc", "line 1: column(s) ndc appear twice"),
])
def test_header_problems_name_positions_and_contract_names_only(tmp_path: Path, header: str,
                                                                reason: str) -> None:
    outcome, warehouse = load(tmp_path, csv_text(row(1), header=header))
    assert f"administrations CSV {reason}" in outcome.reason
    assert_rejected_without_values(outcome, warehouse, ("PHINAME",))


def test_a_header_without_rows_is_rejected(tmp_path: Path) -> None:
    outcome, warehouse = load(tmp_path, csv_text())
    assert outcome.reason == "administrations CSV has a header but no rows"
    assert_rejected_without_values(outcome, warehouse, ())


def test_latin1_text_and_crlf_line_breaks_load(tmp_path: Path) -> None:
    text = csv_text(row(1, administration_id="PHIADMé1"), row(2)).replace("\n", "\r\n")
    outcome, warehouse = load(tmp_path, text.encode("latin-1"))
    assert outcome.status == "loaded", outcome.reason
    assert query(warehouse, "select row_number, administration_id, administered_at "
                            "from raw.drug_administrations order by 1") == [
        (2, "PHIADMé1", "2026-01-02T09:30:00"), (3, "PHIADM2", "2026-01-02T09:30:00")]


def test_a_csv_inside_a_zip_loads_and_a_resent_copy_is_a_duplicate(tmp_path: Path) -> None:
    archive = tmp_path / "inbox.zip"
    text = csv_text(row(1), row(2))
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("admin.csv", text)
    loose = tmp_path / "loose" / "admin.csv"
    loose.parent.mkdir()
    loose.write_text(text)
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([archive, loose], warehouse)
    member, copy = (o for o in report.files if o.archive_member or o.source_path == str(loose))
    assert member.status == "loaded" and member.records == 2
    assert copy.status == "duplicate"
    assert query(warehouse, "select count(*), min(file_id), max(file_id) from raw.drug_administrations") == [
        (2, member.file_id, member.file_id)]


def test_a_file_name_that_looks_like_a_glob_pattern_is_read_as_itself(tmp_path: Path) -> None:
    (tmp_path / "admin1.csv").write_text(csv_text(row(9)))
    outcome, warehouse = load(tmp_path, csv_text(row(1), row(2)), name="admin[1]*.csv")
    assert outcome.status == "loaded" and outcome.records == 2
    assert query(warehouse, "select administration_id from raw.drug_administrations order by 1") == [
        ("PHIADM1",), ("PHIADM2",)]


def test_a_reader_failure_rejects_the_file_and_leaves_the_connection_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "a_good.csv"
    good.write_text(csv_text(row(1)))
    failing = tmp_path / "b_failing.csv"
    failing.write_text(csv_text(row(2)))
    later = tmp_path / "c_later.csv"
    later.write_text(csv_text(row(3)))
    settings_seen = []
    real_insert = administrations._insert

    def insert(con, file_id, path, *args):
        if path.name == "b_failing.csv":
            path = tmp_path / "vanished.csv"  # the reader fails: the file is gone
        count = real_insert(con, file_id, path, *args)
        settings_seen.append(con.execute("select current_setting('preserve_insertion_order')").fetchall())
        return count

    monkeypatch.setattr(administrations, "_insert", insert)
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([good, failing, later], warehouse)
    assert [o.status for o in report.files] == ["loaded", "rejected", "loaded"]
    assert report.files[1].reason == "administrations CSV cannot be read as comma-separated text"
    assert settings_seen == [[(False,)], [(False,)]]
    assert query(warehouse, "select administration_id from raw.drug_administrations order by 1") == [
        ("PHIADM1",), ("PHIADM3",)]


def test_a_rejected_file_leaves_no_rows_beside_a_loaded_one(tmp_path: Path) -> None:
    good = tmp_path / "a_good.csv"
    good.write_text(csv_text(row(1), row(2)))
    bad = tmp_path / "b_bad.csv"
    bad.write_text(csv_text(*(row(n) for n in range(3, 400)), row(400, administered_amount="1e400")))
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([good, bad], warehouse)
    loaded, rejected = report.files
    assert loaded.status == "loaded" and rejected.status == "rejected"
    assert rejected.reason == ("administrations CSV line 399, column administered_amount: value is out of "
                               "the range of decimal(18, 4)")
    assert Path(rejected.quarantined_to).read_bytes() == bad.read_bytes()
    assert query(warehouse, "select distinct file_id from raw.drug_administrations") == [(loaded.file_id,)]


MUTATIONS = ("drop_header", "blank_cell", "junk_cell", "extra_field", "missing_field", "open_quote",
             "repeat_id", "blank_line", "none")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=1, max_value=6), mutation=st.sampled_from(MUTATIONS),
       target=st.integers(min_value=0, max_value=50), column=st.sampled_from(ADMINISTRATION_COLUMNS),
       junk=st.sampled_from(["ZQ1e400", "ZQNaN", "-ZQ5", "ZQ", "ZQ\u00e9", "ZQ 7", "1e400ZQ"]))
def test_no_cell_value_reaches_any_message(tmp_path: Path, rows: int, mutation: str, target: int,
                                           column: str, junk: str) -> None:
    # Every identifying cell carries the PHI markers and every injected value carries ZQ.
    lines = [HEADER, *(row(n) for n in range(1, rows + 1))]
    at = 1 + target % rows
    cells = lines[at].split(",")
    position = ADMINISTRATION_COLUMNS.index(column)
    if mutation == "drop_header":
        lines = lines[1:]
    elif mutation == "blank_cell":
        cells[position] = ""
    elif mutation == "junk_cell":
        cells[position] = junk
    elif mutation == "extra_field":
        cells.append(junk)
    elif mutation == "missing_field":
        del cells[position]
    elif mutation == "open_quote":
        cells[position] = '"' + junk
    elif mutation == "repeat_id":
        lines.append(lines[at])
    elif mutation == "blank_line":
        lines.insert(at, "")
    if mutation not in ("drop_header", "repeat_id", "blank_line"):
        lines[at] = ",".join(cells)
    with tempfile.TemporaryDirectory(dir=tmp_path) as scratch:
        outcome, warehouse = load(Path(scratch), "\n".join(lines) + "\n")
        assert outcome.status in ("loaded", "rejected")
        if outcome.status == "rejected":
            assert_rejected_without_values(outcome, warehouse, ("ZQ",))
            assert "Traceback" not in outcome.reason and "internal error" not in outcome.reason
