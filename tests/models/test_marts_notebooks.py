"""The notebooks the marts' exposures name run top to bottom against a built warehouse, read-only, and
print no identifiers.

The session's built and published warehouse (tests/conftest.py: 1,500 generated claims) is what they
read; each jupytext percent script in notebooks/ is run as a plain Python script with DENIALS_WAREHOUSE
pointing at it (the notebooks read its published copy). The run must succeed, leave the published file
byte for byte unchanged, and its output must contain no patient control number, line control number,
member id or patient name from the generated files.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("pandas")

from denials.publish import published_path  # noqa: E402
from tests.models.dbt_helpers import REPO_ROOT  # noqa: E402

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def identifiers(generated: Path) -> set[str]:
    """Claim and line control numbers from truth, member ids and names from the 837 NM1*IL/QC segments."""
    found: set[str] = set()
    with (generated / "truth" / "truth_lines.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            found.update((row["claim_control_number"], row["line_control_number"]))
    for path in (generated / "837").iterdir():
        text = path.read_text()
        element, terminator = text[3], text[105]
        for raw in text.split(terminator):
            elements = raw.strip().split(element)
            if elements[0] == "NM1" and len(elements) > 1 and elements[1] in ("IL", "QC"):
                found.update(
                    elements[index] for index in (3, 4, 9) if len(elements) > index and elements[index]
                )
    return {value for value in found if len(value) >= 4}


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path, built_data: Path) -> dict:
    assert published_path(built_warehouse).exists()
    return {"path": built_warehouse, "identifiers": identifiers(built_data)}


def test_the_exposures_name_these_notebooks() -> None:
    exposures = (REPO_ROOT / "models" / "marts" / "_marts__exposures.yml").read_text()
    assert NOTEBOOKS, "no notebooks found"
    for notebook in NOTEBOOKS:
        assert f"url: notebooks/{notebook.name}" in exposures


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_read_only_and_prints_no_identifiers(notebook: Path, warehouse: dict) -> None:
    published = published_path(warehouse["path"])
    before = sha256(published)
    environment = {**os.environ, "DENIALS_WAREHOUSE": str(warehouse["path"]), "MPLBACKEND": "Agg"}
    completed = subprocess.run(
        [sys.executable, str(notebook)],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip()
    assert sha256(published) == before, "the notebook changed the published marts"
    leaked = sorted(value for value in warehouse["identifiers"] if value in completed.stdout)
    assert not leaked, f"{notebook.name} printed identifiers: {leaked[:5]}"
