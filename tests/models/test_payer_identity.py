"""Remits that name their payer the way real payers do still match their claims.

In real feeds the 835 payer identifiers differ from the 837's NM1*PR NM109 (DOMAIN.md section 1: N1*PR
N103 = XV when a plan id is used, TRN03 a payer identifier of its own, REF*2U optional). The generator
already writes them that way; here a generated set (800 claims) has every 835 payer identifier rewritten
once more, so that none is what the generator would write: N1*PR N104 becomes an XV plan id (or is dropped),
REF*2U an EIN-like id, TRN03 a ten-digit id, none known to any seed or 837. The whole project is built;
then every remit must still match its claim, every 835 identifier must resolve to the 837 payer it stands
for (learned from the claims), and the denials must equal the truth, line for line and dollar for dollar.
The first 835 file is also loaded a second time under a new envelope (a re-sent ERA: same TRN02 and
BPR02, new ISA13/GS06/ST02): its transactions are recognised as re-sent and nothing is counted twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

from denials.generate import generate  # noqa: E402
from denials.ingest import ingest_paths  # noqa: E402
from tests.models.dbt_helpers import query, run_dbt  # noqa: E402
from tests.quality.conftest import new_envelope  # noqa: E402

pytestmark = pytest.mark.slow

CLAIMS = 800
SEED = 31
DENIED_OUTCOMES = ("denied", "partially_denied")


def rename_payers(directory: Path) -> dict[str, str]:
    """Rewrite N1*PR N104, REF*2U and TRN03 in every 835 transaction to ids no 837 or seed uses; every
    other payer (in first-seen order) loses N103/N104 altogether. Segment counts are unchanged. Returns
    {new identifier: original payer id} for every identifier written."""
    originals: dict[str, str] = {}
    order: list[str] = []

    # The 835 names its payer by N1*PR N102 as the 837's NM1*PR NM103 does (N104 may be absent): the
    # payer each remit stands for, as the 837 identifies it. Read from the 837s, not from a seed, since
    # some payers are in no seed.
    payer_ids: dict[str, str] = {}
    for path in sorted((directory.parent / "837").glob("*.837")):
        text = path.read_text(encoding="ascii")
        element, terminator = text[3], text[105]
        for segment in text.split(terminator):
            fields = segment.strip().split(element)
            if fields[:2] == ["NM1", "PR"]:
                payer_ids[fields[3]] = fields[9]

    def rewrite(transaction: list[list[str]]) -> None:
        payer = payer_ids[next(fields[2] for fields in transaction if fields[:2] == ["N1", "PR"])]
        if payer not in order:
            order.append(payer)
        number = order.index(payer) + 1
        plan, ein, trace = f"XVPLAN{number:04d}", f"EIN98765{number:04d}", f"9{number:09d}"
        for fields in transaction:
            if fields[:2] == ["N1", "PR"]:
                if number % 2:
                    fields[3:5] = ["XV", plan]
                    originals[plan] = payer
                else:
                    del fields[3:]
            elif fields[:2] == ["REF", "2U"]:
                fields[2] = ein
                originals[ein] = payer
            elif fields[0] == "TRN":
                fields[3] = trace
                originals[trace] = payer

    for path in sorted(directory.glob("*.835")):
        text = path.read_text(encoding="ascii")
        element, terminator = text[3], text[105]
        segments = text.split(terminator)
        leads = [segment[: len(segment) - len(segment.lstrip())] for segment in segments]
        fields = [segment.lstrip().split(element) for segment in segments]
        transaction: list[list[str]] = []
        for segment_fields in fields:
            if segment_fields[0] == "ST":
                transaction = []
            transaction.append(segment_fields)
            if segment_fields[0] == "SE":
                rewrite(transaction)
        text = terminator.join(lead + element.join(f) for lead, f in zip(leads, fields, strict=True))
        path.write_text(text, encoding="ascii")
    assert len(order) > 2
    return originals


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("payer_identity")
    generated = tmp / "gen"
    generate(generated, claims=CLAIMS, seed=SEED)
    originals = rename_payers(generated / "835")
    first_remit = sorted((generated / "835").glob("*.835"))[0]
    resent = tmp / "resent" / first_remit.name.replace(".835", "_resent.835")
    resent.parent.mkdir()
    resent.write_text(new_envelope(first_remit.read_text(encoding="ascii")), encoding="ascii")
    warehouse = tmp / "warehouse" / "denials.duckdb"
    warehouse.parent.mkdir()
    report = ingest_paths([generated / "837", generated / "835", generated / "administrations"], warehouse)
    assert {file.status for file in report.files} == {"loaded"}
    report = ingest_paths([resent], warehouse)
    assert {file.status for file in report.files} == {"loaded"}  # new bytes: not a loader duplicate
    segments = first_remit.read_text(encoding="ascii").split("~")
    resent_transactions = sum(segment.strip().startswith("ST*835*") for segment in segments)
    run_dbt(["build", "--quiet"], warehouse, tmp)
    with (generated / "truth" / "truth_lines.csv").open(newline="") as handle:
        truth = list(csv.DictReader(handle))
    yield {"warehouse": warehouse, "truth": truth, "originals": originals, "resent": resent_transactions}


def test_every_835_identifier_resolves_to_the_837_payer_it_stands_for(built: dict) -> None:
    rows = query(
        built["warehouse"],
        """
        select identifier_value, payer_key, resolution_method
        from intermediate.int_payer_identifiers_resolved
        where side = '835' and identifier_type in ('N1_PR_ID', 'REF_2U', 'TRN03')
        """,
    )
    originals = built["originals"]
    assert {value for value, _, _ in rows} == set(originals)
    wrong = [(value, key, method) for value, key, method in rows if key != originals[value]]
    assert not wrong, wrong[:5]
    assert {method for _, _, method in rows} == {"learned_from_claims"}


def test_every_remit_matches_its_claim(built: dict) -> None:
    unmatched = query(
        built["warehouse"],
        """
        select count(*) from intermediate.int_claims_matched_to_remits
        where unmatched_side = '835' or ambiguous_candidate_claim_count > 0
        """,
    )[0][0]
    assert unmatched == 0
    remitted = {row["line_control_number"] for row in built["truth"] if row["outcome"] != "not_remitted"}
    matched = {
        line
        for (line,) in query(
            built["warehouse"],
            """
            select claim_lines.line_control_number
            from intermediate.int_service_lines_matched as matches
            inner join staging.stg_x12_837__service_lines as claim_lines
                on matches.claim_line_id = claim_lines.claim_line_id
            where matches.match_method != 'unmatched'
            """,
        )
    }
    assert remitted and remitted <= matched


def test_denials_and_denied_dollars_equal_truth(built: dict) -> None:
    truth = {
        row["line_control_number"]: row for row in built["truth"] if row["outcome"] in DENIED_OUTCOMES
    }
    rows = query(
        built["warehouse"],
        """
        select line_control_number, denial_category, denied_amount
        from marts.fct_denials
        where not is_overturned
        """,
    )
    found = {line: (category, amount) for line, category, amount in rows}
    expected = {line: (row["denial_category"], Decimal(row["denied_amount"])) for line, row in truth.items()}
    assert len(expected) > 100
    assert found == expected


def test_a_resent_era_is_recognised_and_not_adjudicated(built: dict) -> None:
    (resent,) = query(
        built["warehouse"],
        "select count(*) from intermediate.int_remit_transactions_resent where is_resent",
    )[0]
    assert resent == built["resent"] > 0
    (versions_from_resends,) = query(
        built["warehouse"],
        """
        select count(*) from intermediate.int_remit_claim_versions as versions
        inner join intermediate.int_remit_transactions_resent as resent
            on versions.remit_transaction_id = resent.remit_transaction_id
        where resent.is_resent
        """,
    )[0]
    assert versions_from_resends == 0
