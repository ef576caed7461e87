"""Every notebook in notebooks/ executes as a Jupyter notebook (jupytext -> nbclient) on a built and
published warehouse, shows charts (Vega-Lite outputs) and formatted tables (HTML with $ and %)."""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("script", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_executes(script: Path, built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from denials.publish import publish, published_path

    if not published_path(built_warehouse).exists():
        publish(built_warehouse, "tests")
    monkeypatch.setenv("DENIALS_WAREHOUSE", str(built_warehouse))
    notebook = jupytext.read(script)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(script.parent)}})
    client.execute(env=dict(os.environ))
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any(output.output_type in ("stream", "execute_result", "display_data") for output in outputs)
    shown = ("display_data", "execute_result")
    data = [output.get("data", {}) for output in outputs if output.output_type in shown]
    charts = [d for d in data if any(kind.startswith("application/vnd.vegalite") for kind in d)]
    tables = [d["text/html"] for d in data if "text/html" in d and "<table" in d["text/html"]]
    assert charts, f"{script.name} shows no chart"
    assert tables, f"{script.name} shows no table"
    assert any("$" in table for table in tables) or any("%" in table for table in tables)
