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
    run_dbt(["build", "--quiet"], warehouse, root)
    publish(warehouse, "built-warehouse-fixture")  # readers (dashboard, notebooks) read the published copy
    return warehouse
