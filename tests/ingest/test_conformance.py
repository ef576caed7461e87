"""Conformance over the public X12 samples in ../shared/x12-samples.

Every file gets a status and a reason; the expected status of every file is written here. Files not
listed below are expected to load cleanly or with count warnings only, or with the warning about
repeated HL01 values, which is checked against an independent count for every file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from denials.ingest import ingest_paths, rebuild_file, x12_loader
from tests.generate.x12_split import interchanges, transactions

NOT_X12 = "the file does not start with an ISA segment"
NO_IEA = "has no IEA"
ONLY_997 = "only unsupported transaction sets (997)"
# Files whose envelope is intact but whose fault (per their source repository) lies in the
# implementation-guide rules (loop repeats, element values, qualifiers). The loader keeps raw X12 and
# does not validate guide rules, so they load; pyx12 reports their faults in its expected 997s.
GUIDE_LEVEL_FAULT = "loaded: envelope intact, fault is at implementation-guide level"

# relative path -> (status, substring of reason or of a warning)
EXPECTED: dict[str, tuple[str, str]] = {
    # not X12 at all
    "MANIFEST.tsv": ("rejected", NOT_X12),
    "README.md": ("rejected", NOT_X12),
    "azoner__pyx12/expected/ordinal.xml.idtag": ("rejected", NOT_X12),
    "azoner__pyx12/expected/ordinal.xml.idtagqual": ("rejected", NOT_X12),
    "azoner__pyx12/expected/simple_837p.xml.idtag": ("rejected", NOT_X12),
    "azoner__pyx12/expected/simple_837p.xml.idtagqual": ("rejected", NOT_X12),
    "xlate__staedi/expected/sample837-original-nestHL.json": ("rejected", NOT_X12),
    "xlate__staedi/expected/sample837-original-object-elements-nestHL.json": ("rejected", NOT_X12),
    "xlate__staedi/expected/sample837-original-object-elements.json": ("rejected", NOT_X12),
    "xlate__staedi/expected/sample837-original.json": ("rejected", NOT_X12),
    # a text dump that starts with "ISA" but is not delimited X12
    "xlate__staedi/expected/sample837-HL-nested-expected.txt": ("rejected", "no valid element separator"),
    # peer parser outputs: CSVs that are not administration records
    "keironstoddart__edi-835-parser/expected/all_samples.csv": ("rejected", "names none of the columns"),
    "keironstoddart__edi-835-parser/expected/blue_cross_nc_sample.csv":
        ("rejected", "names none of the columns"),
    "keironstoddart__edi-835-parser/expected/emedny_sample.csv": ("rejected", "names none of the columns"),
    "keironstoddart__edi-835-parser/expected/united_healthcare_legacy_sample.csv":
        ("rejected", "names none of the columns"),
    # a bare ST..SE without interchange envelope
    "keironstoddart__edi-835-parser/blue_cross_nc_sample.txt": ("rejected", NOT_X12),
    # broken envelopes in real-world samples
    "slott56__TigerShark/837I-Examples.txt": ("rejected", "has no IEA before the next ISA at segment 54"),
    # pyx12's expected acknowledgements: 997s are kept but not modelled; TA1 sits at interchange level
    **{f"azoner__pyx12/expected/{name}.997.base": ("unsupported", ONLY_997) for name in (
        "834_lui_id", "835_simple", "bad_2010AA_bug", "bad_elements", "bad_header_looping", "blank1",
        "ele", "explicit_missing", "fail_no_IEA", "loop_counting", "mult_isa", "mult_trn", "ordinal",
        "per_repeat", "simple1", "simple_837p", "trailer_errors", "trailing_terms")},
    # ---- bad/ fixtures: each rejected or loaded for a stated reason
    "albmarin__badX12/bad/bad_file.edi": ("rejected", NOT_X12),
    "albmarin__badX12/bad/segment_terminator.edi": ("rejected", "has no IEA: the file ends at segment 1"),
    "albmarin__badX12/bad/unknown_segment_error.edi":
        ("rejected", "segment 3 (HL) is outside a transaction set"),
    "albmarin__badX12/bad/error_validation.edi": ("loaded", "SE02 at segment 29 does not match ST02"),
    "azoner__pyx12/bad/explicit_missing.txt": ("rejected", "has no IEA: the file ends at segment 3"),
    "azoner__pyx12/bad/fail_no_IEA.txt": ("rejected", "has no IEA: the file ends at segment 5"),
    "azoner__pyx12/bad/bad_elements.txt": ("loaded", "SE01 at segment 31 does not match"),
    "azoner__pyx12/bad/bad_header_looping.txt": ("loaded", "SE01 at segment 74 does not match"),
    "azoner__pyx12/bad/ele.txt": ("loaded", "SE02 at segment 65 does not match ST02"),
    "azoner__pyx12/bad/trailer_errors.txt": ("loaded", "IEA02 at segment 122 does not match ISA13"),
    "azoner__pyx12/bad/mult_isa.txt": ("loaded", "unsupported transaction sets kept in raw"),
    "azoner__pyx12/bad/mult_trn.txt": ("loaded", "unsupported transaction sets kept in raw"),
    **{f"azoner__pyx12/bad/{name}": ("loaded", GUIDE_LEVEL_FAULT) for name in (
        "bad_2010AA_bug.txt", "blank1.txt", "gs_id.txt", "loop_counting.txt", "ordinal.txt",
        "per_repeat.txt", "simple1.txt", "trailing_terms.txt")},
    "imsweb__x12-parser/bad/x12_no_isa_line.txt": ("rejected", NOT_X12),
    "imsweb__x12-parser/bad/x12_bad_segment_identifier.txt":
        ("rejected", "segment 11 has an invalid segment id"),
    "imsweb__x12-parser/bad/x12_bad_first_line.txt": ("loaded", "is 105 characters long, not the fixed 106"),
    **{f"imsweb__x12-parser/bad/{name}": ("loaded", "SE01 at segment") for name in (
        "x12_ambiguous_loop.txt", "x12_bad_valid_code.txt", "x12_loop_errors1_exceeds_max_1_parent.txt",
        "x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt", "x12_loop_errors3_missing_loops.txt",
        "x12_missing_elements.txt", "x12_missing_required_loop_in_one_repeat.txt",
        "x12_missing_required_loops_mult_repeats.txt", "x12_segment_errors.txt",
        "x12_segments_out_of_order.txt")},
    "tastypackets__x12-parser/bad/errorISA.edi": ("loaded", "IEA02 at segment 35 does not match ISA13"),
    # identical content under another name
    "tastypackets__x12-parser/profee-one-line.edi": ("duplicate", "same content as file"),
    "tastypackets__x12-parser/profeeOneLine.edi": ("duplicate", "same content as file"),
    # odd but loadable
    "LinuxForHealth__x12/secondary-payment.835": ("loaded", "uses another one"),
    "tastypackets__x12-parser/oneLine.edi": ("loaded", "has no segment terminator"),
}


@pytest.fixture(scope="module")
def loaded(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    warehouse = tmp_path_factory.mktemp("conformance") / "w.duckdb"
    report = ingest_paths([samples_dir], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield report, con
    con.close()


def _relative(outcome, samples_dir: Path) -> str:
    return str(Path(outcome.source_path).relative_to(samples_dir))


def test_every_file_gets_the_expected_status_and_reason(loaded, samples_dir: Path) -> None:
    report, _ = loaded
    seen = {}
    for outcome in report.files:
        relative = _relative(outcome, samples_dir)
        seen[relative] = outcome
        assert outcome.status in ("loaded", "rejected", "unsupported", "duplicate"), relative
        assert outcome.status == "loaded" or outcome.reason, relative
        status, clue = EXPECTED.get(relative, ("loaded", ""))
        assert outcome.status == status, f"{relative}: {outcome.status} ({outcome.reason})"
        if clue and clue != GUIDE_LEVEL_FAULT:
            texts = [outcome.reason or "", *outcome.warnings]
            assert any(clue in text for text in texts), f"{relative}: {texts}"
    on_disk = {str(p.relative_to(samples_dir)) for p in samples_dir.rglob("*") if p.is_file()}
    assert set(seen) == on_disk
    assert set(EXPECTED) <= on_disk, "expectations name files that are not in the samples"
    bad_files = {name for name in on_disk if "/bad/" in name}
    assert bad_files <= set(EXPECTED), "every bad/ file needs a stated expectation"


def test_reasons_name_positions_not_values(loaded) -> None:
    report, _ = loaded
    for outcome in report.files:
        for text in [outcome.reason or "", *outcome.warnings]:
            # Element values such as names or member ids never appear: only positions and segment ids.
            assert "DOE" not in text and "SMITH" not in text and "JOHN" not in text, text


def _independent_count(path: Path, segment_id: str) -> int:
    text = path.read_bytes().decode("latin-1")
    start = text.index("ISA")
    element = text[start + 3]
    return len(re.findall(r"(?:^|[^A-Za-z0-9])" + segment_id + re.escape(element), text[start:]))


def test_835_claim_and_line_counts_match_an_independent_count(loaded, samples_dir: Path) -> None:
    report, con = loaded
    checked = 0
    for outcome in report.files:
        if outcome.status != "loaded":
            continue
        types = con.execute("select transaction_types from raw.file_registry where file_id = ?",
                            [outcome.file_id]).fetchall()[0][0]
        if types != ["835"]:
            continue
        counts = dict(con.execute(
            "select segment_id, count(*) from raw.x12_segments where file_id = ? "
            "and segment_id in ('CLP', 'SVC') group by 1", [outcome.file_id]).fetchall())
        path = Path(outcome.source_path)
        assert counts.get("CLP", 0) == _independent_count(path, "CLP"), path
        assert counts.get("SVC", 0) == _independent_count(path, "SVC"), path
        checked += 1
    assert checked >= 20


def _repeated_hl01(path: Path) -> int:
    """HL segments of 837 transaction sets whose HL01 an earlier HL of the same set already has."""
    repeated = 0
    for interchange in interchanges(path, encoding="latin-1", lenient=True):
        for transaction in transactions(interchange):
            if transaction[0][1:2] != ["837"]:
                continue
            ids = [segment[1] for segment in transaction
                   if segment[0] == "HL" and len(segment) > 1 and segment[1]]
            repeated += len(ids) - len(set(ids))
    return repeated


def test_repeated_hl01_is_warned_with_an_independent_count_and_its_first_segment(loaded) -> None:
    report, con = loaded
    warned = 0
    for outcome in report.files:
        if outcome.status != "loaded":
            continue
        expected = _repeated_hl01(Path(outcome.source_path))
        found = [text for text in outcome.warnings if "repeat the HL01" in text]
        if not expected:
            assert not found, outcome.source_path
            continue
        assert len(found) == 1, (outcome.source_path, found)
        assert found[0].startswith(f"{expected} HL segment(s) "), (outcome.source_path, found)
        first = int(re.search(r"first at segment (\d+)", found[0]).group(1))
        # that segment is an HL, and the first whose HL01 an earlier HL of its transaction set has
        [(first_repeat,)] = con.execute("""
            select min(segment_position) from (
                select segment_position, row_number() over (
                    partition by transaction_seq, elements[1] order by segment_position) as occurrence
                from raw.x12_segments
                where file_id = ? and segment_id = 'HL' and elements[1] <> '' and transaction_seq in (
                    select transaction_seq from raw.x12_transactions
                    where file_id = ? and transaction_set_id = '837')
            )
            where occurrence > 1
        """, [outcome.file_id, outcome.file_id]).fetchall()
        assert first == first_repeat, outcome.source_path
        warned += 1
    assert warned >= 15  # imsweb's samples number each billing provider's levels from 1 again


def test_every_loaded_file_rebuilds_byte_for_byte(loaded) -> None:
    report, con = loaded
    rebuilt = 0
    for outcome in report.files:
        if outcome.status in ("loaded", "unsupported"):
            original = Path(outcome.source_path).read_bytes()
            assert rebuild_file(con, outcome.file_id) == original, outcome.source_path
            rebuilt += 1
    assert rebuilt >= 130


def test_rejected_files_add_no_rows(loaded) -> None:
    report, con = loaded
    rejected = [o.file_id for o in report.files if o.status == "rejected"]
    assert rejected
    leftovers = con.execute(
        "select count(*) from raw.x12_segment_rows where list_contains(?, file_id)", [rejected]
    ).fetchall()[0][0]
    assert leftovers == 0


@pytest.mark.parametrize("sample", ["emedny_sample", "united_healthcare_legacy_sample"])
def test_edi_835_parser_expected_rows_match_our_service_lines(loaded, samples_dir: Path, sample: str) -> None:
    """The peer parser's expected CSV has one row per service line: same count as our SVC segments."""
    report, con = loaded
    source = samples_dir / "keironstoddart__edi-835-parser" / f"{sample}.txt"
    outcome = next(o for o in report.files if Path(o.source_path) == source)
    with open(samples_dir / "keironstoddart__edi-835-parser" / "expected" / f"{sample}.csv",
              newline="") as handle:
        expected_rows = sum(1 for _ in csv.DictReader(handle))
    ours = con.execute("select count(*) from raw.x12_segments where file_id = ? and segment_id = 'SVC'",
                       [outcome.file_id]).fetchall()[0][0]
    assert ours == expected_rows


def test_loop_context_ties_segments_to_claims_and_lines(loaded, samples_dir: Path) -> None:
    report, con = loaded
    source = samples_dir / "albmarin__badX12" / "X221-multiple-claims-single-check.edi"
    outcome = next(o for o in report.files if Path(o.source_path) == source)
    rows = con.execute("""
        select segment_id, loop_id, claim_seq, line_seq
        from raw.x12_segments where file_id = ? order by segment_position
    """, [outcome.file_id]).fetchall()
    clp = [row for row in rows if row[0] == "CLP"]
    assert [row[2] for row in clp] == list(range(1, len(clp) + 1))
    assert all(row[1] == "2110" and row[3] is not None for row in rows if row[0] == "SVC")
    assert all(row[2] is None for row in rows if row[0] in ("BPR", "TRN", "PLB", "SE"))
    assert {row[1] for row in rows if row[0] == "N1"} == {"1000A", "1000B"}


SEGMENT_COLUMNS = """
    registry.source_path, registry.archive_member, registry.status, registry.reason, registry.warnings,
    registry.claim_count, registry.service_line_count, segments.segment_position, segments.interchange_seq,
    segments.group_seq, segments.transaction_seq, segments.segment_id, segments.segment_text,
    segments.loop_id, segments.hl_id, segments.hl_position, segments.claim_seq, segments.line_seq,
    segments.leading_text, segments.is_terminated
"""


def test_tiny_blocks_give_the_same_rows_and_loop_context(loaded, samples_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Loop context is carried from block to block: cutting every file into blocks of a few segments
    (many cuts inside claims and service lines) must not change a single row or outcome."""
    _, con = loaded
    monkeypatch.setattr(x12_loader, "CHUNK_BYTES", 1999)
    warehouse = tmp_path / "tiny.duckdb"
    ingest_paths([samples_dir], warehouse)
    query = f"""
        select {SEGMENT_COLUMNS}
        from raw.file_registry as registry
        left join raw.x12_segments as segments on segments.file_id = registry.file_id
    """
    default_blocks = con.sql(query).to_arrow_table()
    tiny_con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tiny_blocks = tiny_con.sql(query).to_arrow_table()
    finally:
        tiny_con.close()
    check = duckdb.connect()
    check.register("default_blocks", default_blocks)
    check.register("tiny_blocks", tiny_blocks)
    only_default, only_tiny = check.execute("""
        select
            (select count(*) from (select * from default_blocks except all select * from tiny_blocks)),
            (select count(*) from (select * from tiny_blocks except all select * from default_blocks))
    """).fetchall()[0]
    assert len(default_blocks) > 50_000
    assert (only_default, only_tiny) == (0, 0)
