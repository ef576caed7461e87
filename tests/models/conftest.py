"""The demo's data set, built once per session: the mart fingerprints and the truth-recovery tests both
read it (read-only), so the suite builds those 3,000 claims once instead of once per test file."""

from __future__ import annotations

import pytest

from tests.models.mart_fingerprints import BuiltDataSet, build


@pytest.fixture(scope="session")
def demo_data_set(tmp_path_factory: pytest.TempPathFactory) -> BuiltDataSet:
    return build("demo", tmp_path_factory.mktemp("demo_data_set"))
