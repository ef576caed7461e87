"""Scenarios live in one registry: adding one is one decorated function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from denials.generate import SCENARIOS, generate
from denials.generate.encounters import Context
from denials.generate.model import Claim
from denials.generate.scenarios import scenario
from tests.generate.truth_helpers import read_csv

BRIEF_SCENARIOS = {
    "mcg_billed_as_mg",
    "waste_without_jw",
    "jz_with_waste",
    "jw_and_jz_same_line",
    "over_9999_without_split",
    "correct_76_split",
    "over_per_line_limit",
    "ndc_quantity_mismatch",
    "missing_prior_auth",
    "off_label_diagnosis",
    "missing_documentation",
    "duplicate",
    "timely_filing",
    "eligibility",
    "coordination_of_benefits",
    "reversed_then_corrected",
    "reprocessed_same_icn",
    "reprocessed_new_icn",
    "not_remitted",
    "underpaid",
}


def test_registry_lists_every_scenario() -> None:
    assert set(SCENARIOS) >= BRIEF_SCENARIOS
    for entry in SCENARIOS.values():
        assert entry.summary and entry.weight > 0 and entry.claims >= 1


def test_a_new_scenario_is_one_function(tmp_path: Path, reference_dir: Path) -> None:
    @scenario("test_only_follow_up_visit", kind="clean", weight=5000)
    def follow_up(ctx: Context) -> list[Claim]:
        """A follow-up visit planted by the test."""
        return [ctx.visit_claim("test_only_follow_up_visit")]

    try:
        generate(tmp_path, 80, 5, reference_dir=reference_dir)
    finally:
        del SCENARIOS["test_only_follow_up_visit"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    planted = manifest["scenarios"]["test_only_follow_up_visit"]["claims"]
    assert planted > 40
    rows = [
        r
        for r in read_csv(tmp_path / "truth" / "truth_lines.csv")
        if r["scenario"] == "test_only_follow_up_visit"
    ]
    assert len(rows) == manifest["scenarios"]["test_only_follow_up_visit"]["lines"]
    assert {row["outcome"] for row in rows} == {"paid"}


def test_registering_a_name_twice_fails() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        scenario("clean", kind="clean")(lambda ctx: [])


def test_unknown_rates_and_weights_are_refused(tmp_path: Path, reference_dir: Path) -> None:
    with pytest.raises(TypeError, match="unknown rate"):
        generate(tmp_path, 10, 1, reference_dir=reference_dir, denail_rate=0.1)
    with pytest.raises(ValueError, match="unknown scenario"):
        generate(tmp_path, 10, 1, reference_dir=reference_dir, scenario_weights={"nope": 1})
