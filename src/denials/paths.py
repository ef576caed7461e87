"""Where the project's checkout is: the folder holding dbt_project.yml, seeds/, models/ and expectations/.

The package is installed from its checkout (`pip install -e .`), so the checkout is two folders above this
file (src/denials/paths.py). Every module that reads the project's files starts from here.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT / "seeds"
MODELS_DIR = PROJECT_ROOT / "models"


def project_root() -> Path:
    """The checkout, after checking it is one: an installed copy without the dbt project cannot build."""
    if not (PROJECT_ROOT / "dbt_project.yml").exists():
        raise FileNotFoundError(
            f"dbt_project.yml not found under {PROJECT_ROOT}: "
            "install denials from its checkout (pip install -e .)"
        )
    return PROJECT_ROOT
