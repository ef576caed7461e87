"""The `denials` command line. Every command exits with a code from one table (denials.errors) and never
prints a traceback: known failures get one line naming the file, anything else an internal-error line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from denials import __version__
from denials.console import make_console
from denials.errors import (
    EXIT_BUILD_FAILED,
    EXIT_CHECK_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    NothingToDo,
    WarehouseUnusable,
    classify,
    exit_code_help,
)
from denials.locking import reader_lock, writer_lock
from denials.warehouse import WAREHOUSE_ENV, check_layout, connect, open_checked, resolve_warehouse

console = make_console(stderr=True)
out = make_console()
_umask = {"user": 0o022}

payer_overrides_option = click.option(
    "--payer-overrides",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Your per-payer overrides of type, windows and drug policies (CSV, kept outside seeds/ so "
         "upgrades keep it). Default: $DENIALS_PAYER_OVERRIDES, else ~/.config/denials/payer_overrides.csv "
         "when it exists. See README, 'Per-payer overrides'.",
)

warehouse_option = click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"DuckDB warehouse file. Default: ${WAREHOUSE_ENV}, else ./warehouse/denials.duckdb.",
)


class DenialsGroup(click.Group):
    """Turns every failure of a command into one line on stderr and a code from the exit-code table."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - whatever the command returns
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            console.print("[yellow]interrupted: nothing was published[/yellow]")
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as error:
            if os.environ.get("DENIALS_DEBUG"):
                raise
            warehouse = ctx.meta.get("denials.warehouse")
            known = classify(error, warehouse)
            if known is not None:
                message = str(known)
                if isinstance(known, WarehouseUnusable) and str(warehouse) not in message:
                    message = f"{warehouse}: {message}"
                console.print(f"[red]{escape(message)}[/red]", highlight=False)
                ctx.exit(known.exit_code)
            # The message of an unexpected error may quote data: only its type is shown.
            console.print(f"[red]internal error ({type(error).__name__}): please report it; "
                          "DENIALS_DEBUG=1 shows the traceback[/red]", highlight=False)
            ctx.exit(EXIT_INTERNAL)


def _target(warehouse: Path | None) -> Path:
    target = resolve_warehouse(warehouse)
    click.get_current_context().meta["denials.warehouse"] = target
    return target


def _require_warehouse(target: Path) -> None:
    if not target.exists():
        raise NothingToDo(f"no warehouse at {target}: run `denials ingest` or `denials run` first")


@click.group(cls=DenialsGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="\b\nExit status (every command):\n" + exit_code_help())
@click.version_option(__version__, prog_name="denials")
def main() -> None:
    """Denial analytics for revenue-cycle teams: X12 835/837 and drug administrations into DuckDB,
    dbt marts, data-quality checks.

    \b
    Typical flow:
      denials generate --claims 3000 --out data/sample   # synthetic data with planted truth
      denials run data/sample                            # ingest, build, check, publish
      denials summary                                    # what the published marts hold

    Writers (ingest, build, check, run, publish) take the warehouse's lock; readers (summary,
    dashboard, notebooks, the app) read the published copy and never wait for a build.
    """
    # Files the commands create hold PHI: private (0600, folders 0700) unless a command says otherwise.
    previous = os.umask(0o077)
    _umask["user"] = previous
    click.get_current_context().call_on_close(lambda: os.umask(previous))


@main.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@warehouse_option
@click.option("--quarantine", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where copies of rejected files go. Default: quarantine/ beside the warehouse.")
@click.option("--quiet", is_flag=True, help="Print only the summary table.")
def ingest(paths: tuple[Path, ...], warehouse: Path | None, quarantine: Path | None, quiet: bool) -> None:
    """Load X12 835/837 files, directories (recursively), .zip archives and administration CSVs.

    Each file loads entirely or not at all. Re-sent content is recorded as a duplicate; a file unchanged
    since the last ingest (same path, size and modification time) is skipped. Exit status 0 when every
    file loaded or was a duplicate, 1 when any file was rejected (see `denials --help` for the rest).
    """
    from denials.ingest import ingest_paths

    target = _target(warehouse)
    total = sum(_size(path) for path in paths)
    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(), console=console,
        disable=quiet or not console.is_terminal, transient=True,
    )
    with writer_lock(target, "ingest"), progress:
        task = progress.add_task("ingesting", total=total or None)
        report = ingest_paths(list(paths), target, quarantine_dir=quarantine,
                              on_bytes=lambda n: progress.advance(task, n))
    _print_ingest_report(report, quiet)
    sys.exit(report.exit_code)


def _size(path: Path) -> int:
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0


def _print_ingest_report(report, quiet: bool) -> None:  # noqa: ANN001 - IngestReport, imported lazily
    if not quiet:
        for outcome in report.files:
            label, reason = escape(outcome.label), escape(outcome.reason or "")
            if outcome.status == "rejected":
                out.print(f"[red]rejected[/red] {label}: {reason}", highlight=False)
            elif outcome.warnings:
                out.print(f"[yellow]{outcome.status} with {len(outcome.warnings)} warning(s)[/yellow] "
                          f"{label}: {escape(outcome.warnings[0])}", highlight=False)
            elif outcome.status == "unsupported":
                out.print(f"[cyan]unsupported[/cyan] {label}: {reason}", highlight=False)
    table = Table(title="ingest summary")
    for column in ("loaded", "duplicate", "unchanged", "rejected", "unsupported", "segments", "csv rows",
                   "MB", "seconds", "MB/s"):
        table.add_column(column, justify="right")
    counts = report.counts
    megabytes = report.bytes_loaded / 1e6
    table.add_row(
        str(counts.get("loaded", 0)), str(counts.get("duplicate", 0)), str(counts.get("unchanged", 0)),
        str(counts.get("rejected", 0)), str(counts.get("unsupported", 0)), f"{report.segments:,}",
        f"{sum(o.records for o in report.files):,}", f"{megabytes:,.1f}", f"{report.seconds:,.1f}",
        f"{megabytes / report.seconds:,.1f}" if report.seconds else "-",
    )
    out.print(table)


@main.command()
@warehouse_option
@click.option("--select", "selection", multiple=True, help="dbt node selection (repeatable); default: all.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
@payer_overrides_option
def build(warehouse: Path | None, selection: tuple[str, ...], full_refresh: bool,
          payer_overrides: Path | None) -> None:
    """Build the dbt project (seeds, staging, intermediate, marts) and run its tests, in the warehouse.

    Incremental models only read files loaded since the last build. Readers see the result only once
    it is checked and published (`denials publish`, or `denials run` for everything). Exit status 4
    when a model or an error-severity test fails; warnings are listed but do not fail the build.
    After `denials retract`, a build without --select rebuilds the incremental models from scratch once.
    Seeds whose files are those the warehouse last loaded are neither loaded nor tested again.
    """
    from denials.ingest.retraction import mark_rebuilt, rebuild_pending
    from denials.key_layout import keys_are_text
    from denials.payer_overrides import load_overrides
    from denials.pipeline import dbt_build
    from denials.seed_state import build_selection, forget_seeds_loaded, record_seeds_loaded

    target = _target(warehouse)
    _require_warehouse(target)
    with writer_lock(target, "build"):
        load_overrides(target, payer_overrides)
        # A retracted file's rows are in the incremental models, or an earlier release's text keys are: a
        # whole build rebuilds them once.
        refresh = not selection and not full_refresh and (rebuild_pending(target) or keys_are_text(target))
        if selection:
            forget_seeds_loaded(target)  # a selection may load some seeds: the next whole build loads all
            args, seeds_loaded = ["build", "--select", *selection], None
        else:
            chosen, seeds_loaded = build_selection(target, full_refresh=full_refresh or refresh)
            args = ["build", *chosen]
        if full_refresh or refresh:
            args.append("--full-refresh")
        outcome = dbt_build(args, target, "build")
        if outcome.success and seeds_loaded:
            record_seeds_loaded(target, seeds_loaded)
        if outcome.success and (refresh or (full_refresh and not selection)):
            mark_rebuilt(target)
    for node in outcome.retried_nodes:
        console.print(f"[yellow]out of memory at first, built again one at a time[/yellow] {escape(node)}",
                      highlight=False)
    for node in outcome.warned_nodes:
        console.print(f"[yellow]warning[/yellow] {escape(node)}", highlight=False)
    if not outcome.success:
        for node in outcome.failed_nodes:
            console.print(f"[red]failed[/red] {escape(node)}", highlight=False)
        if outcome.exception is not None:
            console.print(f"[red]dbt stopped: {type(outcome.exception).__name__}[/red]")
        sys.exit(EXIT_BUILD_FAILED)


@main.command()
@click.argument("file_id", type=int)
@warehouse_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the rebuilt file.")
def rebuild(file_id: int, warehouse: Path | None, output: Path) -> None:
    """Rebuild loaded X12 file FILE_ID byte for byte from the raw layer (to prove or recover it).

    The raw segments are not published (they are the bulk of the warehouse), so this reads the warehouse
    itself, read-only: while a writer (a run, an ingest) holds it, it exits at once with the busy code.
    """
    from denials.ingest import rebuild_file

    target = _target(warehouse)
    _require_warehouse(target)
    with reader_lock(target):
        con = connect(target, read_only=True)
        try:
            check_layout(con)
            data = rebuild_file(con, file_id)
        except KeyError as error:
            raise NothingToDo(str(error.args[0])) from None
        finally:
            con.close()
    output.write_bytes(data)
    console.print(f"wrote {escape(str(output))}", highlight=False)


@main.command()
@click.argument("file_id", type=int)
@click.option("--reason", required=True, help="Why the file is taken out (kept in raw.file_retractions).")
@warehouse_option
def retract(file_id: int, reason: str, warehouse: Path | None) -> None:
    """Take loaded file FILE_ID out of the models, keeping its raw rows and the registry history.

    The registry row becomes `retracted`; raw.file_retractions records who, when and why. The file's
    segments stay in raw (`denials rebuild FILE_ID` still returns it), and sending the same content again
    is a duplicate of the retracted file. The next `denials run` (or `denials build` without --select)
    rebuilds the models from scratch without it and publishes. Exit status 2 when FILE_ID is unknown or
    not loaded (rejected, duplicate, already retracted), 75 while another writer holds the warehouse.
    """
    from denials.ingest.retraction import retract as retract_file

    target = _target(warehouse)
    _require_warehouse(target)
    with writer_lock(target, "retract"):
        con = connect(target)
        try:
            done = retract_file(con, file_id, reason)
        finally:
            con.close()
    out.print(f"retracted file {done.file_id} ({escape(done.file_name)}): the next `denials run` or "
              "`denials build` rebuilds the models without it", highlight=False)


@main.command()
@warehouse_option
def summary(warehouse: Path | None) -> None:
    """Print what the published marts hold: the run, files by status, transaction sets, denials.

    Reads the published copy, never the warehouse, so it works while a build runs."""
    from denials.publish import connect_published, publication
    from denials.report import print_marts_summary, print_summary

    target = _target(warehouse)
    con = connect_published(target)
    try:
        run_id, published_at = publication(con)
        out.print(f"published run {run_id} at {published_at:%Y-%m-%d %H:%M:%S} UTC", highlight=False)
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
    """Write the revenue-cycle dashboard (KPIs, payer scorecard, reasons, worklist) from the published
    marts, as one HTML file."""
    from denials.dashboard import MartsMissing

    target = _target(warehouse)
    try:
        path = write_published_dashboard(target, output, show_identifiers)
    except MartsMissing as error:
        raise NothingToDo(str(error)) from None
    out.print(f"dashboard written to {escape(str(path))}", highlight=False)


def write_published_dashboard(warehouse: Path, output: Path, show_identifiers: bool = False) -> Path:
    """The dashboard from the published file. Without identifiers it is as shareable as any report the
    user writes (their umask); with them it stays private."""
    from denials.dashboard import write_dashboard
    from denials.publish import NothingPublished, published_path

    source = published_path(warehouse)
    if not source.exists():
        raise NothingPublished(f"nothing published yet at {source}: run `denials run` (or `denials build` "
                              "then `denials publish`) first")
    path = write_dashboard(source, output, show_identifiers)
    if not show_identifiers:
        os.chmod(path, 0o666 & ~_umask["user"])
    return path


@main.command("publish")
@warehouse_option
def publish_command(warehouse: Path | None) -> None:
    """Check the marts built by `denials build` and, if every critical check passes, publish them.

    `denials run` does this itself; this is for a build run by hand. Exit status 3 when a critical
    mart check fails (nothing is published)."""
    from denials.pipeline import new_run_id
    from denials.publish import publish
    from denials.quality.runner import run_checks

    target = _target(warehouse)
    _require_warehouse(target)
    run_id = new_run_id()
    with writer_lock(target, "publish"):
        open_checked(target)
        checked = run_checks(target, ["marts"], build_docs=False, run_id=run_id)
        if any(suite.status == "skipped" for suite in checked.suites):
            raise NothingToDo(f"the marts in {target} are not (all) built: run `denials build` first")
        if not checked.success:
            for line in checked.messages():
                out.print(escape(line), highlight=False)
            console.print("[red]critical mart check failed: nothing published[/red]")
            sys.exit(EXIT_CHECK_FAILED)
        published = publish(target, run_id)
    out.print(f"published run {run_id} to {escape(str(published.path))} ({published.summary()})",
              highlight=False)


@main.command("run")
@click.argument("inbox", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@warehouse_option
@click.option("--quarantine", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where copies of rejected files go. Default: quarantine/ beside the warehouse.")
@click.option("--dashboard", "dashboard_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also rewrite this HTML dashboard from the newly published marts.")
@click.option("--docs/--no-docs", default=True, show_default=True, help="Build the Data Docs.")
@payer_overrides_option
def run_command(inbox: tuple[Path, ...], warehouse: Path | None, quarantine: Path | None,
                dashboard_path: Path | None, docs: bool, payer_overrides: Path | None) -> None:
    """The scheduled build, safe from cron: ingest INBOX, build, check, then publish the marts.

    \b
    1. ingest new files (unchanged files are skipped, re-sent content is a duplicate)
    2. dbt build of seeds, staging and intermediate, in the warehouse (with your payer override file)
    3. critical raw/staging checks: a failure stops here
    4. dbt build of the marts, then the critical mart checks: a failure stops here
    5. publish: the marts go to a new file renamed over <warehouse>.published.duckdb at once
    Readers keep reading the previous publication until step 5; a failure or a kill leaves it whole.
    Exit status: 0 published; 1 files were rejected (the rest was built, checked and published);
    2 the payer override file has a bad value (file and line named; nothing built); 3 a critical check
    failed; 4 a dbt build failed; 75 another writer holds the warehouse.
    """
    from denials.pipeline import scheduled_run

    target = _target(warehouse)
    outcome = scheduled_run(list(inbox), target, say=lambda line: out.print(escape(line), highlight=False),
                            quarantine=quarantine, dashboard=None, build_docs=docs,
                            payer_overrides=payer_overrides)
    if outcome.published is not None and dashboard_path is not None:
        outcome.stage("dashboard", str(write_published_dashboard(target, dashboard_path)))
    table = Table(title=f"denials run {outcome.run_id} on {escape(str(target))}")
    table.add_column("stage")
    table.add_column("time", justify="right")
    table.add_column("result")
    for stage, result in outcome.stages:
        table.add_row(stage, f"{outcome.seconds.get(stage, 0.0):.1f} s", escape(result))
    out.print(table)
    if outcome.docs_index is not None:
        out.print(f"Data Docs (open offline): {escape(str(outcome.docs_index))}", highlight=False,
                  soft_wrap=True)
    sys.exit(outcome.exit_code)


def _register_commands() -> None:
    from denials.app.command import app_command
    from denials.dashboard.command import report_command
    from denials.generate import generate_command
    from denials.payers import payers_command
    from denials.quality import check_command
    from denials.spark.cli import export_raw_command

    main.add_command(generate_command, name="generate")
    main.add_command(check_command, name="check")
    main.add_command(app_command, name="app")
    main.add_command(report_command, name="report")
    main.add_command(payers_command, name="payers")
    main.add_command(export_raw_command, name="export-raw")


_register_commands()


if __name__ == "__main__":
    main()
