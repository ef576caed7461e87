"""Write a loader's raw layer as Parquet partitioned by file, for engines that read files (Spark).

Files are independent: everything the loader writes carries the file_id of the file it came from. So the
export is one Hive-style partition per file and table (`<table>/file_id=N/`), and a partition is replaced
whole, never merged: exporting again after new files arrive rewrites only their partitions' contents, and
many loader processes (each with its own DuckDB file) can export into the same folder side by side, as
long as their file ids do not collide (`file_id_offset`).

The registry is the commit marker, as in DuckDB: dbt reads segments, envelopes and administrations only
of files the registry lists as loaded, and a file's registry partition is moved into place after its
data partitions.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from denials.warehouse import check_layout, connect

# What dbt reads through the `raw` sources, in the order partitions are published: the registry last.
# x12_segments is the loader's view (segment ids and loop ids decoded, elements split), so Spark reads
# the same columns the DuckDB models read.
RAW_TABLES = ("x12_interchanges", "x12_groups", "x12_transactions", "x12_segments",
              "drug_administrations", "file_registry")

# Tables that belong to no loaded file (the user's payer overrides, replaced at every build): exported
# whole, each export replacing the last.
WHOLE_TABLES = ("payer_overrides",)

# Columns holding file ids, shifted by file_id_offset.
FILE_ID_COLUMNS = {"file_registry": ("file_id", "duplicate_of_file_id")}

# Partition of a table with no rows at all: a schema-only file, so a reader can still resolve the
# columns. The loader's file ids start at 1, so no file's rows ever land here.
SCHEMA_ONLY_PARTITION = "file_id=0"


@dataclass
class ExportReport:
    directory: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def export_raw(warehouse: Path, directory: Path, file_id_offset: int = 0) -> ExportReport:
    """Export every raw table of `warehouse` (read-only) under `directory`, one partition per file."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `denials ingest` first")
    if file_id_offset < 0:
        raise ValueError("file_id_offset must be 0 or more")
    directory.mkdir(parents=True, exist_ok=True)
    scratch = directory / f".export-{uuid.uuid4().hex}"
    report = ExportReport(directory=directory)
    con = connect(warehouse, read_only=True)
    try:
        check_layout(con)  # Spark's models read the raw columns of this release's layout
        report.files = con.execute("select count(*) from raw.file_registry").fetchall()[0][0]
        for table in RAW_TABLES:
            report.rows[table] = _copy_table(con, table, scratch / table, file_id_offset)
        for table in WHOLE_TABLES:
            report.rows[table] = _copy_whole_table(con, table, scratch / table)
    finally:
        con.close()
    try:
        for table in RAW_TABLES:
            _publish(scratch / table, directory / table)
        for table in WHOLE_TABLES:
            _replace(scratch / table, directory / table)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return report


def _copy_table(con, table: str, target: Path, file_id_offset: int) -> int:  # noqa: ANN001 - duckdb connection
    shifted = ", ".join(f"{column} + {int(file_id_offset)} as {column}"
                        for column in FILE_ID_COLUMNS.get(table, ("file_id",)))
    # Only rows of registered files: a file being loaded, or left by a killed load, is not exported.
    query = (f"select * replace ({shifted}) from raw.{table} "
             "where file_id in (select registry.file_id from raw.file_registry as registry)")
    rows = con.execute(f"select count(*) from ({query})").fetchall()[0][0]
    target.mkdir(parents=True)
    if rows:
        con.execute(f"copy ({query}) to '{_sql_path(target)}' (format parquet, partition_by (file_id))")
    else:
        schema_dir = target / SCHEMA_ONLY_PARTITION
        schema_dir.mkdir()
        con.execute(f"copy (select * exclude (file_id) from ({query}) limit 0) "
                    f"to '{_sql_path(schema_dir / 'schema.parquet')}' (format parquet)")
    return rows


def _copy_whole_table(con, table: str, target: Path) -> int:  # noqa: ANN001 - duckdb connection
    target.mkdir(parents=True)
    data = _sql_path(target / "data.parquet")
    con.execute(f"copy (select * from raw.{table}) to '{data}' (format parquet)")
    return con.execute(f"select count(*) from raw.{table}").fetchall()[0][0]


def _replace(source: Path, target: Path) -> None:
    """Move `source` to `target`, replacing what was there whole (the old copy is moved aside first)."""
    retired = target.with_name(f".retired-{uuid.uuid4().hex}")
    if target.exists():
        target.rename(retired)
    source.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def _publish(source: Path, target: Path) -> None:
    """Move each partition of `source` into `target`, replacing that partition whole."""
    target.mkdir(parents=True, exist_ok=True)
    partitions = sorted(source.iterdir())
    if any(p.name != SCHEMA_ONLY_PARTITION for p in partitions) or any(target.iterdir()):
        partitions = [p for p in partitions if p.name != SCHEMA_ONLY_PARTITION]
    for partition in partitions:
        _replace(partition, target / partition.name)
    schema_only = target / SCHEMA_ONLY_PARTITION
    if schema_only.exists() and len(list(target.glob("file_id=*"))) > 1:
        shutil.rmtree(schema_only)


def _sql_path(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
