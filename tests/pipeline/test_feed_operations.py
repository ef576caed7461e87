"""What a feed operator does between scheduled runs, tested through `denials run` as cron runs it: a
payer re-sends an ERA under a new envelope, and a user retracts a loaded file. Neither stops the run
(exit 0, never the check-failed code 3), and the published totals are what they would be had the copy,
or the retracted file, never arrived."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from denials.errors import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE
from denials.publish import connect_published
from tests.pipeline.conftest import Published, cli, copy_published
from tests.quality.conftest import new_envelope

TOTALS_SQL = """
select
    (select count(*) from marts.fct_adjudicated_lines),
    (select sum(billed_amount) from marts.fct_adjudicated_lines),
    (select sum(paid_amount) from marts.fct_adjudicated_lines),
    (select sum(denied_amount) from marts.fct_adjudicated_lines),
    (select count(*) from marts.fct_adjudicated_lines where is_first_pass_paid),
    (select count(*) from marts.fct_denials),
    (select sum(denied_amount) from marts.fct_denials)
"""


def published_totals(warehouse: Path) -> tuple:
    con = connect_published(warehouse)
    try:
        return con.execute(TOTALS_SQL).fetchone()
    finally:
        con.close()


def published_rows_from_file(warehouse: Path, file_id: int) -> int:
    con = connect_published(warehouse)
    try:
        return con.execute("select count(*) from marts.fct_adjudicated_lines where remit_file_id = ?",
                           [file_id]).fetchone()[0]
    finally:
        con.close()


def registry(warehouse: Path, file_name: str) -> tuple[int, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select file_id, status from raw.file_registry where file_name = ? "
                           "order by file_id limit 1", [file_name]).fetchone()
    finally:
        con.close()


def run(published: Published, warehouse: Path, *inbox: Path):  # noqa: ANN201 - CompletedProcess
    return cli("run", *map(str, inbox), "--warehouse", str(warehouse), "--no-docs", gx_root=published.gx_root)


def test_resent_era_through_run_leaves_totals_unchanged(published: Published, tmp_path: Path) -> None:
    warehouse = copy_published(published, tmp_path)
    before = published_totals(warehouse)
    original = sorted((published.batch1 / "835").glob("*.835"))[0]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    resent = inbox / original.name.replace(".835", "_resent.835")
    resent.write_text(new_envelope(original.read_text(encoding="utf-8")), encoding="utf-8")

    done = run(published, warehouse, inbox)

    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert registry(warehouse, resent.name)[1] == "loaded"  # a new envelope: not a byte-for-byte duplicate
    assert published_totals(warehouse) == before, "a re-sent ERA must not count twice"
    # and the seeds, unchanged since the run that published the copy, were not loaded again
    assert "seeds unchanged: not loaded again" in done.stdout, done.stdout


@pytest.fixture(scope="module")
def retracted(published: Published, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, Path]:
    """(warehouse, file id, the 835 file) after retracting batch 1's second 835 and running again."""
    root = tmp_path_factory.mktemp("retract")
    warehouse = copy_published(published, root)
    target = sorted((published.batch1 / "835").glob("*.835"))[1]
    file_id, status = registry(warehouse, target.name)
    assert status == "loaded" and published_rows_from_file(warehouse, file_id) > 0

    done = cli("retract", str(file_id), "--reason", "payer recalled this ERA", "--warehouse", str(warehouse),
               gx_root=published.gx_root)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    done = run(published, warehouse, published.batch1)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    return warehouse, file_id, target


def test_retracted_file_leaves_the_marts(published: Published, retracted: tuple[Path, int, Path],
                                         tmp_path: Path) -> None:
    warehouse, file_id, target = retracted
    assert published_rows_from_file(warehouse, file_id) == 0

    # The same data never having had that file: the totals must be the same.
    inbox = tmp_path / "inbox"
    shutil.copytree(published.batch1, inbox)
    (inbox / "835" / target.name).unlink()
    reference = tmp_path / "reference" / "denials.duckdb"
    done = run(published, reference, inbox)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert published_totals(warehouse) == published_totals(reference)


def test_retraction_keeps_evidence_and_history(published: Published, retracted: tuple[Path, int, Path],
                                               tmp_path: Path) -> None:
    warehouse, file_id, target = retracted
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select status from raw.file_registry where file_id = ?",
                           [file_id]).fetchone() == ("retracted",)
        (reason, previous, who, when, rebuilt), = con.execute(
            "select reason, previous_status, retracted_by, retracted_at, rebuilt_at "
            "from raw.file_retractions where file_id = ?", [file_id]).fetchall()
    finally:
        con.close()
    assert (reason, previous) == ("payer recalled this ERA", "loaded") and who and when
    assert rebuilt is not None and rebuilt >= when, "the run rebuilt the models without the file"

    copy = tmp_path / "copy.835"
    done = cli("rebuild", str(file_id), "-o", str(copy), "--warehouse", str(warehouse),
               gx_root=published.gx_root)
    assert done.returncode == EXIT_OK, done.stderr
    assert copy.read_bytes() == target.read_bytes(), "the raw evidence stays"


def test_retract_refuses_what_is_not_loaded(published: Published, retracted: tuple[Path, int, Path],
                                            tmp_path: Path) -> None:
    warehouse, file_id, target = retracted
    again = cli("retract", str(file_id), "--reason", "twice", "--warehouse", str(warehouse),
                gx_root=published.gx_root)
    unknown = cli("retract", "999999", "--reason", "no such file", "--warehouse", str(warehouse),
                  gx_root=published.gx_root)
    for done in (again, unknown):
        assert done.returncode == EXIT_USAGE, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    assert "retracted, not loaded" in again.stderr and "no file 999999" in unknown.stderr


def test_resending_a_retracted_file_keeps_it_out(published: Published, retracted: tuple[Path, int, Path],
                                                 tmp_path: Path) -> None:
    shutil.copytree(retracted[0].parent, tmp_path / "warehouse")
    warehouse, target = tmp_path / "warehouse" / retracted[0].name, retracted[2]
    before = published_totals(warehouse)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(target, inbox / "sent_again.835")
    done = run(published, warehouse, inbox)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert registry(warehouse, "sent_again.835")[1] == "duplicate"
    assert published_totals(warehouse) == before


UNKNOWN_PAYER_ID = "ZZNOSUCHPAYER"


def _unmatchable(text: str) -> str:
    """Every payer identifier replaced by one no seed or 837 knows, and every CLP01 prefixed as a
    clearinghouse might: nothing resolves the payer and no remit matches its claim."""
    text = re.sub(r"N1\*PR\*[^*~]*\*XV\*[^*~]*", f"N1*PR*UNKNOWN HEALTH PLAN*XV*{UNKNOWN_PAYER_ID}", text)
    text = re.sub(r"REF\*2U\*[^*~]*", f"REF*2U*{UNKNOWN_PAYER_ID}", text)
    text = re.sub(r"(TRN\*1\*[^*~]*\*)[^*~]*", r"\g<1>1999999999", text)
    return re.sub(r"CLP\*", "CLP*CH", text)


def test_remits_that_resolve_to_nothing_stop_the_run(published: Published, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(published.batch1, inbox)
    control_numbers = set()
    for path in (inbox / "835").glob("*.835"):
        text = path.read_text(encoding="utf-8")
        control_numbers |= set(re.findall(r"CLP\*([^*~]+)", text))
        path.write_text(_unmatchable(text), encoding="utf-8")
    warehouse = tmp_path / "warehouse" / "denials.duckdb"

    done = run(published, warehouse, inbox)

    output = done.stdout + done.stderr
    assert done.returncode == EXIT_CHECK_FAILED, output
    assert "CRITICAL staging.remit_matching" in output and f"N1*PR04 {UNKNOWN_PAYER_ID}" in output, output
    assert not warehouse.with_name("denials.published.duckdb").exists(), "nothing is published"
    leaked = [number for number in control_numbers if number in output]
    assert not leaked, "claim control numbers must never be printed"


def test_remit_matching_passes_on_a_matching_feed(published: Published) -> None:
    """The same check on the published clean feed: every identifier resolved, every claim matched."""
    con = duckdb.connect(str(published.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select expectation_type, status, element_count, unexpected_count from quality.check_results "
            "where suite = 'staging.remit_matching'").fetchall()
    finally:
        con.close()
    assert {row[0] for row in rows} == {"expect_column_values_to_be_in_set",
                                        "expect_column_values_to_be_between"}
    assert all(status == "passed" and checked > 0 and unexpected == 0
               for _, status, checked, unexpected in rows), rows


def test_payer_override_file_wins_over_seeds_through_run(published: Published, tmp_path: Path) -> None:
    warehouse = copy_published(published, tmp_path)
    overrides = tmp_path / "config" / "payer_overrides.csv"
    overrides.parent.mkdir()
    overrides.write_text(
        "payer_id,appeal_window_days,hcpcs_code,requires_prior_auth,requires_jw_jz,effective_from\n"
        "COMMA,45,,,,\n"
        "COMMA,,J7170,false,false,2020-01-01\n", encoding="utf-8")

    done = cli("run", str(published.batch1), "--warehouse", str(warehouse), "--no-docs",
               "--payer-overrides", str(overrides), gx_root=published.gx_root)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        payers = dict(con.execute("select payer_id, (appeal_window_days, has_overrides) "
                                  "from intermediate.int_payers_resolved").fetchall())
        policies = con.execute("select requires_prior_auth, requires_jw_jz, effective_from "
                               "from intermediate.int_payer_policies_in_force "
                               "where payer_id = 'COMMA' and hcpcs_code = 'J7170'").fetchall()
    finally:
        con.close()
    assert payers["COMMA"] == (45, True)
    assert all(not overridden for payer, (_, overridden) in payers.items() if payer != "COMMA")
    assert policies == [(False, False, date(2020, 1, 1))], "the override replaces the seed's J7170 rows"
    listed = cli("payers", "--warehouse", str(warehouse), gx_root=published.gx_root,
                 env={"COLUMNS": "220"})
    assert "overrides" in next(line for line in listed.stdout.splitlines() if "COMMA" in line)

    overrides.write_text("payer_id,appeal_window_days\nCOMMA,45\nMCRB1,soon\n", encoding="utf-8")
    bad = cli("run", str(published.batch1), "--warehouse", str(warehouse), "--no-docs",
              "--payer-overrides", str(overrides), gx_root=published.gx_root)
    assert bad.returncode == EXIT_USAGE, bad.stdout + bad.stderr
    assert f"{overrides}, line 3, column appeal_window_days" in bad.stderr.replace("\n", "")
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("text_keys", ["hierarchical_level_id", "every key"])
def test_an_earlier_release_warehouse_is_upgraded_and_rebuilt_once_by_the_next_run(
        published: Published, tmp_path: Path, text_keys: str) -> None:
    # Earlier releases wrote raw layout 3 (no hl_position) and text keys into incremental staging tables:
    # the previous one only the hierarchical level's, the ones before packed keys every key. A run must
    # upgrade the raw layer and not append packed keys to those tables.
    from denials.key_layout import keys_are_text
    from denials.warehouse import RAW_SCHEMA_VERSION

    warehouse = copy_published(published, tmp_path)
    before = published_totals(warehouse)
    assert not keys_are_text(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        keys = con.execute("""
            select table_name, column_name from duckdb_columns()
            where schema_name = 'staging' and data_type = 'HUGEINT'
                and table_name in (select table_name from duckdb_tables())
        """).fetchall()
        assert {column for _, column in keys} >= {"claim_id", "remit_claim_id", "claim_line_id",
                                                   "hierarchical_level_id"}
        if text_keys == "hierarchical_level_id":
            keys = [("stg_x12_837__hierarchical_levels", "hierarchical_level_id")]
        for table, column in keys:
            con.execute(f'alter table staging."{table}" alter column "{column}" type varchar')
        levels = con.execute("select count(hl_position) from raw.x12_segment_rows").fetchall()[0][0]
        assert levels > 0
        con.execute("alter table raw.x12_segment_rows drop column hl_position")
        con.execute("update raw.warehouse_metadata set value = '3' where key = 'raw_schema_version'")

    done = run(published, warehouse, published.batch1)

    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert "rebuilt from scratch: its keys were an earlier release's text" in done.stdout, done.stdout
    assert not keys_are_text(warehouse)
    assert published_totals(warehouse) == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select value from raw.warehouse_metadata where key = 'raw_schema_version'"
                           ).fetchall() == [(RAW_SCHEMA_VERSION,)]
        assert con.execute("select count(hl_position) from raw.x12_segment_rows").fetchall()[0][0] == levels
