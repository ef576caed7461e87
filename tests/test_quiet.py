"""No DuckDB progress bar reaches stdout from a connection the package opens."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from denials.quiet import no_progress_bar

SOURCE = Path(__file__).resolve().parents[1] / "src" / "denials"
# long enough for DuckDB to report progress once the bar's delay is 0
QUERY = "select count(*) from range(200000000) as numbers (number) where number % 7 = 3"


def _output_of_query(con: duckdb.DuckDBPyConnection, capfd: pytest.CaptureFixture[str]) -> str:
    con.execute("set progress_bar_time = 0")
    capfd.readouterr()
    assert con.execute(QUERY).fetchone() == (28571429,)
    return capfd.readouterr().out


def test_a_plain_connection_draws_a_bar_on_stdout_that_is_not_a_terminal(
        capfd: pytest.CaptureFixture[str]) -> None:
    # what the package guards against; if DuckDB stops drawing it, this says so
    con = duckdb.connect()
    try:
        assert "%" in _output_of_query(con, capfd)
    finally:
        con.close()


def test_a_quiet_connection_writes_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    con = no_progress_bar(duckdb.connect())
    try:
        assert _output_of_query(con, capfd) == ""
    finally:
        con.close()


def test_every_connection_the_package_opens_is_quiet() -> None:
    loud = []
    for module in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        quieted = {id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Name) and node.func.id == "no_progress_bar" and node.args}
        for node in ast.walk(tree):
            opens = (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                     and node.func.attr == "connect" and isinstance(node.func.value, ast.Name)
                     and node.func.value.id == "duckdb")
            if opens and id(node) not in quieted:
                loud.append(f"{module.relative_to(SOURCE)}:{node.lineno}")
    assert loud == []
