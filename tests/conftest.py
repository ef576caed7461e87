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
