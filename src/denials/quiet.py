"""DuckDB connections that write nothing to stdout.

DuckDB draws a progress bar on stdout for any query that runs past two seconds, whether or not stdout is a
terminal. At a million claims the publish's copies run that long, and a scheduled run's log or the app's
server log would fill with bars. Every connection and cursor the package opens goes through
`no_progress_bar`. (dbt's cursors start with the bar off, as every DuckDB cursor does.)"""

from __future__ import annotations

from contextlib import suppress

import duckdb


def no_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con`, with DuckDB's progress bar off and never printed (settings of the connection: `duckdb.connect`
    refuses them in its config). Off alone is not enough: setting `progress_bar_time` turns the bar back on,
    so its printing is turned off too."""
    # under Jupyter without ipywidgets DuckDB refuses any change to its bar, and draws none there either
    with suppress(duckdb.InvalidInputException):
        con.execute("set enable_progress_bar = false; set enable_progress_bar_print = false")
    return con
