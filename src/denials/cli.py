"""The `denials` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import duckdb
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from denials import __version__
from denials.warehouse import WAREHOUSE_ENV, WarehouseVersionError, connect, resolve_warehouse

console = Console(stderr=True)
out = Console()

warehouse_option = click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"DuckDB warehouse file. Default: ${WAREHOUSE_ENV}, else ./warehouse/denials.duckdb.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="denials")
def main() -> None:
    """Denial analytics for revenue-cycle teams: X12 835/837 and drug administrations into DuckDB,
    dbt marts, data-quality checks.

    \b
    Typical flow:
      denials generate --claims 3000 --out data/sample   # synthetic data with planted truth
      denials ingest data/sample                         # land files in the raw layer
      denials summary                                    # what the warehouse holds
    """


@main.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@warehouse_option
@click.option("--quarantine", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where copies of rejected files go. Default: quarantine/ beside the warehouse.")
@click.option("--quiet", is_flag=True, help="Print only the summary table.")
def ingest(paths: tuple[Path, ...], warehouse: Path | None, quarantine: Path | None, quiet: bool) -> None:
    """Load X12 835/837 files, directories (recursively), .zip archives and administration CSVs.

    Each file loads entirely or not at all. Re-sent content is recorded as a duplicate. Exit status
    is 0 when every file loaded or was a duplicate, 1 when any file was rejected.
    """
    from denials.ingest import ingest_paths

    target = resolve_warehouse(warehouse)
    total = sum(_size(path) for path in paths)
    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(), console=console,
        disable=quiet or not console.is_terminal, transient=True,
    )
    with progress:
        task = progress.add_task("ingesting", total=total or None)
        try:
            report = ingest_paths(
                list(paths), target, quarantine_dir=quarantine,
                on_bytes=lambda n: progress.advance(task, n),
            )
        except duckdb.IOException as error:
            console.print(f"[red]cannot open the warehouse {target}: it is in use by another process "
                          f"or not writable ({type(error).__name__})[/red]")
            sys.exit(3)
        except WarehouseVersionError as error:
            console.print(f"[red]{target}: {error}[/red]")
            sys.exit(2)
    _print_ingest_report(report, quiet)
    sys.exit(report.exit_code)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _print_ingest_report(report, quiet: bool) -> None:  # noqa: ANN001 - IngestReport, imported lazily
    if not quiet:
        for outcome in report.files:
            if outcome.status == "rejected":
                out.print(f"[red]rejected[/red] {outcome.label}: {outcome.reason}")
            elif outcome.warnings:
                out.print(f"[yellow]{outcome.status} with {len(outcome.warnings)} warning(s)[/yellow] "
                          f"{outcome.label}: {outcome.warnings[0]}")
            elif outcome.status == "unsupported":
                out.print(f"[cyan]unsupported[/cyan] {outcome.label}: {outcome.reason}")
    table = Table(title="ingest summary")
    for column in ("loaded", "duplicate", "rejected", "unsupported", "segments", "csv rows", "MB", "seconds",
                   "MB/s"):
        table.add_column(column, justify="right")
    counts = report.counts
    megabytes = report.bytes_loaded / 1e6
    table.add_row(
        str(counts.get("loaded", 0)), str(counts.get("duplicate", 0)), str(counts.get("rejected", 0)),
        str(counts.get("unsupported", 0)), f"{report.segments:,}",
        f"{sum(o.records for o in report.files):,}", f"{megabytes:,.1f}", f"{report.seconds:,.1f}",
        f"{megabytes / report.seconds:,.1f}" if report.seconds else "-",
    )
    out.print(table)


@main.command()
@warehouse_option
@click.option("--select", "selection", multiple=True, help="dbt node selection (repeatable); default: all.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def build(warehouse: Path | None, selection: tuple[str, ...], full_refresh: bool) -> None:
    """Build the dbt project (seeds, staging, intermediate, marts) and run its tests.

    Incremental models only read files loaded since the last build. Exit status 1 when a model or an
    error-severity test fails; warnings are listed but do not fail the build.
    """
    from denials.transform import run_dbt

    target = resolve_warehouse(warehouse)
    args = ["build"]
    if selection:
        args += ["--select", *selection]
    if full_refresh:
        args.append("--full-refresh")
    outcome = run_dbt(args, target)
    for node in outcome.warned_nodes:
        console.print(f"[yellow]warning[/yellow] {node}")
    if not outcome.success:
        for node in outcome.failed_nodes:
            console.print(f"[red]failed[/red] {node}")
        if outcome.exception is not None:
            console.print(f"[red]dbt stopped: {type(outcome.exception).__name__}[/red]")
        sys.exit(1)


@main.command()
@click.argument("file_id", type=int)
@warehouse_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the rebuilt file.")
def rebuild(file_id: int, warehouse: Path | None, output: Path) -> None:
    """Rebuild loaded X12 file FILE_ID byte for byte from the raw layer (to prove or recover it)."""
    from denials.ingest import rebuild_file

    con = connect(resolve_warehouse(warehouse), read_only=True)
    try:
        output.write_bytes(rebuild_file(con, file_id))
    except KeyError as error:
        console.print(f"[red]{error.args[0]}[/red]")
        sys.exit(2)
    finally:
        con.close()
    console.print(f"wrote {output}")


@main.command()
@warehouse_option
def summary(warehouse: Path | None) -> None:
    """Print what the warehouse holds: files by status and kind, segments, claims, lines."""
    from denials.report import print_marts_summary, print_summary

    target = resolve_warehouse(warehouse)
    if not target.exists():
        console.print(f"[red]no warehouse at {target}: run `denials ingest` first[/red]")
        sys.exit(2)
    con = connect(target, read_only=True)
    try:
        print_summary(con, out)
        print_marts_summary(con, out)
    finally:
        con.close()


@main.command()
@warehouse_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("dashboards") / "denials.html", show_default=True,
              help="Where to write the dashboard (one self-contained HTML file).")
@click.option("--show-identifiers", is_flag=True,
              help="Show claim numbers in full (they are PHI: keep such a copy inside the organisation).")
def dashboard(warehouse: Path | None, output: Path, show_identifiers: bool) -> None:
    """Write the revenue-cycle dashboard (KPIs, payer scorecard, reasons, worklist) as one HTML file."""
    from denials.dashboard import MartsMissing, write_dashboard

    try:
        path = write_dashboard(resolve_warehouse(warehouse), output, show_identifiers)
    except MartsMissing as error:
        console.print(f"[red]{error}[/red]")
        sys.exit(2)
    out.print(f"dashboard written to {path}")


@main.command("run")
@click.argument("inbox", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@warehouse_option
@click.option("--quarantine", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where copies of rejected files go. Default: quarantine/ beside the warehouse.")
@click.option("--dashboard", "dashboard_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also rewrite this HTML dashboard when everything passed.")
@click.option("--docs/--no-docs", default=True, show_default=True, help="Build the Data Docs.")
def run_command(inbox: tuple[Path, ...], warehouse: Path | None, quarantine: Path | None,
                dashboard_path: Path | None, docs: bool) -> None:
    """The scheduled build, safe from cron: ingest INBOX, build, check, then publish the marts.

    \b
    1. ingest new files (re-sent files are duplicates: a no-op)
    2. dbt build of seeds, staging and intermediate
    3. critical raw/staging checks: a failure stops here, the previous marts stay
    4. dbt build of the marts, then the mart checks (and the dashboard)
    Exit status: 0 all passed; 1 files were rejected (the rest was built and checked); 2 a dbt build
    failed; 3 a critical data-quality check failed; 75 another run holds the warehouse.
    """
    from denials.pipeline import EXIT_BUSY, RunInProgress, scheduled_run

    target = resolve_warehouse(warehouse)
    try:
        outcome = scheduled_run(list(inbox), target, say=lambda line: out.print(line, highlight=False),
                                quarantine=quarantine, dashboard=dashboard_path, build_docs=docs)
    except RunInProgress as busy:
        console.print(f"[yellow]{busy}; nothing done[/yellow]")
        sys.exit(EXIT_BUSY)
    except WarehouseVersionError as error:
        console.print(f"[red]{target}: {error}[/red]")
        sys.exit(2)
    table = Table(title=f"denials run on {target}")
    table.add_column("stage")
    table.add_column("result")
    for stage, result in outcome.stages:
        table.add_row(stage, result)
    out.print(table)
    if outcome.docs_index is not None:
        out.print(f"Data Docs (open offline): {outcome.docs_index}", highlight=False, soft_wrap=True)
    sys.exit(outcome.exit_code)


def _register_commands() -> None:
    from denials.generate import generate_command
    from denials.quality import check_command

    main.add_command(generate_command, name="generate")
    main.add_command(check_command, name="check")
    main.add_command(__import__("denials.spark.cli").spark.cli.export_raw_command, name="export-raw")


_register_commands()


if __name__ == "__main__":
    main()
