"""No DuckDB progress bar reaches stdout from a connection the package opens."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from denials.quiet import no_progress_bar, quiet_connect

ROOT = Path(__file__).resolve().parents[1]
CODE = [*sorted((ROOT / "src" / "denials").rglob("*.py")), *sorted((ROOT / "notebooks").glob("*.py"))]
# with the bar's delay at 0, DuckDB draws it (at least its closing 100% line) for any query
QUERY = "select count(*) from range(1000000) as numbers (number) where number % 7 = 3"
# module-level DuckDB calls run on DuckDB's default connection, which no one made quiet
DEFAULT_CONNECTION_CALLS = {"sql", "execute", "query", "default_connection", "table", "view", "values",
                            "read_csv", "read_json", "read_parquet", "from_df", "from_arrow", "from_query"}


def _output_of_query(con: duckdb.DuckDBPyConnection, capfd: pytest.CaptureFixture[str]) -> str:
    con.execute("set progress_bar_time = 0")
    capfd.readouterr()
    assert con.execute(QUERY).fetchone() == (142857,)
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
    con = quiet_connect()
    try:
        assert _output_of_query(con, capfd) == ""
    finally:
        con.close()


def test_a_quiet_cursor_writes_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    # a cursor keeps settings of its own, so it is made quiet as a connection is
    con = duckdb.connect()
    try:
        assert _output_of_query(no_progress_bar(con.cursor()), capfd) == ""
    finally:
        con.close()


def _loud_calls(module: Path) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    quieted = {id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call)
               and isinstance(node.func, ast.Name) and node.func.id == "no_progress_bar" and node.args}
    loud = []
    for node in ast.walk(tree):
        where = f"{module.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and node.module == "duckdb":
            loud.append(f"{where}: from duckdb import")
        elif isinstance(node, ast.Import) and any(
                alias.name == "duckdb" and alias.asname not in (None, "duckdb") for alias in node.names):
            loud.append(f"{where}: duckdb imported under another name")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            on_duckdb = isinstance(node.func.value, ast.Name) and node.func.value.id == "duckdb"
            if on_duckdb and node.func.attr in DEFAULT_CONNECTION_CALLS:
                loud.append(f"{where}: duckdb.{node.func.attr} on the default connection")
            elif (on_duckdb and node.func.attr == "connect" or node.func.attr == "cursor") and id(
                    node) not in quieted:
                loud.append(f"{where}: {node.func.attr}() not through no_progress_bar")
    return loud


def test_every_connection_the_package_opens_is_quiet() -> None:
    assert [call for module in CODE for call in _loud_calls(module)] == []
