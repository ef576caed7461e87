"""`denials app`: binds 127.0.0.1 unless told otherwise, shows identifiers only on request, and says what
to do when nothing is published."""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from denials.app.command import streamlit_argv
from denials.cli import main


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_app_binds_loopback_by_default_and_masks_identifiers(tmp_path: Path) -> None:
    argv = streamlit_argv(tmp_path / "w.duckdb", "127.0.0.1", 8501, show_identifiers=False)
    assert _option(argv, "--server.address") == "127.0.0.1"
    assert _option(argv, "--browser.gatherUsageStats") == "false"
    assert "--show-identifiers" not in argv
    assert "--show-identifiers" in streamlit_argv(tmp_path / "w.duckdb", "127.0.0.1", 8501, True)
    default_host = next(p for p in main.commands["app"].params if p.name == "host").default
    assert default_host == "127.0.0.1"


def test_nothing_published_gets_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    result = CliRunner().invoke(main, ["app", "--warehouse", str(warehouse)])
    assert result.exit_code == 2
    assert "denials run" in result.output
