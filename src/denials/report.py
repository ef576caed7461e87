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


def _has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' "
        "and table_name in ('mart_denial_kpis_monthly', 'fct_denials')"
    ).fetchall()[0][0] == 2)


def print_marts_summary(con: duckdb.DuckDBPyConnection, console: Console) -> None:
    """Denial rate, denied dollars and the top categories, from the marts (rates from their sums)."""
    if not _has_marts(con):
        console.print("marts not built yet: run `denials build`")
        return
    from denials.insights.metrics import metric

    def rate(name: str) -> str:  # the roll-up the metrics file defines, as a percentage
        return f"printf('%.1f%%', 100 * {metric(name).rollup_expression()})"

    console.print(_table(con, "denials at a glance (line level)", f"""
        select
            sum(adjudicated_lines) as adjudicated_lines,
            sum(initially_denied_lines) as initially_denied,
            {rate('initial_denial_rate')} as denial_rate,
            {rate('initial_denial_rate_dollars')} as denial_rate_dollars,
            printf('$%,.0f', sum(initial_denied_amount)) as initially_denied_amount,
            printf('$%,.0f', sum(final_denied_amount)) as still_denied_amount,
            {rate('denial_overturn_rate')} as overturn_rate
        from marts.mart_denial_kpis_monthly
    """))
    console.print(_table(con, "top denial categories", """
        select denial_category, count(*) as lines,
               printf('$%,.0f', sum(initial_denied_amount)) as initially_denied,
               printf('$%,.0f', sum(denied_amount)) as still_denied,
               count(*) filter (where is_open_denial) as open_lines
        from marts.fct_denials
        group by denial_category
        order by sum(initial_denied_amount) desc
    """))
