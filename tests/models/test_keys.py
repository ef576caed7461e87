"""Below the marts, the key of an X12 row is its lineage numbers packed 30 bits apiece into one integer
(macro x12_key); the marts show it as text, 'file:transaction:claim:line' (macro x12_key_label). The
expected keys here are computed from the lineage numbers as that definition says, not read from the
models."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.models.dbt_helpers import run_dbt

PART = 2**30


def packed(*parts: int) -> int:
    key = 0
    for part in parts:
        key = key * PART + part
    return key


def test_a_line_key_packs_its_lineage_and_the_marts_show_the_same_numbers(built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        rows = con.execute("""
            select lines.file_id, lines.transaction_seq, lines.claim_seq, lines.line_seq, lines.claim_line_id,
                lines.claim_id, count(facts.claim_line_id) as shown
            from staging.stg_x12_837__service_lines as lines
            left join marts.fct_claim_lines as facts
                on
                    facts.claim_line_id
                    = concat_ws(':', lines.file_id, lines.transaction_seq, lines.claim_seq, lines.line_seq)
                    and facts.claim_id = concat_ws(':', lines.file_id, lines.transaction_seq, lines.claim_seq)
            group by all
        """).fetchall()
    assert len(rows) > 1000
    assert [row for row in rows if row[4] != packed(*row[:4]) or row[5] != packed(*row[:3])] == []
    # every 837 line is a row of fct_claim_lines, under its key as text
    assert {row[6] for row in rows} == {1}


def test_keys_at_the_limits_of_their_parts_read_back(tmp_path: Path) -> None:
    # the largest position a part may hold (the loader rejects longer files), after a file id past 32 bits
    parts = [2**33 + 5, PART - 1, PART - 1, PART - 1]
    columns = [f"cast({part} as bigint)" for part in parts]
    inline = ", ".join(f"{{{{ x12_key_label(x12_key({columns[:count]!r}), {count}) }}}} as label_{count}"
                       for count in (2, 3, 4))
    outcome = run_dbt(["compile", "--inline", f"select {inline}", "--quiet"], tmp_path / "empty.duckdb",
                      tmp_path)
    compiled = outcome.result.result.results[0].node.compiled_code
    with duckdb.connect() as con:
        labels = con.execute(compiled).fetchone()
    assert labels == tuple(":".join(map(str, parts[:count])) for count in (2, 3, 4))


REMIT_KEYS = {
    # mart column: (staging table, its key column, the lineage columns the key packs)
    "denial_remit_claim_id": ("stg_x12_835__claims", "remit_claim_id",
                              ("file_id", "transaction_seq", "claim_seq")),
    "denial_remit_line_id": ("stg_x12_835__service_lines", "remit_line_id",
                             ("file_id", "transaction_seq", "claim_seq", "line_seq")),
    "primary_remit_adjustment_id": ("stg_x12_835__adjustments", "remit_adjustment_id",
                                    ("file_id", "segment_position", "triplet_ordinal")),
}


def test_remit_keys_pack_their_lineage_and_every_denial_names_them_as_text(built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        for column, (table, key, lineage) in REMIT_KEYS.items():
            rows = con.execute(f"select {', '.join(lineage)}, {key} from staging.{table}").fetchall()
            assert rows and [row for row in rows if row[-1] != packed(*row[:-1])] == [], table
            named, unknown = con.execute(f"""
                select count(denials.{column}), count(denials.{column}) filter (where remits.text_key is null)
                from marts.fct_adjudicated_lines as denials
                left join (
                    select concat_ws(':', {', '.join(lineage)}) as text_key from staging.{table}
                ) as remits on denials.{column} = remits.text_key
            """).fetchone()
            assert named > 100 and unknown == 0, column
