"""The denial marts recover every scenario the generator planted.

One generated set (the demo's: 3,000 claims, seed 7) is ingested into a temporary warehouse and the whole
project is built with `dbt build` (seeds, models, contracts, data tests, singular tests and unit tests);
with its administrations feed, that is the build the mart fingerprints read (tests/models/conftest.py),
so the suite builds it once. Then, against
truth/truth_lines.csv, keyed by the 837 line control number (REF*6R):

- fct_denials lines whose final status is still a denial equal, per denial category, the truth lines
  with outcome denied or partially_denied (precision and recall 1.0), with the same denied, billed and
  paid dollars, group code, CARC, RARC, final status and claim-level flag; the overturned ones equal the
  truth lines reversed_then_corrected or reprocessed_then_paid (re-adjudicated with no reversal, same or
  new CLP07) that carried a denial, with their initial category;
- fct_adjudicated_lines pays each line of a reprocessed claim once (paid and denied equal the truth, one
  chain of two versions), and its first-pass-paid lines are the truth's paid lines, nothing reworked;
- fct_claims gives every submitted claim the outcome its truth lines mean (DOMAIN.md section 3): never
  remitted, overturned (a denial paid later), denied (denied dollars, nothing paid), partially denied, paid;
- mart_denials_unit_errors gives each unit-error line the truth's unit_root_cause;
- mart_denials_medical_necessity names the off-label basis each off-label scenario planted (label
  indication, label age, payer coverage) and none on the other medical-necessity denials;
- mart_prebill_risk (line, rule) pairs equal the truth's expected_prebill_rule on not_remitted lines;
- mart_drug_underpayments flags exactly the lines the `underpaid` scenario paid short of Medicare's ASP
  basis (truth underpaid_amount), with the truth's shortfall to the cent, and no clean Medicare drug line;
- paid lines carrying remittance noise (CO-45, PR-1/2, CO-253 sequestration, a claim-level PR-1, alert
  remarks) stay paid, with the truth's paid dollars and nothing denied: false positives are measured.

Other generated sets: DENIALS_MARTS_SEED=11 DENIALS_MARTS_CLAIMS=3000 pytest this file.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

from denials.generate import generate  # noqa: E402
from denials.ingest import ingest_paths  # noqa: E402
from tests.models.dbt_helpers import query, run_dbt  # noqa: E402
from tests.models.mart_fingerprints import DATA_SETS  # noqa: E402

pytestmark = pytest.mark.slow

DEMO_CLAIMS, DEMO_SEED = DATA_SETS["demo"]
CLAIMS = int(os.environ.get("DENIALS_MARTS_CLAIMS", str(DEMO_CLAIMS)))
SEED = int(os.environ.get("DENIALS_MARTS_SEED", str(DEMO_SEED)))
DENIED_OUTCOMES = ("denied", "partially_denied")
OVERTURNED_OUTCOMES = ("reversed_then_corrected", "reprocessed_then_paid")
WITHOUT_FEED = {"waste_without_jw": "missing_jw_jz", "jz_with_waste": None}
CENT = Decimal("0.01")
PREBILL_RULES = {"unit_error", "missing_auth", "off_label", "modifier_error"}
# The basis each off-label scenario plants (src/denials/generate/off_label.py); a pointer scenario's lines
# point only at an unlabeled diagnosis, so the label's indication fails for them too.
OFF_LABEL_BASIS = {
    "off_label_diagnosis": "label_indication",
    "off_label_by_pointer": "label_indication",
    "off_label_by_age": "label_age",
    "off_label_payer_coverage": "payer_coverage",
}
UNIT_ROOT_CAUSES = {
    "mcg_billed_as_mg", "units_per_half_mg_slip", "waste_without_jw", "jz_with_waste", "jw_and_jz_same_line",
    "over_9999_without_split", "over_per_line_limit", "ndc_quantity_mismatch",
}


@pytest.fixture(scope="module", params=["with_feed", "without_feed"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The generated set built with its administrations CSV, and built again as a site without one."""
    feed = request.param == "with_feed"
    if feed and (CLAIMS, SEED) == (DEMO_CLAIMS, DEMO_SEED):
        shared = request.getfixturevalue("demo_data_set")  # the same generate, ingest and build
        assert shared.statuses == {"loaded"}
        yield {"warehouse": shared.warehouse, "truth": read_truth(shared.data), "feed": feed}
        return
    tmp = tmp_path_factory.mktemp(f"marts_{request.param}")
    generated = tmp / "gen"
    generate(generated, claims=CLAIMS, seed=SEED)
    warehouse = tmp / "warehouse" / "denials.duckdb"
    warehouse.parent.mkdir()
    feeds = [generated / "837", generated / "835"] + ([generated / "administrations"] if feed else [])
    report = ingest_paths(feeds, warehouse)
    assert {file.status for file in report.files} == {"loaded"}
    run_dbt(["build", "--quiet"], warehouse, tmp)
    yield {"warehouse": warehouse, "truth": read_truth(generated), "feed": feed}


def read_truth(generated: Path) -> list[dict[str, str]]:
    with (generated / "truth" / "truth_lines.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def precision_recall(expected: set, found: set) -> tuple[float, float]:
    hits = len(expected & found)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(expected) if expected else 1.0
    return precision, recall


def by_label(pairs: set[tuple[str, str | None]]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for line, label in pairs:
        grouped[label or "(none)"].add(line)
    return grouped


def assert_per_label(expected: set[tuple[str, str]], found: set[tuple[str, str | None]], what: str) -> None:
    """Precision and recall 1.0 for every label (category, root cause, rule); prints the figures."""
    expected_by, found_by = by_label(expected), by_label(found)
    report = {
        label: precision_recall(expected_by.get(label, set()), found_by.get(label, set()))
        for label in sorted(set(expected_by) | set(found_by))
    }
    for label, (precision, recall) in report.items():
        count = len(expected_by.get(label, ()))
        print(f"{what}: {label}: n={count} precision={precision:.3f} recall={recall:.3f}")
    wrong = {label: figures for label, figures in report.items() if figures != (1.0, 1.0)}
    assert not wrong, (
        f"{what}: (precision, recall) below 1.0 for {wrong}; "
        f"missing {sorted(expected - found)[:10]}, extra {sorted(found - expected, key=str)[:10]}"
    )


def test_every_planted_denial_is_a_final_denial_with_its_category(built: dict) -> None:
    expected = {
        (row["line_control_number"], row["denial_category"])
        for row in built["truth"]
        if row["outcome"] in DENIED_OUTCOMES
    }
    rows = query(
        built["warehouse"],
        "select line_control_number, denial_category from marts.fct_denials where not is_overturned",
    )
    found = set(rows)
    assert len(rows) == len(found), "a line appears twice in fct_denials"
    assert len(expected) > 500
    assert_per_label(expected, found, "fct_denials")


def test_overturned_denials_are_kept_and_flagged(built: dict) -> None:
    expected = {
        (row["line_control_number"], row["denial_category"])
        for row in built["truth"]
        if row["outcome"] in OVERTURNED_OUTCOMES and row["denial_category"]
    }
    found = set(
        query(
            built["warehouse"],
            """
            select line_control_number, denial_category
            from marts.fct_denials
            where is_overturned and final_status = 'overturned' and denied_amount = 0
                and initial_denied_amount > 0
            """,
        )
    )
    assert expected
    assert {row["scenario"] for row in built["truth"] if row["outcome"] == "reprocessed_then_paid"} == {
        "reprocessed_same_icn", "reprocessed_new_icn"
    }
    assert_per_label(expected, found, "overturned denials")


def reprocessed_status(row: dict[str, str]) -> str:
    """A reprocessed line's final status: overturned when it carried a denial; else paid, or zero_paid
    when the new adjudication pays nothing without denying (a deductible can take a whole line)."""
    if row["denial_category"]:
        return "overturned"
    return "paid" if Decimal(row["paid_amount"]) > 0 else "zero_paid"


def test_reprocessed_claims_are_paid_once(built: dict) -> None:
    """A remit re-adjudicated with no reversal replaces the one before it: one line, two versions, the
    truth's paid dollars, no denied dollars left, and never first-pass paid (the claim was reworked)."""
    truth = {
        row["line_control_number"]: row for row in built["truth"] if row["outcome"] == "reprocessed_then_paid"
    }
    rows = query(
        built["warehouse"],
        """
        select line_control_number, paid_amount, denied_amount, version_count, reversal_count,
            is_first_pass_paid, final_status
        from marts.fct_adjudicated_lines
        """,
    )
    found = {line: facts for line, *facts in rows if line in truth}
    assert len(truth) > 5 and set(found) == set(truth)
    wrong = {
        line: facts
        for line, facts in found.items()
        if facts[:5] != [Decimal(truth[line]["paid_amount"]), Decimal("0.00"), 2, 0, False]
        or facts[5] != reprocessed_status(truth[line])
    }
    assert not wrong, f"{len(wrong)} reprocessed lines differ from truth, e.g. {list(wrong.items())[:5]}"
    first_pass = {line for line, *facts in rows if facts[4]}
    paid_first_time = {
        row["line_control_number"] for row in built["truth"]
        if row["outcome"] == "paid" and Decimal(row["paid_amount"]) > 0
    }
    assert first_pass == paid_first_time


def test_denied_dollars_codes_and_statuses_equal_truth(built: dict) -> None:
    truth = {
        row["line_control_number"]: row for row in built["truth"] if row["outcome"] in DENIED_OUTCOMES
    }
    rows = query(
        built["warehouse"],
        """
        select line_control_number, denied_amount, billed_amount, paid_amount, primary_group_code,
            primary_carc_code, coalesce(primary_rarc_code, ''), final_status, is_claim_level_denial
        from marts.fct_denials
        where not is_overturned
        """,
    )
    mismatches = []
    for line, *facts in rows:
        row = truth[line]
        wanted = [
            Decimal(row["denied_amount"]),
            Decimal(row["billed_amount"]),
            Decimal(row["paid_amount"]),
            row["group_code"],
            row["carc_code"],
            row["rarc_code"],
            row["outcome"],
            row["is_claim_level_denial"] == "true",
        ]
        if facts != wanted:
            mismatches.append((line, facts, wanted))
    assert not mismatches, f"{len(mismatches)} lines differ from truth, e.g. {mismatches[:5]}"
    assert sum(Decimal(row["denied_amount"]) for row in truth.values()) == sum(row[1] for row in rows)
    assert any(row["is_claim_level_denial"] == "true" for row in truth.values())
    assert any(row["outcome"] == "partially_denied" for row in truth.values())


def expected_claim_outcome(lines: list[dict[str, str]]) -> str:
    """A submitted claim's outcome from what was planted on its lines."""
    if {row["outcome"] for row in lines} == {"not_remitted"}:
        return "not_remitted"
    if any(row["outcome"] in OVERTURNED_OUTCOMES and row["denial_category"] for row in lines):
        return "overturned"
    denied = sum(Decimal(row["denied_amount"]) for row in lines)
    paid = sum(Decimal(row["paid_amount"]) for row in lines)
    if denied > 0:
        return "denied" if paid <= 0 else "partially_denied"
    return "paid"


def test_claim_outcomes_equal_truth(built: dict) -> None:
    claims: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in built["truth"]:
        claims[row["line_control_number"].rsplit("-", 1)[0]].append(row)  # one submission per claim
    expected = {claim: expected_claim_outcome(lines) for claim, lines in claims.items()}
    rows = query(
        built["warehouse"],
        """
        select lines.line_control_number, claims.outcome
        from marts.fct_claim_lines as lines
        inner join marts.fct_claims as claims on lines.claim_key = claims.claim_key
        where lines.claim_line_id is not null
        """,
    )
    found = {line.rsplit("-", 1)[0]: outcome for line, outcome in rows}
    assert set(expected.values()) == {"not_remitted", "overturned", "denied", "partially_denied", "paid"}
    wrong = {
        claim: (outcome, found.get(claim))
        for claim, outcome in expected.items()
        if found.get(claim) != outcome
    }
    assert not wrong, f"{len(wrong)} claims' outcomes differ from truth, e.g. {list(wrong.values())[:5]}"


def test_off_label_bases_equal_the_planted_ones(built: dict) -> None:
    """Every off-label scenario's denied lines carry its basis; other necessity denials carry none."""
    expected = {
        (row["line_control_number"], OFF_LABEL_BASIS.get(row["scenario"]))
        for row in built["truth"]
        if row["outcome"] in DENIED_OUTCOMES and row["denial_category"] == "medical_necessity"
    }
    rows = query(
        built["warehouse"],
        """
        select line_control_number, off_label_basis, diagnosis_source
        from marts.mart_denials_medical_necessity
        where not is_overturned
        """,
    )
    found = {(line, basis) for line, basis, _ in rows}
    assert {basis for _, basis in expected} >= set(OFF_LABEL_BASIS.values())
    assert_per_label(expected, found, "off-label basis")
    scenarios = {row["line_control_number"]: row["scenario"] for row in built["truth"]}
    pointed = {source for line, _, source in rows if scenarios[line] == "off_label_by_pointer"}
    assert pointed == {"pointer"}


def unit_cause_seen(cause: str | None, feed: bool) -> str | None:
    """The root cause the marts can name: without the administrations CSV the waste of a dose is unknown,
    so a line billing neither JW nor JZ is missing its modifier (JZ was due as far as the claim shows)
    and JZ on a dose that was partly wasted cannot be seen."""
    return cause if feed else WITHOUT_FEED.get(cause, cause)


def test_unit_error_root_causes_equal_truth(built: dict) -> None:
    expected = {
        (row["line_control_number"], unit_cause_seen(row["unit_root_cause"], built["feed"]))
        for row in built["truth"]
        if row["outcome"] in DENIED_OUTCOMES and row["denial_category"] == "unit_error"
    }
    found = set(
        query(
            built["warehouse"],
            """
            select line_control_number, root_cause
            from marts.mart_denials_unit_errors
            where not is_overturned
            """,
        )
    )
    planted = {unit_cause_seen(cause, built["feed"]) for cause in UNIT_ROOT_CAUSES}
    assert {cause for _, cause in expected} >= planted
    assert_per_label(expected, found, "unit-error root causes")


def test_prebill_rules_equal_truth_on_unremitted_lines(built: dict) -> None:
    expected = {
        (row["line_control_number"], row["expected_prebill_rule"])
        for row in built["truth"]
        if row["outcome"] == "not_remitted"
        and row["expected_prebill_rule"]
        and (not row["unit_root_cause"] or unit_cause_seen(row["unit_root_cause"], built["feed"]))
    }
    found = set(
        query(built["warehouse"], "select line_control_number, rule_name from marts.mart_prebill_risk")
    )
    unremitted = {row["line_control_number"] for row in built["truth"] if row["outcome"] == "not_remitted"}
    assert {line for line, _ in found} <= unremitted, "a remitted line was flagged pre-bill"
    assert {rule for _, rule in expected} == PREBILL_RULES
    assert_per_label(expected, found, "pre-bill rules")


def test_prebill_dollars_at_risk_follow_the_rule(built: dict) -> None:
    """Auth and off-label risks cost the line charge; unit and modifier errors cost their expected units."""
    charges = {row["line_control_number"]: Decimal(row["billed_amount"]) for row in built["truth"]}
    rows = query(
        built["warehouse"],
        "select line_control_number, rule_name, price_basis, dollars_at_risk from marts.mart_prebill_risk",
    )
    assert rows
    for line, rule, basis, amount in rows:
        if basis in ("line_charge", "billed_charge"):
            assert charges[line] == amount, (rule, basis)
        else:
            assert rule in ("unit_error", "modifier_error") and basis == "asp_payment_limit" and amount > 0
    other_bases = {basis for _, rule, basis, _ in rows if rule in ("missing_auth", "off_label")}
    assert other_bases == {"line_charge"}


def test_paid_lines_with_remittance_noise_are_no_denials(built: dict) -> None:
    """Clean paid lines carry what real remits add (CO-45, PR deductible and coinsurance, CO-253
    sequestration, a claim-level PR-1 beside the line CAS, alert remarks): none of it is a denial
    (DOMAIN.md section 3), so each stays paid with no denied dollars and out of fct_denials."""
    paid = {
        row["line_control_number"]: Decimal(row["paid_amount"])
        for row in built["truth"]
        if row["outcome"] == "paid" and Decimal(row["paid_amount"]) > 0
    }
    adjustments = query(
        built["warehouse"],
        """
        select lines.line_control_number, adjustments.adjustment_level,
            adjustments.adjustment_group_code || '-' || adjustments.carc_code
        from staging.stg_x12_835__adjustments as adjustments
        inner join staging.stg_x12_835__service_lines as lines
            on adjustments.remit_line_id = lines.remit_line_id
            or (adjustments.adjustment_level = 'claim' and adjustments.remit_claim_id = lines.remit_claim_id)
        """,
    )
    noise: dict[tuple[str, str], set[str]] = defaultdict(set)
    for line, level, code in adjustments:
        if line in paid:
            noise[(level, code)].add(line)
    assert len(noise[("line", "CO-253")]) > 50 and len(noise[("line", "CO-45")]) > 100
    assert noise[("claim", "PR-1")] and noise[("line", "PR-2")]
    rows = query(
        built["warehouse"],
        """
        select line_control_number, paid_amount, denied_amount, final_status
        from marts.fct_adjudicated_lines
        """,
    )
    found = {line: facts for line, *facts in rows if line in paid}
    assert set(found) == set(paid)
    wrong = {
        line: facts for line, facts in found.items() if facts != [paid[line], Decimal("0.00"), "paid"]
    }
    assert not wrong, f"{len(wrong)} noisy paid lines differ from truth, e.g. {list(wrong.items())[:5]}"
    denials = query(built["warehouse"], "select line_control_number from marts.fct_denials")
    denied = {line for (line,) in denials}
    assert not denied & set(paid)


def test_underpayments_equal_the_planted_shortfalls(built: dict) -> None:
    """The lines paid short of the ASP basis, and only they, are flagged, short by the truth's dollars; the
    Medicare drug lines paid in full (the generator pays them on the ASP basis) are not."""
    expected = {
        row["line_control_number"]: Decimal(row["underpaid_amount"])
        for row in built["truth"]
        if row["underpaid_amount"]
    }
    rows = query(
        built["warehouse"],
        "select line_control_number, shortfall_amount, payment_basis from marts.mart_drug_underpayments",
    )
    found = {line: amount for line, amount, _ in rows}
    assert len(rows) == len(found), "a line appears twice in mart_drug_underpayments"
    assert len(expected) > 50
    assert_per_label(
        {(line, "underpaid") for line in expected}, {(line, "underpaid") for line in found}, "underpayments"
    )
    wrong = {
        line: (found[line], amount) for line, amount in expected.items() if abs(found[line] - amount) > CENT
    }
    assert not wrong, f"{len(wrong)} shortfalls differ from truth, e.g. {list(wrong.items())[:5]}"
    assert {basis for _, _, basis in rows} == {"medicare_asp"}
    paid_in_full = query(
        built["warehouse"],
        """
        select count(*) from marts.fct_adjudicated_lines
        where payer_type = 'medicare' and is_drug_line and paid_amount > 0
        """,
    )[0][0] - len(expected)
    assert paid_in_full > 200, "too few clean Medicare drug lines to measure precision on"
