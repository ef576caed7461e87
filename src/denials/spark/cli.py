"""`denials export-raw`: the click command the main CLI registers (denials.cli adds `export_raw_command`)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from denials.warehouse import WAREHOUSE_ENV, resolve_warehouse

out = Console()


@click.command("export-raw")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"DuckDB warehouse file. Default: ${WAREHOUSE_ENV}, else ./warehouse/denials.duckdb.")
@click.option("--file-id-offset", type=click.IntRange(min=0), default=0, show_default=True,
              help="Added to every file id, so loaders with their own warehouse files can export into "
                   "one folder without colliding (e.g. loader k uses k * 1000000000).")
def export_raw_command(directory: Path, warehouse: Path | None, file_id_offset: int) -> None:
    """Write the raw layer as Parquet under DIRECTORY, one partition per file (<table>/file_id=N/).

    This is what dbt reads on the `spark` target (DENIALS_SPARK_RAW). Exporting again replaces the
    partitions of the files exported before and adds the new ones. Exit status 2 when there is no
    warehouse, 5 when it has another raw layout, 75 when a writer holds it (`denials --help` has the table).
    """
    from denials.errors import NothingToDo
    from denials.spark.export import export_raw

    target = resolve_warehouse(warehouse)
    # the main group's error handler names this warehouse in its one-line messages
    click.get_current_context().meta["denials.warehouse"] = target
    try:
        report = export_raw(target, directory, file_id_offset=file_id_offset)
    except FileNotFoundError as error:
        raise NothingToDo(str(error)) from None
    table = Table(title=f"raw layer exported to {report.directory} ({report.files} files)")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)
