"""The intermediate layer recovers the generator's planted truth: matching, classification, reversal chains.

One generated set (1,500 claims) is ingested into a temporary warehouse and built with dbt (staging,
seeds and intermediate models with their data and unit tests). Before loading, the 835 files are edited
the way payers that do not echo REF*6R behave, so both matching paths run on real volumes: every line
numbered -2 gets a line control number no 837 line has (those lines must pair by the fallback), and for
one claim in twenty that is not a duplicate every line does (the whole remit must pair by CLM01 + charge).
Then, against truth_lines.csv:

- every remitted truth line is matched in its chain's final version (line control number, fallback, or
  claim level for claim-level denials); unremitted lines stay, unmatched; no remit is left unmatched;
- every planted denial's category, group code and CARC are recovered on that line, and nothing else on
  the lines truth calls paid is a denial;
- reversed_then_corrected chains end in a final, paid, overturned version, and the first version still
  carries the planted denial;
- drug lines compare billed units with the administration record (ratio 1 on clean claims, about 1/1000
  when milligrams were billed as units of a per-microgram code).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

from denials.generate import generate  # noqa: E402
from denials.ingest import ingest_paths  # noqa: E402
from tests.models.dbt_helpers import query, run_dbt  # noqa: E402

pytestmark = pytest.mark.slow

CLAIMS = 1500
SEED = 23
SELECTION = ["+intermediate"]
MATCHED = ("line_control_number", "fallback", "claim_level")


def read_truth(out: Path) -> list[dict[str, str]]:
    with (out / "truth" / "truth_lines.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def hide_line_control_numbers(directory: Path, hidden_claims: set[str]) -> set[str]:
    """Rewrite REF*6R in the 835s: lines numbered -2, and every line of `hidden_claims` (by 837 line
    prefix), get a value no 837 line has. Segment counts are unchanged. Returns the original values hidden."""
    hidden: set[str] = set()
    for path in sorted(directory.glob("*.835")):
        text = path.read_text(encoding="ascii")
        element, terminator = text[3], text[105]
        reference = f"REF{element}6R{element}"
        pattern = re.compile(re.escape(reference) + r"([^" + re.escape(terminator) + r"]+)")
        pieces: list[str] = []
        end = 0
        for match in pattern.finditer(text):
            value = match.group(1)
            prefix, _, number = value.rpartition("-")
            if number == "2" or prefix in hidden_claims:
                hidden.add(value)
                pieces.append(text[end : match.start()] + f"{reference}ZZ{value}")
                end = match.end()
        pieces.append(text[end:])
        path.write_text("".join(pieces), encoding="ascii")
    return hidden


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("intermediate")
    out = tmp / "generated"
    generate(out, claims=CLAIMS, seed=SEED)
    truth = read_truth(out)
    prefixes = sorted(
        {
            row["line_control_number"].rpartition("-")[0]
            for row in truth
            if row["scenario"] != "duplicate" and row["outcome"] != "not_remitted"
        }
    )
    hidden_claims = set(prefixes[::20])
    hidden = hide_line_control_numbers(out / "835", hidden_claims)
    warehouse = tmp / "warehouse" / "denials.duckdb"
    warehouse.parent.mkdir()
    report = ingest_paths([out / "837", out / "835", out / "administrations"], warehouse)
    assert {file.status for file in report.files} == {"loaded"}
    run_dbt(["build", "--select", *SELECTION, "--indirect-selection", "cautious", "--quiet"], warehouse, tmp)
    yield {
        "warehouse": warehouse,
        "truth": truth,
        "hidden": hidden,
        "hidden_claims": hidden_claims,
    }


def final_line_matches(warehouse: Path) -> dict[str, list[tuple]]:
    """Per 837 line control number: (match_method, remit_line_id, remit_claim_id, paid) of its rows in
    final remit versions, or of its unmatched row."""
    rows = query(
        warehouse,
        """
        select
            claim_lines.line_control_number, matches.match_method, matches.remit_line_id,
            matches.remit_claim_id, matches.remit_line_paid_amount
        from intermediate.int_service_lines_matched as matches
        inner join staging.stg_x12_837__service_lines as claim_lines
            on matches.claim_line_id = claim_lines.claim_line_id
        where matches.is_final_version or matches.remit_claim_id is null
        """,
    )
    found: dict[str, list[tuple]] = {}
    for control, method, remit_line, remit_claim, paid in rows:
        found.setdefault(control, []).append((method, remit_line, remit_claim, paid))
    return found


def test_every_remitted_truth_line_is_matched_in_its_final_version(built: dict) -> None:
    found = final_line_matches(built["warehouse"])
    methods: Counter[str] = Counter()
    for row in built["truth"]:
        control = row["line_control_number"]
        assert control in found, f"{control} dropped from int_service_lines_matched"
        (method, remit_line, remit_claim, paid), *others = found[control]
        assert not others, f"{control} has more than one final match: {found[control]}"
        methods[method] += 1
        if row["outcome"] == "not_remitted":
            assert method == "unmatched", control
            continue
        if row["is_claim_level_denial"] == "true":
            assert (method, remit_line) == ("claim_level", None), control
            continue
        expected = "fallback" if control in built["hidden"] else "line_control_number"
        assert method == expected, (control, method)
        assert float(paid) == pytest.approx(float(row["paid_amount"])), control
    # both paths really ran, on real volumes
    assert methods["fallback"] > 100 and methods["line_control_number"] > 1000 and methods["claim_level"] > 0


def test_nothing_is_dropped_and_no_remit_is_left_unmatched(built: dict) -> None:
    unmatched = query(
        built["warehouse"],
        """
        select 'claim' as level, unmatched_side, count(*) from intermediate.int_claims_matched_to_remits
        where match_method = 'unmatched' group by all
        union all
        select 'line', unmatched_side, count(*) from intermediate.int_service_lines_matched
        where match_method = 'unmatched' group by all
        """,
    )
    assert {(level, side) for level, side, _ in unmatched} <= {("claim", "837"), ("line", "837")}
    not_remitted = sum(row["outcome"] == "not_remitted" for row in built["truth"])
    assert dict(((level, side), count) for level, side, count in unmatched)[("line", "837")] == not_remitted
    (claims_without_chain,) = query(
        built["warehouse"],
        """
        select count(*) from intermediate.int_claims_matched_to_remits as matches
        where matches.match_method != 'unmatched' and matches.chain_key is null
        """,
    )[0]
    assert claims_without_chain == 0


def test_remits_without_line_control_numbers_pair_by_clm01_and_charge(built: dict) -> None:
    rows = query(
        built["warehouse"],
        """
        select distinct claim_lines.line_control_number, matches.match_method
        from intermediate.int_claims_matched_to_remits as matches
        inner join staging.stg_x12_837__service_lines as claim_lines
            on matches.claim_id = claim_lines.claim_id
        where matches.is_final
        """,
    )
    method_by_line = dict(rows)
    claim_level = {
        row["line_control_number"] for row in built["truth"] if row["is_claim_level_denial"] == "true"
    }
    checked = 0
    for row in built["truth"]:
        control = row["line_control_number"]
        if row["outcome"] == "not_remitted" or control in claim_level:
            continue
        if control.rpartition("-")[0] in built["hidden_claims"]:
            assert method_by_line[control] == "patient_control_number_and_charge", control
            checked += 1
        else:
            assert method_by_line[control] == "line_control_number", control
    assert checked > 10


def test_every_planted_denial_is_recovered_on_its_line(built: dict) -> None:
    warehouse = built["warehouse"]
    found = final_line_matches(warehouse)
    adjustments = query(
        warehouse,
        """
        select remit_line_id, remit_claim_id, adjustment_level, adjustment_group_code, carc_code,
            denial_category
        from intermediate.int_adjustments_classified
        where is_denial
        """,
    )
    by_line: dict[str, set[tuple]] = {}
    by_claim: dict[str, set[tuple]] = {}
    for remit_line, remit_claim, level, group, carc, category in adjustments:
        if level == "line":
            by_line.setdefault(remit_line, set()).add((group, carc, category))
        else:
            by_claim.setdefault(remit_claim, set()).add((group, carc, category))

    planted: Counter[str] = Counter()
    recovered: Counter[str] = Counter()
    for row in built["truth"]:
        method, remit_line, remit_claim, _ = found[row["line_control_number"]][0]
        if method == "claim_level":
            denials = by_claim.get(remit_claim, set())
        else:
            denials = by_line.get(remit_line, set())
        if row["outcome"] in ("denied", "partially_denied"):
            planted[row["denial_category"]] += 1
            if (row["group_code"], row["carc_code"], row["denial_category"]) in denials:
                recovered[row["denial_category"]] += 1
        elif row["outcome"] in ("paid", "reversed_then_corrected"):
            assert not denials, (row["line_control_number"], denials)
    recall = {category: recovered[category] / count for category, count in planted.items()}
    assert len(planted) >= 6, planted
    assert recall == {category: 1.0 for category in planted}, recall


def test_reversed_then_corrected_chains_end_in_a_final_paid_overturn(built: dict) -> None:
    warehouse = built["warehouse"]
    rows = query(
        warehouse,
        """
        select
            claim_lines.line_control_number, versions.version_number, versions.version_count,
            versions.is_reversal, versions.is_final, versions.is_overturn, versions.is_chain_overturned,
            versions.claim_paid_amount, versions.chain_net_paid_amount, adjustments.denial_category
        from intermediate.int_service_lines_matched as matches
        inner join staging.stg_x12_837__service_lines as claim_lines
            on matches.claim_line_id = claim_lines.claim_line_id
        inner join intermediate.int_remit_claim_versions as versions
            on matches.remit_claim_id = versions.remit_claim_id
        left join intermediate.int_adjustments_classified as adjustments
            on matches.remit_line_id = adjustments.remit_line_id and adjustments.is_denial
        """,
    )
    versions: dict[str, dict[int, tuple]] = {}
    for control, number, count, reversal, final, overturn, chain_overturned, paid, net, category in rows:
        versions.setdefault(control, {})[number] = (count, reversal, final, overturn, chain_overturned,
                                                    paid, net, category)
    overturned = [row for row in built["truth"] if row["outcome"] == "reversed_then_corrected"]
    assert len(overturned) > 20
    for row in overturned:
        chain = versions[row["line_control_number"]]
        assert sorted(chain) == [1, 2, 3], (row["line_control_number"], chain)
        first, reversal, correction = chain[1], chain[2], chain[3]
        assert reversal[1] and not first[2] and not reversal[2]
        count, is_reversal, final, overturn, chain_overturned, paid, net, _ = correction
        assert (count, is_reversal, final, overturn, chain_overturned) == (3, False, True, True, True)
        assert paid > 0 and float(net) == pytest.approx(float(paid))
        if row["denial_category"]:
            assert first[7] == row["denial_category"], row["line_control_number"]


def test_drug_lines_compare_billed_units_with_the_administration(built: dict) -> None:
    rows = query(
        built["warehouse"],
        """
        with lines as (
            select drug.line_control_number, drug.administration_match_method, drug.billed_to_expected_ratio,
                drug.has_jw, drug.has_76, claims.billing_provider_npi
            from intermediate.int_drug_lines_with_administrations as drug
            inner join staging.stg_x12_837__claims as claims on drug.claim_id = claims.claim_id
        ),
        -- a provider sends an administrations feed when any of its drug lines found a record in it
        feed_providers as (
            select distinct billing_provider_npi from lines where administration_match_method <> 'unmatched'
        )
        select line_control_number, administration_match_method, billed_to_expected_ratio, has_jw, has_76
        from lines
        where billing_provider_npi in (select billing_provider_npi from feed_providers)
        """,
    )
    drug_lines = {control: (method, ratio, jw, split) for control, method, ratio, jw, split in rows}
    scenario_of = {row["line_control_number"]: row["scenario"] for row in built["truth"]}
    ratios: dict[str, list[float]] = {}
    for control, (method, ratio, _, _) in drug_lines.items():
        if scenario_of[control] in ("clean", "correct_76_split", "mcg_billed_as_mg"):
            assert method == "line_control_number", control
            ratios.setdefault(scenario_of[control], []).append(float(ratio))
    assert ratios["clean"] and set(ratios["clean"]) == {1.0}
    assert ratios["correct_76_split"] and set(ratios["correct_76_split"]) == {1.0}
    assert any(split for _, _, _, split in drug_lines.values())
    assert any(jw for _, _, jw, _ in drug_lines.values())
    assert ratios["mcg_billed_as_mg"] and all(ratio < 0.01 for ratio in ratios["mcg_billed_as_mg"])
