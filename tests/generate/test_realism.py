"""The generated remittances carry what real ones do, beside the planted denials (DOMAIN.md sections 1-3).

Checked on the scenario set (about 2,000 claims), from the X12 text and the truth, never from the
generator's own tables:
- CO-253 sequestration is 2% of what a Medicare fee-for-service line would pay after coinsurance, on every
  such paid line and on no other payer's;
- PI (payer-initiated) appears on denials, never on a Medicare or Medicare Advantage claim, and a
  scenario's denials have the same category under PI as under CO;
- claim-level CAS sits beside line-level CAS on paid claims; MOA carries claim remarks; lines carry several
  LQ remarks; the MA01 appeal-rights alert appears on paid and on denied lines;
- some payers are in no seed;
- one billing provider sends no administration records at all, and none of the scenarios that only an
  administration record reveals (waste) is planted on its claims.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from tests.generate.truth_helpers import read_csv
from tests.generate.x12_split import all_segments

# CLP06 claim filing indicators of Medicare fee-for-service and of Medicare Advantage (DOMAIN.md 1).
MEDICARE_FFS = {"MA", "MB"}
MEDICARE_ANY = MEDICARE_FFS | {"16"}
WASTE_SCENARIOS = {"waste_without_jw", "jz_with_waste", "jw_and_jz_same_line", "not_remitted_modifier_error"}
CENT = Decimal("0.01")


def _remit_claims(data: Path) -> list[dict]:
    """Each 835 claim loop: CLP, claim-level CAS and MOA, and its SVC lines with their CAS and LQ."""
    claims: list[dict] = []
    claim: dict | None = None
    for _, segment in all_segments(sorted((data / "835").glob("*.835"))):
        tag = segment[0]
        if tag == "CLP":
            claim = {"clp": segment, "cas": [], "moa": [], "lines": []}
            claims.append(claim)
        elif tag in ("SE", "PLB"):
            claim = None
        elif claim is None:
            continue
        elif tag == "SVC":
            claim["lines"].append({"svc": segment, "cas": [], "lq": []})
        elif tag == "CAS":
            (claim["lines"][-1]["cas"] if claim["lines"] else claim["cas"]).append(segment)
        elif tag == "MOA":
            claim["moa"].extend(code for code in segment[3:8] if code)
        elif tag == "LQ":
            claim["lines"][-1]["lq"].append(segment[2])
    return claims


def _triplets(segment: list[str]) -> list[tuple[str, str, Decimal]]:
    return [
        (segment[1], segment[index], Decimal(segment[index + 1]))
        for index in range(2, len(segment) - 1, 3)
        if segment[index]
    ]


def test_sequestration_is_two_percent_after_coinsurance_on_medicare_only(scenario_set: Path) -> None:
    sequestered = 0
    for claim in _remit_claims(scenario_set):
        clp = claim["clp"]
        if clp[2] == "22":
            continue
        for line in claim["lines"]:
            found = [
                amount for cas in line["cas"] for group, carc, amount in _triplets(cas)
                if (group, carc) == ("CO", "253")
            ]
            paid = Decimal(line["svc"][3])
            if clp[6] not in MEDICARE_FFS:
                assert not found, f"CO-253 on a claim filed as {clp[6]}"
                continue
            if paid <= 0:
                continue
            assert len(found) == 1, "a Medicare line paid without sequestration"
            before = paid + found[0]
            assert found[0] == (before * Decimal("0.02")).quantize(CENT, ROUND_HALF_UP)
            sequestered += 1
    assert sequestered > 100


def test_pi_denials_are_never_medicare_and_keep_their_category(scenario_set: Path) -> None:
    for claim in _remit_claims(scenario_set):
        groups = {cas[1] for cas in claim["cas"]} | {cas[1] for line in claim["lines"] for cas in line["cas"]}
        if "PI" in groups:
            assert claim["clp"][6] not in MEDICARE_ANY
    truth = read_csv(scenario_set / "truth" / "truth_lines.csv")
    categories: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in truth:
        if row["group_code"] in ("CO", "PI"):
            categories[(row["scenario"], row["group_code"])].add(row["denial_category"])
    pi_scenarios = {scenario for scenario, group in categories if group == "PI"}
    assert len(pi_scenarios) >= 3
    for scenario in pi_scenarios:
        assert categories[(scenario, "PI")] <= categories[(scenario, "CO")] | {""}, scenario


def test_claim_and_line_cas_moa_and_several_remarks(scenario_set: Path) -> None:
    both_levels = several = 0
    alert_on_paid = alert_on_denied = False
    moa_on_paid = 0
    for claim in _remit_claims(scenario_set):
        paid_claim = Decimal(claim["clp"][4]) > 0
        if claim["cas"] and claim["lines"] and any(line["cas"] for line in claim["lines"]):
            both_levels += 1
        if claim["moa"] and paid_claim:
            moa_on_paid += 1
        for line in claim["lines"]:
            several += len(line["lq"]) >= 2
            if "MA01" in line["lq"]:
                if Decimal(line["svc"][3]) > 0:
                    alert_on_paid = True
                else:
                    alert_on_denied = True
    assert both_levels >= 5 and several >= 5 and moa_on_paid >= 5
    assert alert_on_paid and alert_on_denied


def test_some_payers_are_in_no_seed(scenario_set: Path) -> None:
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    known = {row["payer_id"] for row in read_csv(seeds / "payers.csv")}
    known |= {row["payer_id"] for row in read_csv(seeds / "payer_aliases.csv")}
    truth = read_csv(scenario_set / "truth" / "truth_lines.csv")
    unseeded = {row["payer_id"] for row in truth} - known
    assert unseeded
    claims_837 = {
        segment[1] for _, segment in all_segments(sorted((scenario_set / "837").glob("*.837")))
        if segment[0] == "CLM"
    }
    assert any(row["claim_control_number"] in claims_837 for row in truth if row["payer_id"] in unseeded)


def test_a_provider_without_administrations_feed(scenario_set: Path) -> None:
    provider_of: dict[str, str] = {}
    billing = ""
    for _, segment in all_segments(sorted((scenario_set / "837").glob("*.837"))):
        if segment[0] == "NM1" and segment[1] == "85":
            billing = segment[9]
        elif segment[0] == "CLM":
            provider_of[segment[1]] = billing
    with (scenario_set / "administrations" / "administrations.csv").open(newline="") as handle:
        administered = {row["claim_control_number"] for row in csv.DictReader(handle)}
    truth = read_csv(scenario_set / "truth" / "truth_lines.csv")
    drug_claims: dict[str, set[str]] = defaultdict(set)
    scenarios: dict[str, set[str]] = defaultdict(set)
    for row in truth:
        npi = provider_of[row["claim_control_number"]]
        scenarios[npi].add(row["scenario"])
        if row["hcpcs_code"].startswith("J"):
            drug_claims[npi].add(row["claim_control_number"])
    without = {npi for npi, claims in drug_claims.items() if claims and not claims & administered}
    assert len(without) == 1
    assert any(claims & administered for claims in drug_claims.values())
    (npi,) = without
    assert not scenarios[npi] & WASTE_SCENARIOS
