"""`denials check`: the click command the main CLI registers (denials.cli adds `check_command`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import duckdb
from rich.console import Console
from rich.table import Table

from denials.warehouse import WAREHOUSE_ENV, resolve_warehouse

console = Console(stderr=True)
out = Console()

STATUS_STYLE = {"passed": "green", "failed": "red", "skipped": "cyan", "error": "red"}


@click.command("check")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"DuckDB warehouse file. Default: ${WAREHOUSE_ENV}, else ./warehouse/denials.duckdb.")
@click.option("--docs/--no-docs", default=True, show_default=True,
              help="Build the Data Docs (offline HTML under expectations/uncommitted/data_docs/).")
@click.option("--suite", "suites", multiple=True, metavar="NAME",
              help="Run only this suite (e.g. staging.balancing) or layer (raw, staging, marts); repeatable.")
def check_command(warehouse: Path | None, docs: bool, suites: tuple[str, ...]) -> None:
    """Run the Great Expectations suites on the warehouse: registry and raw layer, staging, marts.

    Reads the warehouse read-only, then appends the outcomes to quality.check_results. Suites whose tables
    are not built yet are reported as skipped. Exit status 1 when a critical expectation fails (or a suite
    cannot run), 2 when there is no warehouse, 3 when it is in use by another process.
    """
    from denials.quality.runner import run_checks

    target = resolve_warehouse(warehouse)
    if not target.exists():
        console.print(f"[red]no warehouse at {target}: run `denials ingest` first[/red]")
        sys.exit(2)
    try:
        report = run_checks(target, list(suites) or None, build_docs=docs)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--suite") from error
    except duckdb.IOException as error:
        console.print(f"[red]cannot open the warehouse {target}: it is in use by another process "
                      f"({type(error).__name__})[/red]")
        sys.exit(3)
    print_report(report)
    for problem in (report.record_error, report.docs_error):
        if problem:
            console.print(f"[yellow]{problem}[/yellow]")
    if not report.success:
        failed = ", ".join(s.suite for s in report.critical_failures)
        console.print(f"[red]critical data-quality failure in {failed}[/red]")
    sys.exit(report.exit_code if report.record_error is None or not report.success else 3)


def print_report(report) -> None:  # noqa: ANN001 - CheckReport, imported lazily
    table = Table(title=f"data-quality checks, run {report.run_id}")
    table.add_column("suite", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for column in ("rows", "passed", "failed critical", "failed warning"):
        table.add_column(column, justify="right")
    for suite in report.suites:
        style = STATUS_STYLE.get(suite.status, "")
        passed = sum(1 for e in suite.expectations if e.success)
        table.add_row(
            suite.suite, f"[{style}]{suite.status}[/{style}]" if style else suite.status,
            "-" if suite.status == "skipped" else f"{suite.rows:,}",
            str(passed), str(len(suite.failed_with("critical"))), str(len(suite.failed_with("warning"))),
        )
    out.print(table)
    for suite in report.suites:
        for note in ([suite.reason] if suite.status == "skipped" and suite.reason else []) + suite.notes:
            out.print(f"[cyan]{suite.suite}: {note}[/cyan]", highlight=False, soft_wrap=True)
    for line in report.messages():
        colour = "red" if line.startswith("CRITICAL") else "yellow"
        out.print(f"[{colour}]{line}[/{colour}]", highlight=False, soft_wrap=True)
    if report.docs_index is not None:
        out.print(f"Data Docs: {report.docs_index}", highlight=False, soft_wrap=True)
    for url in report.docs_dropped_urls:
        console.print(f"[yellow]Data Docs: dropped {url} "
                      "(no local copy in denials/quality/static/vendor)[/yellow]")
