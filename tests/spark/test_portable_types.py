"""Every type the project declares (seed column_types, model contract data_types) exists on DuckDB and on
Spark. Spark refuses a bare `varchar` (it needs a length) and knows no `text` or `hugeint`; a seed typed
that way fails the Spark build minutes in, so this check fails in a second instead. No Spark needed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]

# Types both engines read the same way (Spark SQL data types; DuckDB aliases string to varchar).
PORTABLE = re.compile(
    r"(string|boolean|tinyint|smallint|int|integer|bigint|double|date|timestamp"
    r"|decimal\(\d+, ?\d+\)|varchar\(\d+\)|char\(\d+\))",
    re.IGNORECASE,
)


def declared_types() -> Iterator[tuple[str, str]]:
    """(where, type) for every seed column type and every model column data_type in the project's YAML."""
    for path in sorted([*REPO_ROOT.glob("seeds/**/*.yml"), *REPO_ROOT.glob("models/**/*.yml")]):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        where = path.relative_to(REPO_ROOT).as_posix()
        for seed in document.get("seeds") or []:
            for column, type_ in ((seed.get("config") or {}).get("column_types") or {}).items():
                yield f"{where}: seed {seed['name']}, column {column}", str(type_)
        for model in document.get("models") or []:
            for column in model.get("columns") or []:
                if column.get("data_type"):
                    yield f"{where}: model {model['name']}, column {column['name']}", str(column["data_type"])


def test_declared_types_exist_on_duckdb_and_spark() -> None:
    declared = list(declared_types())
    assert len(declared) > 100, "found almost no declared types: the YAML layout changed"
    not_portable = [f"{where}: {type_}" for where, type_ in declared if not PORTABLE.fullmatch(type_.strip())]
    assert not not_portable, "types Spark or DuckDB do not know (use string for text):\n" + "\n".join(
        not_portable)


def test_a_bare_varchar_is_caught() -> None:
    assert not PORTABLE.fullmatch("varchar")
    assert not PORTABLE.fullmatch("text")
    assert PORTABLE.fullmatch("decimal(18,2)")
