"""Each planted fault fails the expectation meant to catch it, and the message names the file or table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.quality.conftest import (
    NULL_KEY_FILE,
    NULL_KEY_TABLE,
    Built,
    Run,
    check,
    copy_warehouse,
    failed,
    file_id,
    ingest,
    new_envelope,
    remit_files,
    suite,
)


def _messages_naming(report, *words: str) -> list[str]:  # noqa: ANN001
    return [m for m in report.messages() if all(w in m for w in words)]


def test_unbalanced_remit_fails_claim_and_transaction_balancing(unbalanced: tuple[Path, str],
                                                                unbalanced_run: Run) -> None:
    """(a) One CLP04 raised by 100.00 in a copy of an 835 before ingest."""
    report, edited = unbalanced_run.report, unbalanced[1]
    assert failed(report, "staging.balancing", "unbalanced_claim_share", "critical")
    assert failed(report, "staging.balancing", "unbalanced_transaction_share", "critical")
    assert not failed(report, "staging.balancing", "unbalanced_line_share")  # SVC lines still balance
    for other in ("raw.file_registry", "raw.remittance_resends", "staging.reference_codes", "staging.keys",
                  "staging.code_values"):
        assert suite(report, other).status == "passed", other
    assert report.exit_code == 1
    messages = _messages_naming(report, "CRITICAL", "staging.balancing", "unbalanced_claim_share", edited)
    assert messages, report.messages()
    assert f"file {file_id(unbalanced_run.warehouse, edited)} ({edited})" in messages[0]


def test_unknown_carc_flood_fails_reference_codes(built: Built, tmp_path: Path) -> None:
    """(b) Every CARC of one file replaced with a code absent from seeds/carc_codes.csv."""
    warehouse = copy_warehouse(built.warehouse, tmp_path)
    flooded = remit_files(built.data)[4].name
    flooded_id = file_id(warehouse, flooded)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update staging.stg_x12_835__adjustments set carc_code = 'Z' || carc_code where file_id = ?",
            [flooded_id])
    finally:
        con.close()
    report, _ = check(warehouse, tmp_path, ["staging"], build_docs=False)
    assert failed(report, "staging.reference_codes", "unknown_carc_share", "critical")
    assert failed(report, "staging.reference_codes", "unknown_carc_share", "warning")
    assert not failed(report, "staging.reference_codes", "unknown_rarc_share")
    assert suite(report, "staging.balancing").status == "passed"
    assert _messages_naming(report, "CRITICAL", "staging.reference_codes", "unknown_carc_share", flooded)
    assert not report.success


def test_remittance_resent_under_new_envelope_warns(built: Built, tmp_path: Path) -> None:
    """(c) A copy of an 835 with new ISA13/GS06/ST02 control numbers: a new hash, the same money. The
    models leave the copy out of adjudication, so it is a warning that names the files, not a stop."""
    warehouse = copy_warehouse(built.warehouse, tmp_path)
    original = remit_files(built.data)[1]
    resent = tmp_path / "inbox" / original.name.replace(".835", "_resent.835")
    resent.parent.mkdir()
    resent.write_text(new_envelope(original.read_text(encoding="utf-8")), encoding="utf-8")
    ingest([resent], warehouse)
    assert file_id(warehouse, resent.name) is not None  # loaded, not a byte-for-byte duplicate

    report, _ = check(warehouse, tmp_path, ["raw"], build_docs=False)
    assert failed(report, "raw.remittance_resends", "resent_transaction_count", "warning")
    assert suite(report, "raw.file_registry").status == "passed"  # envelope counts and numbers consistent
    messages = _messages_naming(report, "WARNING", "raw.remittance_resends", resent.name)
    assert messages, report.messages()
    assert f"first sent in file {file_id(warehouse, original.name)}" in messages[0]
    assert report.success


def test_null_key_fails_staging_keys(null_key_run: Run) -> None:
    """(d) A staging key set to null in a copy of the warehouse."""
    report = null_key_run.report
    assert failed(report, "staging.keys", "null_key_count", "critical")
    others = [s for s in report.suites if s.layer == "staging" and s.suite != "staging.keys"]
    assert all(s.status == "passed" for s in others), [(s.suite, s.status) for s in others]
    messages = _messages_naming(report, "CRITICAL", "staging.keys", f"{NULL_KEY_TABLE}.claim_id",
                                NULL_KEY_FILE)
    assert messages, report.messages()
    assert not report.success


def test_raw_suites_run_before_dbt(built: Built, tmp_path: Path) -> None:
    """Right after ingest (no dbt yet): raw suites validate, staging and marts say they are not built."""
    warehouse = tmp_path / "ingested.duckdb"
    ingest([built.data / "835"], warehouse)
    report, _ = check(warehouse, tmp_path, build_docs=False)
    assert {s.suite: s.status for s in report.suites if s.layer == "raw"} == {
        "raw.file_registry": "passed", "raw.remittance_resends": "passed"}
    for outcome in report.suites:
        if outcome.layer != "raw":
            assert outcome.status == "skipped" and "table not built" in outcome.reason, outcome
    assert report.success


def test_a_suite_that_cannot_run_fails_the_run_and_the_others_still_run(built: Built, tmp_path: Path) -> None:
    """A staging model changed under the checks (a column renamed): that suite errors, loudly."""
    warehouse = copy_warehouse(built.warehouse, tmp_path)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("alter table staging.stg_x12_835__claims rename column claim_status_code to status_code")
    finally:
        con.close()
    report, _ = check(warehouse, tmp_path, ["staging"], build_docs=False)
    broken = suite(report, "staging.code_values")
    assert broken.status == "error" and "claim_status_code" in broken.reason
    assert suite(report, "staging.balancing").status == "passed"
    assert not report.success
    messages = report.messages()
    assert any(m.startswith("CRITICAL staging.code_values") and "could not run" in m for m in messages)
