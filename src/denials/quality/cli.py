"""`denials check`: the click command the main CLI registers (denials.cli adds `check_command`)."""

from __future__ import annotations

from pathlib import Path

import click
import duckdb
from rich.markup import escape
from rich.table import Table

from denials.console import make_console
from denials.warehouse import WAREHOUSE_ENV, resolve_warehouse

console = make_console(stderr=True)
out = make_console()

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

    Reads the warehouse, then appends the outcomes to quality.check_results: a writer, so it takes the
    warehouse's lock. Exit status 3 when a critical expectation fails (or a suite cannot run), 2 when
    there is no warehouse or a selected layer is not built yet (`--suite raw` checks an ingested,
    unbuilt warehouse), 75 when another writer holds the warehouse.
    """
    from denials.errors import EXIT_CHECK_FAILED, EXIT_OK, DenialsError, NothingToDo
    from denials.locking import writer_lock
    from denials.quality.runner import run_checks
    from denials.warehouse import open_checked

    target = resolve_warehouse(warehouse)
    context = click.get_current_context()
    context.meta["denials.warehouse"] = target
    if not target.exists():
        _fail(context, NothingToDo(f"no warehouse at {target}: run `denials ingest` first"))
    try:
        with writer_lock(target, "check"):
            open_checked(target)
            report = run_checks(target, list(suites) or None, build_docs=docs)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--suite") from error
    except (duckdb.Error, OSError) as error:
        from denials.errors import classify

        known = classify(error, target)
        if known is None:
            raise
        _fail(context, known)
    except DenialsError as error:  # busy, another raw layout
        _fail(context, error)
    except FileNotFoundError as error:  # no GX project where DENIALS_GX_ROOT points
        _fail(context, NothingToDo(str(error)))
    unbuilt = _unbuilt_layers(report)
    print_report(report)
    for problem in (report.record_error, report.docs_error):
        if problem:
            console.print(f"[yellow]{escape(problem)}[/yellow]", highlight=False)
    if unbuilt:
        _fail(context, NothingToDo(
            f"nothing to check in {', '.join(unbuilt)}: not built in {target}; run `denials build` "
            "first (or check `--suite raw` only)"))
    if not report.success:
        failed = ", ".join(s.suite for s in report.critical_failures)
        console.print(f"[red]critical data-quality failure in {failed}[/red]")
    context.exit(EXIT_OK if report.success else EXIT_CHECK_FAILED)


def _fail(context: click.Context, error: Exception) -> None:
    from denials.errors import WarehouseUnusable

    warehouse = context.meta.get("denials.warehouse")
    message = str(error)
    if isinstance(error, WarehouseUnusable) and str(warehouse) not in message:
        message = f"{warehouse}: {message}"
    console.print(f"[red]{escape(message)}[/red]", highlight=False)
    context.exit(getattr(error, "exit_code", 2))


def _unbuilt_layers(report) -> list[str]:  # noqa: ANN001 - CheckReport, imported lazily
    """Layers checked whose every suite was skipped because its tables do not exist."""
    layers: dict[str, list[bool]] = {}
    for suite in report.suites:
        layers.setdefault(suite.layer, []).append(
            suite.status == "skipped" and "not built" in (suite.reason or ""))
    return [layer for layer, unbuilt in layers.items() if unbuilt and all(unbuilt)]


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
