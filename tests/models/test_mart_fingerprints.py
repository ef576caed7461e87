"""Every mart's content is what it was when the fingerprints were recorded (see mart_fingerprints.py).

A refactoring of the models must leave every number alone; a change that means to alter mart content
records the fingerprints again in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.models.mart_fingerprints import DATA_SETS, RECORDED, build_data_set, mart_fingerprints

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("data_set", sorted(DATA_SETS))
def test_marts_match_recorded_fingerprints(data_set: str, tmp_path: Path,
                                           request: pytest.FixtureRequest) -> None:
    recorded = json.loads(RECORDED.read_text())[data_set]
    # The demo's set is the session's shared build (tests/models/conftest.py); the others are built here.
    warehouse = (request.getfixturevalue("demo_data_set").warehouse if data_set == "demo"
                 else build_data_set(data_set, tmp_path))
    current = mart_fingerprints(warehouse)
    changed = {table: (recorded.get(table), current.get(table))
               for table in set(recorded) | set(current) if recorded.get(table) != current.get(table)}
    assert not changed, f"mart content changed on {data_set}: {changed}"
