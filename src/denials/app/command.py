"""The `denials app` command: start Streamlit on the published marts (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from denials.publish import published_path
from denials.warehouse import WAREHOUSE_ENV, resolve_warehouse

MAIN_SCRIPT = Path(__file__).with_name("main.py")


def streamlit_argv(warehouse: Path, host: str, port: int, show_identifiers: bool) -> list[str]:
    """The Streamlit command line: headless, no usage statistics, no file watcher, bound to `host`."""
    argv = [sys.executable, "-m", "streamlit", "run", str(MAIN_SCRIPT),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "minimal", "--theme.base", "light",
            "--", "--warehouse", str(warehouse)]
    if show_identifiers:
        argv.append("--show-identifiers")
    return argv


@click.command("app")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Warehouse whose published copy to read. Default: ${WAREHOUSE_ENV}, "
                   "else ./warehouse/denials.duckdb.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but 127.0.0.1 exposes PHI-derived figures to the network.")
@click.option("--port", default=8501, show_default=True, type=int)
@click.option("--show-identifiers", is_flag=True,
              help="Show claim and line control numbers in full (PHI: only for a working session).")
def app_command(warehouse: Path | None, host: str, port: int, show_identifiers: bool) -> None:
    """Open the interactive dashboard: KPIs, payers, drugs, appeal worklist, pre-bill risk.

    It reads the published copy of the marts (written by `denials run`) read-only, so it never blocks
    a build and a build never blocks it.
    """
    target = resolve_warehouse(warehouse)
    if not published_path(target).exists():
        click.echo(f"nothing published yet at {published_path(target)}: run `denials run` first", err=True)
        sys.exit(2)
    argv = streamlit_argv(target.resolve(), host, port, show_identifiers)
    click.echo(f"denials app on http://{host}:{port} (Ctrl+C to stop)", err=True)
    os.execv(argv[0], argv)
