"""DuckDB connections that write nothing to stdout.

DuckDB draws a progress bar on stdout for any query that runs past two seconds, whether or not stdout is a
terminal. At a million claims the publish's copies run that long, and a scheduled run's log or the app's
server log would fill with bars. The package opens every DuckDB database with `quiet_connect`, and passes
any other connection or cursor it uses through `no_progress_bar`. (dbt's cursors start with the bar off,
as every DuckDB cursor does.)"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import duckdb


def no_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con`, with DuckDB's progress bar off and never printed (settings of the connection: `duckdb.connect`
    refuses them in its config). Off alone is not enough: setting `progress_bar_time` turns the bar back on,
    so its printing is turned off too."""
    # under Jupyter without ipywidgets DuckDB refuses any change to its bar, and draws none there either
    with suppress(duckdb.InvalidInputException):
        con.execute("set enable_progress_bar = false; set enable_progress_bar_print = false")
    return con


def quiet_connect(database: str | Path = ":memory:", read_only: bool = False,
                  config: dict[str, str | int] | None = None) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect(database, read_only, config)`, through `no_progress_bar`."""
    return no_progress_bar(duckdb.connect(str(database), read_only=read_only, config=config or {}))
