"""Generated sets shared by the generator tests (built once per session, in temp folders)."""

from __future__ import annotations

from pathlib import Path

import pytest

from denials.generate import generate
from denials.generate.reference import SEED_FILES
from denials.paths import SEEDS_DIR as SEEDS


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    missing = [name for name in SEED_FILES if not (SEEDS / name).exists()]
    if missing:
        pytest.skip(f"reference seeds missing from {SEEDS}: {', '.join(missing)}")
    return SEEDS


@pytest.fixture(scope="session")
def small_set(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Path:
    """240 claims in three files (the second 835 uses '>' as component separator)."""
    out = tmp_path_factory.mktemp("small")
    generate(out, 240, 11, reference_dir=reference_dir, claims_per_file=100, claims_per_batch=50)
    return out


@pytest.fixture(scope="session")
def shapes_set(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Path:
    """200 claims with every rare shape made common, for the (slow) pyx12 validation. pyx12's time grows
    faster than the claims in a file, so they go 25 to a file: 100 to a file took twice as long."""
    out = tmp_path_factory.mktemp("shapes")
    generate(
        out,
        200,
        17,
        reference_dir=reference_dir,
        claims_per_file=25,
        claims_per_batch=25,
        denial_rate=0.45,
        reversal_rate=0.1,
        secondary_rate=0.1,
        split_rate=0.05,
        institutional_rate=0.4,
        plb_rate=0.5,
        scenario_weights={"eligibility": 40},
    )
    return out


@pytest.fixture(scope="session")
def scenario_set(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Path:
    """About 2,000 claims: enough for every planted scenario to appear."""
    out = tmp_path_factory.mktemp("scenarios")
    generate(out, 2000, 3, reference_dir=reference_dir, claims_per_file=1000)
    return out
