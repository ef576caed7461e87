"""The off-label scenarios plant what their names say, read back from the 837 text.

Sevenfact (J7212) is labeled for patients 12 and older (DOMAIN.md 4.2); NCD 110.3 covers FEIBA (J7198)
only for hemophilia A (DOMAIN.md 4.5). The label and coverage facts come through the seeds, which
test_reference_seeds checks against these DOMAIN.md facts.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from denials.generate.reference import Reference, load_reference
from tests.generate.truth_helpers import read_csv
from tests.generate.x12_split import interchanges, transactions


@pytest.fixture(scope="module")
def reference(reference_dir: Path) -> Reference:
    return load_reference(reference_dir)


def _lines_837(folder: Path) -> dict[str, dict]:
    """Line control number -> the line's code, date, pointed diagnoses, and its claim's diagnoses and DMG."""
    found: dict[str, dict] = {}
    for path in sorted((folder / "837").glob("*.837")):
        for interchange in interchanges(path):
            cs = interchange.component
            for transaction in transactions(interchange):
                birth = ""
                diagnoses: list[str] = []
                line: dict = {}
                for segment in transaction:
                    tag = segment[0]
                    if tag == "HL":
                        birth, diagnoses = "", []
                    elif tag == "DMG":
                        birth = segment[2]
                    elif tag == "CLM":
                        diagnoses = []
                    elif tag == "HI":
                        diagnoses += [composite.split(cs)[1] for composite in segment[1:]]
                    elif tag in ("SV1", "SV2"):
                        pointers = segment[7].split(cs) if tag == "SV1" and len(segment) > 7 else []
                        line = {"code": segment[1 if tag == "SV1" else 2].split(cs)[1], "birth": birth,
                                "diagnoses": list(diagnoses),
                                "pointed": [diagnoses[int(p) - 1] for p in pointers if p] or list(diagnoses)}
                    elif tag == "DTP" and segment[1] == "472" and line:
                        line["date"] = segment[3]
                    elif tag == "REF" and segment[1] == "6R" and line:
                        found[segment[2]] = line
    return found


def _age(birth: str, on: str) -> int:
    born, day = date.fromisoformat(f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"), date.fromisoformat(
        f"{on[:4]}-{on[4:6]}-{on[6:]}")
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_off_label_scenarios_plant_their_basis(scenario_set: Path, reference: Reference) -> None:
    lines = _lines_837(scenario_set)
    seen: Counter[str] = Counter()
    for row in read_csv(scenario_set / "truth" / "truth_lines.csv"):
        if row["hcpcs_code"] not in reference.drugs or row["outcome"] == "reversed_then_corrected":
            continue
        line, code = lines[row["line_control_number"]], row["hcpcs_code"]
        labeled = set(reference.labeled[code])
        if row["scenario"] == "off_label_by_pointer":
            assert not set(line["pointed"]) & labeled and set(line["diagnoses"]) & labeled, line
        elif row["scenario"] == "off_label_by_age":
            youngest = reference.age_limits[code][0]
            assert youngest is not None and _age(line["birth"], line["date"]) < youngest, line
            assert set(line["pointed"]) & labeled, line
        elif row["scenario"] == "off_label_payer_coverage":
            covered = reference.covered(reference.payers[row["payer_id"]], code)
            assert covered is not None and set(line["pointed"]) & labeled, line
            assert not set(line["pointed"]) & set(covered), line
        elif row["scenario"] == "clean":
            assert set(line["pointed"]) & labeled, line
            assert _age(line["birth"], line["date"]) >= (reference.age_limits[code][0] or 0), line
        else:
            continue
        seen[row["scenario"]] += 1
    planted = {"off_label_by_pointer", "off_label_by_age", "off_label_payer_coverage", "clean"}
    assert set(seen) == planted, seen
