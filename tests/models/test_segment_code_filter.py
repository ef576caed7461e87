"""Models that read one segment id filter on the code the loader stores (the macro x12_segment_is). The
macro spells the loader's encoding out again in Jinja, so the two are held together here: a code the
loader never writes would make a model read no segments at all, without an error."""

from __future__ import annotations

from pathlib import Path

from denials.transform import run_dbt
from denials.x12.segments import segment_id_code

# Two- and three-character ids, with digits, from both transaction sets and the envelope.
SEGMENT_IDS = ("ISA", "CAS", "CLP", "SVC", "HI", "HL", "NM1", "N3", "SV1", "SV2", "K3", "PLB", "LX", "ZZ9")


def test_the_macro_gives_each_segment_id_the_code_the_loader_stores(tmp_path: Path) -> None:
    columns = ", ".join(f"{{{{ x12_segment_code('{segment_id}') }}}} as {segment_id.lower()}"
                        for segment_id in SEGMENT_IDS)
    shown = run_dbt(["show", "--quiet", "--inline", f"select {columns}"], tmp_path / "site.duckdb",
                    log_path=tmp_path / "logs")
    assert shown.success, shown.log_tail()
    codes = shown.result.result.results[0].agate_table.rows[0]
    assert dict(zip(SEGMENT_IDS, (int(code) for code in codes), strict=True)) == {
        segment_id: segment_id_code(segment_id) for segment_id in SEGMENT_IDS}
    assert len(set(codes)) == len(SEGMENT_IDS)


def test_the_macro_refuses_what_is_not_a_segment_id(tmp_path: Path) -> None:
    """A typo fails the compile rather than filtering on a code no segment has."""
    for wrong in ("cas", "CASE", "1AB"):
        shown = run_dbt(["show", "--quiet", "--inline", f"select {{{{ x12_segment_code('{wrong}') }}}}"],
                        tmp_path / "site.duckdb", log_path=tmp_path / "logs")
        assert not shown.success, wrong
        assert "is not a segment id" in shown.log_tail(), wrong
