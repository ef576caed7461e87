"""Plain summaries of the warehouse for the terminal (no PHI: counts and codes only)."""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table


def _table(con: duckdb.DuckDBPyConnection, title: str, sql: str) -> Table:
    result = con.execute(sql)
    table = Table(title=title)
    for description in result.description:
        table.add_column(description[0], justify="right")
    for row in result.fetchall():
        table.add_row(*[f"{value:,}" if isinstance(value, int) else str(value) for value in row])
    return table


def print_summary(con: duckdb.DuckDBPyConnection, console: Console) -> None:
    console.print(_table(con, "files by status", """
        select status, file_kind, count(*) as files,
               coalesce(sum(segment_count), 0) as segments,
               coalesce(sum(claim_count), 0) as claims,
               coalesce(sum(service_line_count), 0) as service_lines,
               coalesce(sum(record_count), 0) as csv_rows,
               count(*) filter (where len(warnings) > 0) as with_warnings
        from raw.file_registry
        group by all
        order by status, file_kind
    """))
    console.print(_table(con, "transaction sets", """
        select transaction_set_id, coalesce(implementation_reference, '') as guide,
               count(*) as transaction_sets, sum(segment_count) as segments
        from raw.x12_transactions
        group by all
        order by transaction_sets desc
    """))
