"""Null-key counts per table (and file): the key column of each model is the one its YAML holds unique."""

from __future__ import annotations

from pathlib import Path

import yaml

from denials.quality.datasets.warehouse import Warehouse, literal, registry_join

# libyaml where PyYAML has it: the pure-Python loader, over the project's YAML that a check run reads several
# times, was the largest Python cost of the run after GX's import.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def model_keys(models_dir: Path, layer: str) -> dict[str, str]:
    """`schema.model` -> its key column: its first column, in YAML order, that a data test holds unique (the
    `unique` list of the model's `column_values` test, or a column's own `unique` test)."""
    keys: dict[str, str] = {}
    folder = models_dir / layer
    if not folder.is_dir():
        return keys
    for path in sorted(folder.rglob("*.yml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for model in document.get("models") or []:
            unique = _unique_columns(model)
            key = next((column["name"] for column in model.get("columns") or [] if column["name"] in unique),
                       None)
            if key is not None:
                keys[f"{layer}.{model['name']}"] = key
    return keys


def _unique_columns(model: dict) -> set[str]:
    unique: set[str] = set()
    for test in [*(model.get("data_tests") or []), *(model.get("tests") or [])]:
        if isinstance(test, dict) and "column_values" in test:
            body = test["column_values"] or {}
            unique.update((body.get("arguments") or body).get("unique") or [])
    for column in model.get("columns") or []:
        tests = [*(column.get("data_tests") or []), *(column.get("tests") or [])]
        if "unique" in {t if isinstance(t, str) else next(iter(t), "") for t in tests}:
            unique.add(column["name"])
    return unique


def key_counts_sql(wh: Warehouse, keys: dict[str, str],
                   file_columns: tuple[str, ...] = ("file_id",)) -> list[str]:
    parts = []
    for table, key in sorted(keys.items()):
        if key not in wh.columns(table):
            continue
        file_column = next((c for c in file_columns if c in wh.columns(table)), None)
        parts.append(
            f"select {literal(table)} as table_name, {literal(key)} as key_column, "
            f"{file_column + '::bigint' if file_column else 'null::bigint'} as file_id, "
            "count(*) as row_count, "
            f"count(*) - count({key}) as null_key_count from {table}"
            + (f" group by {file_column}" if file_column else "")
        )
    return parts




def key_counts_query(parts: list[str]) -> str:
    """The per-table counts of `key_counts_sql`, with each file named."""
    union = "\nunion all\n".join(parts)
    return f"""
        with counts as ({union})
        select counts.table_name, counts.key_column, counts.file_id, files.file_name, counts.row_count,
            counts.null_key_count
        from counts {registry_join()}
    """
