"""Loader behaviour on hand-made inputs: atomicity, duplicates, zips, CSVs, odd delimiters, PHI."""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from denials.cli import main
from denials.ingest import ingest_paths, rebuild_file, x12_loader

from .x12_builders import isa, remittance


def _segments(warehouse: Path, file_id: int | None = None) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sql = "select count(*) from raw.x12_segment_rows"
        if file_id is None:
            return con.execute(sql).fetchall()[0][0]
        return con.execute(sql + " where file_id = ?", [file_id]).fetchall()[0][0]
    finally:
        con.close()


def test_a_file_that_fails_midway_leaves_no_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "a_good.835"
    good.write_text(remittance(claims=3))
    # Many claims and small chunks: several blocks land before the missing IEA is found at the end.
    broken = tmp_path / "b_broken.835"
    broken.write_text(remittance(claims=400).rsplit("IEA", 1)[0])
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 1000)
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([tmp_path], warehouse)
    statuses = {o.name: o for o in report.files}
    assert statuses["a_good.835"].status == "loaded"
    rejected = statuses["b_broken.835"]
    assert rejected.status == "rejected"
    assert "has no IEA" in rejected.reason
    assert _segments(warehouse, rejected.file_id) == 0
    assert _segments(warehouse) == statuses["a_good.835"].segments
    assert report.exit_code == 1
    assert rejected.quarantined_to and Path(rejected.quarantined_to).read_bytes() == broken.read_bytes()
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
    con.close()
    assert "x12_segments_loading" not in tables


def test_a_file_longer_than_its_keys_can_number_is_rejected_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A segment's position fills 30 bits of a key (macro x12_key); a longer file would repeat keys. The
    # limit is lowered so a small file crosses it blocks after its first rows were appended.
    remit = tmp_path / "long.835"
    remit.write_text(remittance(claims=400))
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(x12_loader, "MAX_SEGMENTS", 1500)
    outcome = ingest_paths([remit], tmp_path / "w.duckdb").files[0]
    assert outcome.status == "rejected"
    assert "more than 1,500 segments (segment 1,501)" in outcome.reason
    assert _segments(tmp_path / "w.duckdb", outcome.file_id) == 0


def test_an_unexpected_error_while_publishing_rolls_everything_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "x.835"
    source.write_text(remittance(claims=2))

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom MEMBERID00001")

    monkeypatch.setattr("denials.ingest.runner.insert_envelopes", explode)
    warehouse = tmp_path / "w.duckdb"
    outcome = ingest_paths([source], warehouse).files[0]
    assert outcome.status == "rejected"
    assert "internal error" in outcome.reason and "MEMBERID" not in outcome.reason
    assert _segments(warehouse) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from raw.x12_interchanges").fetchall()[0][0] == 0
    con.close()


def test_same_content_again_is_a_duplicate_and_a_no_op(tmp_path: Path) -> None:
    first = tmp_path / "one.835"
    first.write_text(remittance(claims=2))
    warehouse = tmp_path / "w.duckdb"
    assert ingest_paths([first], warehouse).files[0].status == "loaded"
    before = _segments(warehouse)
    copy = tmp_path / "copy" / "renamed.835"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    report = ingest_paths([first, copy], warehouse)
    # The same path, size and time again is skipped unread; the same content elsewhere is a duplicate.
    assert [o.status for o in report.files] == ["unchanged", "duplicate"]
    assert report.exit_code == 0
    assert _segments(warehouse) == before


def test_bom_whitespace_crlf_and_newline_terminators_round_trip(tmp_path: Path) -> None:
    variants = {
        "bom_crlf.835": codecs.BOM_UTF8 + b"  \r\n" + remittance(newline="\r\n").encode(),
        "newline_terminated.835": remittance(terminator="\n").encode(),
        "pipes_and_carets.835": remittance(element="|", component="^", terminator="\n").encode(),
        "no_final_terminator.835": remittance().rstrip("~").encode(),
    }
    for name, content in variants.items():
        (tmp_path / name).write_bytes(content)
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([tmp_path], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    for outcome in report.files:
        assert outcome.status == "loaded", (outcome.name, outcome.reason)
        assert rebuild_file(con, outcome.file_id) == variants[outcome.name]
        claims = con.execute("select count(*) from raw.x12_segments where file_id = ? and segment_id = 'CLP'",
                             [outcome.file_id]).fetchall()[0][0]
        assert claims == 2
    con.close()


def test_interchanges_with_different_delimiters_in_one_file(tmp_path: Path) -> None:
    content = remittance(claims=1, control="000000001") + "\n" + remittance(
        claims=2, control="000000002", element="|", component=">", terminator="!")
    source = tmp_path / "mixed.835"
    source.write_text(content)
    warehouse = tmp_path / "w.duckdb"
    outcome = ingest_paths([source], warehouse).files[0]
    assert outcome.status == "loaded", outcome.reason
    assert outcome.warnings == []
    con = duckdb.connect(str(warehouse), read_only=True)
    separators = con.execute("select element_separator, segment_terminator from raw.x12_interchanges "
                             "order by interchange_seq").fetchall()
    assert separators == [("*", "~"), ("|", "!")]
    svc = con.execute("select elements[1] from raw.x12_segments where segment_id = 'SVC' "
                      "order by segment_position").fetchall()
    assert [row[0] for row in svc] == ["HC:J7189:JZ", "HC>J7189>JZ", "HC>J7189>JZ"]
    assert rebuild_file(con, outcome.file_id) == content.encode()
    con.close()


@pytest.mark.parametrize(("content", "clue"), [
    (b"", "empty"),
    ("ISA*00*".encode("utf-16"), "UTF-16"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary content"),
    (b"ISA*00*          *00*", "truncated ISA"),
    (b"GS*HP*A*B*20260101*1200*1*X*005010X221A1~", "does not start with an ISA"),
])
def test_fatal_problems_are_rejected_with_a_reason(tmp_path: Path, content: bytes, clue: str) -> None:
    source = tmp_path / "bad.edi"
    source.write_bytes(content)
    outcome = ingest_paths([source], tmp_path / "w.duckdb").files[0]
    assert outcome.status == "rejected"
    assert clue in outcome.reason


def test_a_control_byte_deep_in_a_file_rejects_it_whole(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # New files are hashed and checked while they load; the fault sits blocks after the first one.
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 2000)
    content = remittance(claims=200).encode()
    cut = content.index(b"CLP*PCN00150")
    content = content[:cut] + b"\x00" + content[cut:]
    source = tmp_path / "late_binary.835"
    source.write_bytes(content)
    warehouse = tmp_path / "w.duckdb"
    outcome = ingest_paths([source], warehouse).files[0]
    assert outcome.status == "rejected"
    assert outcome.reason == f"binary content (control byte at offset {cut})"
    assert _segments(warehouse) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    registered = con.execute("select content_sha256, size_bytes, file_kind from raw.file_registry").fetchall()
    con.close()
    assert registered == [(hashlib.sha256(content).hexdigest(), len(content), "unknown")]


def test_a_latin_1_file_whose_first_accent_comes_late_is_kept_exactly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The head looks like UTF-8, so the file starts loading as UTF-8 and must start over as Latin-1.
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 2000)
    content = remittance(claims=200).replace("TEST CLINIC", "CLINIQUE").encode()
    content = content.replace(b"REF*6R*LINE00150", b"REF*6R*LIGN\xc9E00150")
    source = tmp_path / "latin1.835"
    source.write_bytes(content)
    warehouse = tmp_path / "w.duckdb"
    outcome = ingest_paths([source], warehouse).files[0]
    assert outcome.status == "loaded", outcome.reason
    con = duckdb.connect(str(warehouse), read_only=True)
    encoding, sha = con.execute("select text_encoding, content_sha256 from raw.file_registry").fetchall()[0]
    reference = con.execute("select elements[2] from raw.x12_segments where segment_text like 'REF*6R*LIGN%'"
                            ).fetchall()
    assert (encoding, sha) == ("latin-1", hashlib.sha256(content).hexdigest())
    assert reference == [("LIGN\u00c9E00150",)]
    assert rebuild_file(con, outcome.file_id) == content
    assert _segments(warehouse) == outcome.segments
    con.close()


def test_a_file_without_its_declared_terminator_is_rejected_without_reading_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 1000)
    monkeypatch.setattr("denials.x12.blocks.MAX_SEGMENT_BYTES", 5000)
    # The ISA declares "~" but every later segment ends with a newline.
    header, body = remittance(claims=100).split("~", 1)
    source = tmp_path / "wrong_terminator.835"
    source.write_text(header + "~" + body.replace("~", "\n"))
    outcome = ingest_paths([source], tmp_path / "w.duckdb").files[0]
    assert outcome.status == "rejected"
    assert outcome.reason.startswith("no segment terminator in the 0 MB after segment 1")


def test_a_segment_outside_a_transaction_is_named_even_blocks_before_the_fault_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without its ST, the transaction's segments are only known to be outside one when SE arrives,
    # many blocks later; the message still names the first of them by id.
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 300)
    source = tmp_path / "no_st.835"
    source.write_text(remittance(claims=50).replace("ST*835*0001~", ""))
    warehouse = tmp_path / "w.duckdb"
    outcome = ingest_paths([source], warehouse).files[0]
    assert outcome.status == "rejected"
    assert outcome.reason == "segment 3 (BPR) is outside a transaction set (no ST before it)"
    assert _segments(warehouse) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from raw.x12_segment_rows").fetchall()[0][0] == 0
    con.close()


def test_count_mismatches_load_with_warnings(tmp_path: Path) -> None:
    content = re.sub(r"SE\*\d+\*0001", "SE*99*0001", remittance(claims=2)).replace("GE*1*1", "GE*3*7")
    source = tmp_path / "counts.835"
    source.write_text(content)
    outcome = ingest_paths([source], tmp_path / "w.duckdb").files[0]
    assert outcome.status == "loaded"
    assert any(w.startswith("SE01 at segment") for w in outcome.warnings)
    assert any(w.startswith("GE01 at segment") for w in outcome.warnings)
    assert any(w.startswith("GE02 at segment") for w in outcome.warnings)


def test_a_repeated_hl01_is_one_of_an_837_level_with_an_id(tmp_path: Path) -> None:
    # An empty HL01 names no level an HL02 could point to, and a 277's levels are not an 837's; only the
    # second billing provider numbered 1 (segment 10) repeats an id. SE01 counts ST..SE.
    segments = [
        "GS*HC*SENDER*RECEIVER*20260105*1200*1*X*005010X222A1", "ST*837*0001*005010X222A1",
        "BHT*0019*00*1*20260105*1200*CH", "HL*1**20*1", "HL**1*22*0", "CLM*A*100***11:B:1*Y*A*Y*Y",
        "HL**1*22*0", "CLM*B*100***11:B:1*Y*A*Y*Y", "HL*1**20*1", "SE*9*0001", "GE*1*1",
        "GS*HN*SENDER*RECEIVER*20260105*1200*2*X*005010X212", "ST*277*0002*005010X212",
        "BHT*0010*08*1*20260105*1200", "HL*1**20*1", "HL*1**20*1", "SE*5*0002", "GE*1*2",
        "IEA*2*000000001",
    ]
    source = tmp_path / "levels.x12"
    source.write_text(isa() + "~".join(segments) + "~")
    outcome = ingest_paths([source], tmp_path / "w.duckdb").files[0]
    assert outcome.status == "loaded", outcome.reason
    assert [text for text in outcome.warnings if "HL01" in text] == [
        "1 HL segment(s) repeat the HL01 of an earlier level in their transaction set (first at segment 10); "
        "each level's parent is taken as the nearest level before it with its HL02 as HL01"]


def test_zip_archives_and_unsafe_members(tmp_path: Path) -> None:
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("remits/one.835", remittance(claims=2))
        zipped.writestr("../escape.835", remittance(claims=1, control="000000009"))
        zipped.writestr("/etc/absolute.835", remittance(claims=1, control="000000008"))
    report = ingest_paths([archive], tmp_path / "w.duckdb")
    by_member = {o.archive_member: o for o in report.files}
    assert by_member[None].status == "loaded"  # the archive's own row
    assert by_member["remits/one.835"].status == "loaded"
    assert "'..'" in by_member["../escape.835"].reason
    assert "absolute path" in by_member["/etc/absolute.835"].reason
    assert report.exit_code == 1


def test_a_member_without_a_name_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A damaged central directory can name a member ''; it gets its registry row and a reason."""
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("one.835", remittance(claims=1))
        zipped.writestr("two.835", remittance(claims=1, control="000000009"))
        zipped.filelist[0].filename = ""  # the central directory, written at the close, names it ''
    report = ingest_paths([archive], tmp_path / "w.duckdb")
    by_member = {o.archive_member: o for o in report.files}
    assert by_member[""].status == "rejected" and "no name" in by_member[""].reason
    assert by_member["two.835"].status == "loaded"
    assert report.exit_code == 1


def test_zip_bombs_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        zipped.writestr("huge.835", b"0" * (60 * 1024 * 1024))
    report = ingest_paths([archive], tmp_path / "w.duckdb")
    assert len(report.files) == 1
    assert report.files[0].status == "rejected"
    assert "zip bomb" in report.files[0].reason


ADMIN_HEADER = ("administration_id,claim_control_number,line_control_number,hcpcs_code,ndc,"
                "administered_amount,administered_unit,wasted_amount,patient_weight_kg,administered_at\n")


def test_administrations_csv_loads_and_a_bad_row_rejects_the_file(tmp_path: Path) -> None:
    good = tmp_path / "admin_good.csv"
    good.write_text(ADMIN_HEADER
                    + "A1,PCN00001,LINE00001,J7189,00169720101,7200,mcg,800,80,2026-01-02T09:30:00\n"
                    + "A2,PCN00002,LINE00002,J7170,50242092001,210,mg,0,,2026-01-03T10:00:00\n")
    bad = tmp_path / "admin_bad.csv"
    bad.write_text(ADMIN_HEADER
                   + "A1,PCN00001,LINE00001,J7189,00169720101,7200,mcg,0,80,2026-01-02T09:30:00\n"
                   + "A2,PCN00002,LINE00002,J7189,00169720101,SECRET-VALUE,mcg,0,80,2026-01-02T09:30:00\n")
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([good, bad], warehouse)
    good_outcome, bad_outcome = report.files
    assert good_outcome.status == "loaded" and good_outcome.records == 2
    assert bad_outcome.status == "rejected"
    assert "line 3, column administered_amount" in bad_outcome.reason
    assert "SECRET" not in bad_outcome.reason
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("select file_id, row_number, administered_amount from raw.drug_administrations "
                       "order by row_number").fetchall()
    con.close()
    assert rows == [(good_outcome.file_id, 2, "7200"), (good_outcome.file_id, 3, "210")]


def test_cli_exit_status_and_no_phi_in_output(tmp_path: Path) -> None:
    good = tmp_path / "good.835"
    good.write_text(remittance(claims=1, patient_name="ZZPHINAME"))
    runner = CliRunner()
    warehouse = str(tmp_path / "w.duckdb")
    result = runner.invoke(main, ["ingest", str(good), "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
    assert "ingest summary" in result.output
    broken = tmp_path / "broken.835"
    broken.write_text(remittance(claims=1, control="000000005", patient_name="ZZPHINAME").rsplit("IEA", 1)[0])
    result = runner.invoke(main, ["ingest", str(tmp_path), "--warehouse", warehouse])
    assert result.exit_code == 1
    assert "broken.835" in result.output and "has no IEA" in result.output
    assert "ZZPHINAME" not in result.output and "MEMBERID" not in result.output
    assert "Traceback" not in result.output


def test_loop_context_of_a_generated_835(tmp_path: Path) -> None:
    source = tmp_path / "ctx.835"
    source.write_text(remittance(claims=2))
    warehouse = tmp_path / "w.duckdb"
    outcome = ingest_paths([source], warehouse).files[0]
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("select segment_id, loop_id, claim_seq, line_seq, transaction_seq "
                       "from raw.x12_segments where file_id = ? order by segment_position",
                       [outcome.file_id]).fetchall()
    con.close()
    by_id = {}
    for row in rows:
        by_id.setdefault(row[0], []).append(row[1:])
    assert by_id["CLP"] == [("2100", 1, None, 1), ("2100", 2, None, 1)]
    assert by_id["SVC"] == [("2110", 1, 1, 1), ("2110", 2, 1, 1)]
    assert by_id["CAS"] == [("2110", 1, 1, 1), ("2110", 2, 1, 1)]
    assert by_id["PLB"] == [("summary", None, None, 1)]
    assert by_id["ISA"][0][3] is None


def test_rows_left_by_a_killed_load_are_removed_at_the_next_start(tmp_path: Path) -> None:
    source = tmp_path / "one.835"
    source.write_text(remittance(claims=1))
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([source], warehouse)
    con = duckdb.connect(str(warehouse))
    # What a process killed between publishing segments and committing the registry row leaves.
    con.execute("""
        insert into raw.x12_segment_rows (
            file_id, segment_position, segment_code, segment_text, is_terminated
        )
        values (999, 1, 1, 'ISA*00', true)
    """)
    # Readers never see a file without its registry row, even before the clean-up.
    assert con.execute("select count(*) from raw.x12_segments where file_id = 999").fetchall()[0][0] == 0
    con.close()
    other = tmp_path / "two.835"
    other.write_text(remittance(claims=2, control="000000002"))
    ingest_paths([other], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    orphans = con.execute("select count(*) from raw.x12_segment_rows where file_id = 999").fetchall()[0][0]
    registered = con.execute("select count(distinct file_id) from raw.x12_segments").fetchall()[0][0]
    con.close()
    assert orphans == 0
    assert registered == 2
