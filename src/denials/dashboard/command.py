"""The `denials report` command: the static HTML report (also `denials dashboard`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from denials.warehouse import WAREHOUSE_ENV, resolve_warehouse


@click.command("report")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Warehouse whose published copy to read. Default: ${WAREHOUSE_ENV}, "
                   "else ./warehouse/denials.duckdb.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("dashboards") / "denials.html", show_default=True,
              help="Where to write the report (one self-contained HTML file, works offline).")
@click.option("--show-identifiers", is_flag=True,
              help="Show claim numbers in full (PHI: keep such a copy inside the organisation).")
def report_command(warehouse: Path | None, output: Path, show_identifiers: bool) -> None:
    """Write the static report: KPI tiles, the app's charts, scorecard, reasons, top of the worklist."""
    from denials.dashboard import MartsMissing, write_report

    try:
        path = write_report(resolve_warehouse(warehouse), output, show_identifiers)
    except MartsMissing as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    click.echo(f"report written to {path}")
