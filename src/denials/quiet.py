"""DuckDB connections that write nothing to stdout.

DuckDB draws a progress bar on stdout for any query that runs past two seconds, whether or not stdout is a
terminal (its cursors do not, so dbt's queries never did). At a million claims the publish's copies run
that long, and a scheduled run's log, the app's server log or a notebook's output would fill with bars.
Every connection the package opens goes through `no_progress_bar`."""

from __future__ import annotations

import duckdb


def no_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con`, with DuckDB's progress bar off and never printed (settings of the connection: `duckdb.connect`
    refuses them in its config). Off alone is not enough: setting `progress_bar_time` turns the bar back on,
    so its printing is turned off too."""
    con.execute("set enable_progress_bar = false; set enable_progress_bar_print = false")
    return con
