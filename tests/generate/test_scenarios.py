"""Every planted scenario shows up, truth agrees with the manifest and with the 835s."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from denials.generate import SCENARIOS
from denials.generate.truth import ADMINISTRATION_COLUMNS, TRUTH_COLUMNS
from tests.generate.truth_helpers import expected_remit_segments, read_csv, submission
from tests.generate.x12_split import all_segments

# scenario -> (denial category, CARCs, RARCs or "" for none, unit root cause) on its denied lines
DENIALS = {
    "mcg_billed_as_mg": ("unit_error", {"16"}, {"M53"}, "mcg_billed_as_mg"),
    "units_per_half_mg_slip": ("unit_error", {"16"}, {"M53"}, "units_per_half_mg_slip"),
    "half_mg_slip_without_ndc": ("unit_error", {"16"}, {"M53"}, "units_per_half_mg_slip"),
    "waste_without_jw": ("unit_error", {"4"}, {"N822"}, "waste_without_jw"),
    "jz_with_waste": ("unit_error", {"4"}, {"N823"}, "jz_with_waste"),
    "jw_and_jz_same_line": ("unit_error", {"4"}, {"N823"}, "jw_and_jz_same_line"),
    "over_9999_without_split": ("unit_error", {"16"}, {"N362"}, "over_9999_without_split"),
    "over_per_line_limit": ("unit_error", {"151"}, {"N362", "MA01"}, "over_per_line_limit"),
    "ndc_quantity_mismatch": ("unit_error", {"16"}, {"M119"}, "ndc_quantity_mismatch"),
    "missing_prior_auth": ("missing_auth", {"197", "198"}, {"", "M62", "N54"}, ""),
    "off_label_diagnosis": ("medical_necessity", {"50", "167"}, {"N115", ""}, ""),
    "off_label_by_pointer": ("medical_necessity", {"11"}, {""}, ""),
    "off_label_by_age": ("medical_necessity", {"188"}, {""}, ""),
    "off_label_payer_coverage": ("medical_necessity", {"50"}, {"N386"}, ""),
    "missing_documentation": ("documentation", {"252"}, {"M127"}, ""),
    "duplicate": ("duplicate", {"18"}, {"N522"}, ""),
    "timely_filing": ("timely_filing", {"29"}, {""}, ""),
    "eligibility": ("eligibility", {"27", "31"}, {"", "N30"}, ""),
    "coordination_of_benefits": ("coordination_of_benefits", {"22"}, {"MA04"}, ""),
}
PREBILL = {
    "not_remitted_mcg_billed_as_mg": "unit_error",
    "not_remitted_missing_auth": "missing_auth",
    "not_remitted_off_label": "off_label",
    "not_remitted_modifier_error": "modifier_error",
}


def test_every_scenario_appears_and_truth_matches_manifest(scenario_set: Path) -> None:
    manifest = json.loads((scenario_set / "manifest.json").read_text())
    rows = read_csv(scenario_set / "truth" / "truth_lines.csv")
    assert list(rows[0]) == list(TRUTH_COLUMNS)
    claims: dict[str, set[str]] = defaultdict(set)
    lines: Counter[str] = Counter()
    for row in rows:
        claims[row["scenario"]].add(submission(row))
        lines[row["scenario"]] += 1
    assert manifest["unavailable_scenarios"] == []
    for name in SCENARIOS:
        entry = manifest["scenarios"][name]
        assert entry["claims"] >= 1, f"{name} never planted"
        assert entry["claims"] == len(claims[name]), name
        assert entry["lines"] == lines[name], name
    assert manifest["counts"]["claims"] == 2000 == sum(len(ids) for ids in claims.values())
    assert manifest["counts"]["lines"] == len(rows)
    assert manifest["outcomes"] == dict(sorted(Counter(row["outcome"] for row in rows).items()))


def test_planted_denials_carry_their_codes(scenario_set: Path) -> None:
    rows = read_csv(scenario_set / "truth" / "truth_lines.csv")
    seen: Counter[str] = Counter()
    for row in rows:
        if row["outcome"] not in ("denied", "partially_denied"):
            continue
        category, carcs, rarcs, root = DENIALS[row["scenario"]]
        assert row["denial_category"] == category, row
        assert row["carc_code"] in carcs and row["rarc_code"] in rarcs, row
        assert row["unit_root_cause"] == root, row
        assert Decimal(row["denied_amount"]) > 0
        assert Decimal(row["paid_amount"]) + Decimal(row["denied_amount"]) <= Decimal(row["billed_amount"])
        seen[row["scenario"]] += 1
    assert set(seen) == set(DENIALS)
    partial = [row for row in rows if row["outcome"] == "partially_denied"]
    assert partial and {row["scenario"] for row in partial} == {"over_per_line_limit"}
    assert any(row["is_claim_level_denial"] == "true" for row in rows)


def test_rates_are_near_real_life(scenario_set: Path) -> None:
    rows = read_csv(scenario_set / "truth" / "truth_lines.csv")
    denied = sum(row["outcome"] in ("denied", "partially_denied") for row in rows) / len(rows)
    assert 0.07 <= denied <= 0.13, denied
    outcome_by_claim = {submission(row): row["outcome"] for row in rows}
    unremitted = sum(outcome == "not_remitted" for outcome in outcome_by_claim.values()) / len(
        outcome_by_claim
    )
    assert 0.05 <= unremitted <= 0.11, unremitted


def test_prebill_rules_only_on_unremitted_problem_claims(scenario_set: Path) -> None:
    rows = read_csv(scenario_set / "truth" / "truth_lines.csv")
    flagged: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["expected_prebill_rule"]:
            assert row["outcome"] == "not_remitted" and row["scenario"] in PREBILL, row
            assert row["expected_prebill_rule"] == PREBILL[row["scenario"]]
            flagged[row["scenario"]].add(submission(row))
    claims = defaultdict(set)
    for row in rows:
        if row["scenario"] in PREBILL:
            claims[row["scenario"]].add(submission(row))
    assert flagged == claims, "every unremitted problem claim has a flagged line"


def test_truth_agrees_with_final_remittance_lines(scenario_set: Path) -> None:
    """The last SVC carrying a line's REF*6R pays what truth says, with truth's CARC and RARC."""
    final: dict[str, dict] = {}
    current: dict | None = None
    for _, segment in all_segments(sorted((scenario_set / "835").glob("*.835"))):
        tag = segment[0]
        if tag == "SVC":
            current = {"paid": Decimal(segment[3]), "carcs": set(), "rarcs": set()}
        elif tag in ("CLP", "PLB", "SE"):
            current = None
        elif current is not None and tag == "CAS":
            current["carcs"].update(segment[i] for i in range(2, len(segment), 3) if segment[i])
        elif current is not None and tag == "LQ":
            current["rarcs"].add(segment[2])
        elif current is not None and tag == "REF" and segment[1] == "6R":
            final[segment[2]] = current
    rows = read_csv(scenario_set / "truth" / "truth_lines.csv")
    checked = 0
    for row in rows:
        if row["outcome"] == "not_remitted" or row["is_claim_level_denial"] == "true":
            assert row["line_control_number"] not in final
            continue
        remit = final[row["line_control_number"]]
        assert remit["paid"] == Decimal(row["paid_amount"]), row
        if row["outcome"] in ("denied", "partially_denied"):
            assert row["carc_code"] in remit["carcs"], row
            assert not row["rarc_code"] or row["rarc_code"] in remit["rarcs"], row
        checked += 1
    assert checked > 5000
    assert expected_remit_segments(rows)["SVC"] >= checked


def test_administrations_follow_the_contract(scenario_set: Path) -> None:
    path = scenario_set / "administrations" / "administrations.csv"
    header = path.read_text().splitlines()[0].split(",")
    assert header == list(ADMINISTRATION_COLUMNS)
    admins = read_csv(path)
    truth = {row["line_control_number"]: row for row in read_csv(scenario_set / "truth" / "truth_lines.csv")}
    assert len({row["administration_id"] for row in admins}) == len(admins)
    for row in admins:
        line = truth[row["line_control_number"]]
        assert line["claim_control_number"] == row["claim_control_number"]
        assert line["hcpcs_code"] == row["hcpcs_code"]
        assert len(row["ndc"]) == 11 and row["ndc"].isdigit()
        assert row["administered_unit"] in ("mcg", "mg", "IU")
        assert Decimal(row["administered_amount"]) > 0 and Decimal(row["wasted_amount"]) >= 0
        assert Decimal(row["patient_weight_kg"]) > 0
        assert row["administered_at"][10] == "T"
    scenarios = Counter(truth[row["line_control_number"]]["scenario"] for row in admins)
    assert scenarios["waste_without_jw"] and scenarios["jz_with_waste"]
    wasted = {truth[r["line_control_number"]]["scenario"] for r in admins if Decimal(r["wasted_amount"]) > 0}
    assert {"waste_without_jw", "jz_with_waste"} <= wasted
