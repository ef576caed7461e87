"""The exposures list exactly the marts and seeds each consumer reads.

What a consumer reads is found in its code: the `marts.<name>`, `reference.<name>` and `raw.<name>` it
names, directly or through the functions of denials.insights it calls (followed through the module-level
names those functions use).
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EXPOSURES = REPO / "models" / "marts" / "_marts__exposures.yml"
SOURCES = {
    "denials_app": sorted((REPO / "src" / "denials" / "app").rglob("*.py")),
    "denials_dashboard": sorted((REPO / "src" / "denials" / "dashboard").glob("*.py")),
}
TABLE = re.compile(r"\b(marts|reference|raw)\.([a-z_][a-z0-9_]*)")
IMPORT = re.compile(r"from denials\.insights(?:\.(\w+))? import ([\w, ]+)")
CALL = re.compile(r"\b(queries|q|charts|lineage)\.(\w+)")


def _closure(module, name: str, seen: set[tuple[str, str]]) -> str:  # noqa: ANN001 - a module
    """The source of `name` in `module` and of every module-level name of that module it uses."""
    if (module.__name__, name) in seen or not hasattr(module, name):
        return ""
    seen.add((module.__name__, name))
    value = getattr(module, name)
    if inspect.isfunction(value) and value.__module__ == module.__name__:
        text = inspect.getsource(value)
    elif isinstance(value, (str, dict, tuple)):
        text = repr(value)
    else:
        return ""
    return text + "".join(_closure(module, word, seen) for word in set(re.findall(r"\b[A-Za-z_]\w*\b", text)))


def _reads(paths: list[Path]) -> set[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    seen: set[tuple[str, str]] = set()
    for module_name, names in IMPORT.findall(text):
        for name in (n.strip() for n in names.split(",")):
            if module_name:
                text += _closure(importlib.import_module(f"denials.insights.{module_name}"), name, seen)
    for alias, name in CALL.findall(text):
        module = {"queries": "queries", "q": "queries", "charts": "charts", "lineage": "lineage"}[alias]
        text += _closure(importlib.import_module(f"denials.insights.{module}"), name, seen)
    return {f"{schema}.{table}" for schema, table in TABLE.findall(text)}


def _declared(exposure: dict) -> set[str]:
    declared = set()
    for dependency in exposure["depends_on"]:
        ref = re.fullmatch(r"ref\('(\w+)'\)", dependency)
        source = re.fullmatch(r"source\('(\w+)', '(\w+)'\)", dependency)
        assert ref or source, dependency
        if ref:
            seed = (REPO / "seeds" / f"{ref.group(1)}.csv").exists()
            declared.add(f"{'reference' if seed else 'marts'}.{ref.group(1)}")
        else:
            declared.add(f"{source.group(1)}.{source.group(2)}")
    return declared


def test_every_consumer_lists_exactly_what_it_reads() -> None:
    exposures = {e["name"]: e for e in yaml.safe_load(EXPOSURES.read_text())["exposures"]}
    notebooks = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
    by_url = {e["url"]: name for name, e in exposures.items()}
    for notebook in notebooks:
        assert f"notebooks/{notebook.name}" in by_url, f"no exposure for {notebook.name}"
        SOURCES[by_url[f"notebooks/{notebook.name}"]] = [notebook]
    assert set(SOURCES) == set(exposures)
    for name, paths in SOURCES.items():
        reads = _reads(paths)
        assert reads, name
        assert _declared(exposures[name]) == reads, name
        for table in reads:
            schema, table_name = table.split(".")
            expected = {"marts": f"models/marts/{table_name}.sql", "reference": f"seeds/{table_name}.csv",
                        "raw": "models/staging/raw/_raw__sources.yml"}[schema]
            assert (REPO / expected).exists(), table
