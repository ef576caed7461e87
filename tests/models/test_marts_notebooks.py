"""The notebooks the marts' exposures name run top to bottom against a built warehouse, read-only, and
print no identifiers.

A small generated set (300 claims) is ingested and built; each jupytext percent script in notebooks/ is
run as a plain Python script with DENIALS_WAREHOUSE pointing at it. The run must succeed, leave the
warehouse file byte for byte unchanged, and its output must contain no patient control number, line
control number, member id or patient name from the generated files.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("pandas")

from denials.generate import generate  # noqa: E402
from denials.ingest import ingest_paths  # noqa: E402
from denials.publish import publish  # noqa: E402
from tests.models.dbt_helpers import REPO_ROOT, run_dbt  # noqa: E402

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
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("notebooks")
    generated = tmp / "gen"
    generate(generated, claims=300, seed=19)
    path = tmp / "warehouse" / "denials.duckdb"
    path.parent.mkdir()
    ingest_paths([generated / "837", generated / "835", generated / "administrations"], path)
    run_dbt(["build", "--quiet"], path, tmp)
    publish(path, "tests")  # the notebooks read the published marts (and raw segments from the warehouse)
    yield {"path": path, "identifiers": identifiers(generated)}


def test_the_exposures_name_these_notebooks() -> None:
    exposures = (REPO_ROOT / "models" / "marts" / "_marts__exposures.yml").read_text()
    assert NOTEBOOKS, "no notebooks found"
    for notebook in NOTEBOOKS:
        assert f"url: notebooks/{notebook.name}" in exposures


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_read_only_and_prints_no_identifiers(notebook: Path, warehouse: dict) -> None:
    before = sha256(warehouse["path"])
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
    assert sha256(warehouse["path"]) == before, "the notebook changed the warehouse"
    leaked = sorted(value for value in warehouse["identifiers"] if value in completed.stdout)
    assert not leaked, f"{notebook.name} printed identifiers: {leaked[:5]}"
