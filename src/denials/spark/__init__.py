"""The raw layer as Parquet for dbt on Apache Spark.

`export_raw(warehouse, directory)` writes every raw table of a loader's DuckDB file as Parquet,
partitioned by file_id (Hive style, `<table>/file_id=N/`), with the columns and lineage dbt reads
through the `raw` sources. On the `spark` target dbt reads these folders (macros/spark.sql).
`export_raw_command` is the click command the main CLI registers as `denials export-raw`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from denials.spark.cli import export_raw_command
    from denials.spark.export import RAW_TABLES, ExportReport, export_raw

_EXPORTS = {
    "export_raw_command": "denials.spark.cli",
    "export_raw": "denials.spark.export",
    "ExportReport": "denials.spark.export",
    "RAW_TABLES": "denials.spark.export",
}
__all__ = ["RAW_TABLES", "ExportReport", "export_raw", "export_raw_command"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'denials.spark' has no attribute {name!r}")
