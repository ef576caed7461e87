"""The dbt unit tests run once in the suite, in the shared `built_warehouse` build, and all pass.

Every other build (the scheduled run, `denials build`, the other test builds) leaves them out, since they
check the models' SQL on fixed fixtures and not the data: this makes sure that leaving them out there
never means they run nowhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.models.dbt_helpers import REPO_ROOT


def defined_unit_tests() -> set[str]:
    names = set()
    for path in (REPO_ROOT / "models").rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {test["name"] for test in document.get("unit_tests") or []}
    return names


def test_every_unit_test_ran_and_passed_in_the_shared_build(built_warehouse: Path) -> None:
    results = json.loads((built_warehouse.parent / "dbt_target" / "run_results.json").read_text())["results"]
    ran = {result["unique_id"].rsplit(".", 1)[-1]: result["status"]
           for result in results if result["unique_id"].startswith("unit_test.")}
    defined = defined_unit_tests()
    assert len(defined) > 50
    assert set(ran) == defined
    assert {name for name, status in ran.items() if status != "pass"} == set()
