"""JupyterLab, started by `make lab`, opens the .py notebooks as notebooks, and jupytext reads them."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
from jupyter_server.services.config.manager import ConfigManager

REPO = Path(__file__).resolve().parents[1]


def test_make_lab_sets_jupytext_as_the_default_viewer_of_python_files(monkeypatch) -> None:  # noqa: ANN001
    makefile = (REPO / "Makefile").read_text()
    lab = makefile[makefile.index("\nlab:"):].split("\n\n")[0]
    match = re.search(r"JUPYTER_CONFIG_PATH=\$\(abspath (\S+)\)", lab)
    assert match, "make lab must point JupyterLab at the project's lab configuration"
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(REPO / match.group(1)))
    overrides = ConfigManager(config_dir_name="labconfig").get("default_setting_overrides")
    viewer = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"]
    assert viewer == "Jupytext Notebook"
    # The jupytext JupyterLab extension registers a viewer of that name.
    import jupytext as package

    prefix = Path(package.__file__).parents[4]  # site-packages/jupytext/__init__.py -> the environment
    extension = prefix / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    assert any(viewer in path.read_text(errors="ignore") for path in extension.rglob("*.js"))


def test_every_notebook_is_a_percent_script() -> None:
    for script in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py")):
        notebook = jupytext.read(script)
        assert notebook.metadata["jupytext"]["text_representation"]["format_name"] == "percent", script.name
        assert sum(cell.cell_type == "code" for cell in notebook.cells) >= 3, script.name
