"""Shared fixtures. The public X12 samples live in ../shared beside the checkout (CI always has them)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
SAMPLES = SHARED / "x12-samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"public X12 samples not found at {SAMPLES}: the conformance tests need ../shared")
    return SAMPLES


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated data set, ingested, built through every dbt layer and published (shared,
    read-only)."""
    from denials.generate import generate
    from denials.ingest import ingest_paths
    from denials.publish import publish
    from tests.models.dbt_helpers import run_dbt

    root = tmp_path_factory.mktemp("built")
    data = root / "data"
    generate(data, claims=1500, seed=21)
    warehouse = root / "warehouse.duckdb"
    report = ingest_paths([data / "837", data / "835", data / "administrations"], warehouse)
    assert report.exit_code == 0
    run_dbt(["build", "--quiet"], warehouse, root, unit_tests=True)  # the suite's one run of the unit tests
    publish(warehouse, "built-warehouse-fixture")  # readers (dashboard, notebooks) read the published copy
    return warehouse


@pytest.fixture(scope="session")
def built_data(built_warehouse: Path) -> Path:
    """The generated files (837/, 835/, administrations/, truth/) the built warehouse was made from."""
    return built_warehouse.parent / "data"



# Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup --no-loadscope-reorder`) tests are handed
# out by group, and every group runs whole on one worker. A module is a group of its own, so a
# module-scoped build is made once; the modules that read a session-scoped build share a group, so no two
# workers build it. (The `denials` commands the pipeline tests start get dbt target and log folders of
# their worker's own, tests/pipeline/conftest.py, so those modules may run on both workers at once.)
# xdist's own `xdist_group` marks do not reach the scheduler under pytest 9, so the groups are chosen
# here, by node id, through xdist's scheduler hook. Without xdist none of this is used.
BUILT_WAREHOUSE_MODULES = ("tests/app/", "tests/test_dashboard.py", "tests/test_notebooks_execute.py",
                           "tests/models/test_marts_notebooks.py", "tests/models/test_dbt_unit_tests.py",
                           "tests/models/test_keys.py", "tests/spark/test_parity.py")
# module: the parameter id of its tests that read tests/models/conftest.py's demo build
DEMO_DATA_SET_TESTS = {"tests/models/test_mart_fingerprints.py": "[demo]",
                       "tests/models/test_marts_recover_truth.py": "[with_feed]"}
# The longest groups start first (by a full run's durations), so the two workers end close together.
LONGEST_FIRST = ("built_warehouse", "tests/pipeline/test_kill.py", "tests/pipeline/test_feed_operations.py",
                 "tests/pipeline/test_incremental_build.py", "tests/pipeline/test_exit_codes.py",
                 "tests/models/test_mart_fingerprints.py", "quality", "tests/pipeline/test_publish.py",
                 "tests/pipeline/test_readers.py", "demo_data_set",
                 "tests/models/test_marts_recover_truth.py")


def xdist_group_of(nodeid: str) -> str:
    """The xdist group of a test: what it shares with other modules, else its module."""
    module = nodeid.split("::")[0]
    if module.startswith(BUILT_WAREHOUSE_MODULES):
        return "built_warehouse"  # this file's session fixture
    if module.startswith("tests/quality/"):
        return "quality"  # tests/quality/conftest.py's session build
    if module in DEMO_DATA_SET_TESTS and nodeid.endswith(DEMO_DATA_SET_TESTS[module]):
        return "demo_data_set"
    return module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201 - xdist's types
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return GroupScheduling(config, log)


class _LongestFirst:
    """Sorts a worker's collection by group, longest first: the scheduler hands groups out in that order."""

    @pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture parameters
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        rank = {group: index for index, group in enumerate(LONGEST_FIRST)}

        def order(item: pytest.Item) -> int:
            return rank.get(xdist_group_of(item.nodeid), len(rank))

        # A worker takes its next group while the last tests of this one still run: the long tests go first.
        items.sort(key=order)


def pytest_configure(config: pytest.Config) -> None:
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):  # a plain run keeps the order of the files
        config.pluginmanager.register(_LongestFirst(), "longest-groups-first")
