"""Mart-layer datasets: keys, denial rates and categories, denied dollars, KPI bounds."""

from __future__ import annotations

import re

from denials.quality.datasets.keys import key_counts_query, key_counts_sql, model_keys
from denials.quality.datasets.staging import STG_835
from denials.quality.datasets.warehouse import Skip, Warehouse, literal

# The marts issue names these tables (and KPI tables, whose names are not settled: every other table dbt
# builds in `marts` is checked too). marts.keys reports "skipped: table not built" for each one missing.
MART_TABLES: tuple[str, ...] = (
    "marts.fct_denials",
    "marts.mart_denials_medical_necessity",
    "marts.mart_denials_unit_errors",
    "marts.mart_denials_missing_auth",
    "marts.mart_appeal_worklist",
    "marts.mart_prebill_risk",
)
# Key column when a mart's YAML does not mark one `unique` (first match wins).
MART_KEY_CANDIDATES: tuple[str, ...] = (
    "denial_id", "adjudicated_line_id", "worklist_id", "risk_id", "kpi_id", "claim_line_id", "remit_line_id",
    "claim_id", "remit_claim_id",
)
# Column naming the file a mart row came from, to name it in messages (marts carry the 835's file id).
MART_FILE_COLUMNS: tuple[str, ...] = ("file_id", "remit_file_id", "claim_file_id")
FCT_DENIALS = "marts.fct_denials"
FCT_ADJUDICATED_LINES = "marts.fct_adjudicated_lines"
# Roles the fct_denials checks need, with the column names they accept (first match wins).
PAYER_COLUMNS = ("payer_id",)
CATEGORY_COLUMNS = ("denial_category",)
DENIED_AMOUNT_COLUMNS = ("denied_amount", "denial_amount")
# The denied unit: fct_denials is one row per 837 service line denied at least once.
DENIED_UNIT_COLUMNS = ("claim_line_id", "remit_line_id", "claim_id", "remit_claim_id")


def mart_tables(wh: Warehouse) -> list[str]:
    """The marts the suites know of, plus any other table dbt has built in `marts`."""
    return sorted(set(MART_TABLES) | set(wh.tables_in("marts")))


def mart_keys(wh: Warehouse) -> dict[str, str]:
    """Built mart -> key column ('' when neither its YAML nor the usual names give one)."""
    declared = model_keys(wh.models_dir, "marts")
    keys = {}
    for table in mart_tables(wh):
        if wh.has(table):
            key = declared.get(table) or next((c for c in MART_KEY_CANDIDATES if c in wh.columns(table)), "")
            keys[table] = key if key in wh.columns(table) else ""
    return keys


def marts_notes(wh: Warehouse) -> list[str]:
    notes = [f"skipped: table not built: {t}" for t in MART_TABLES if not wh.has(t)]
    notes += [f"not key-checked: {t} has no column marked unique in the marts' YAML"
              for t, key in mart_keys(wh).items() if not key]
    return notes


def marts_keys(wh: Warehouse) -> str:
    keys = mart_keys(wh)
    if not keys:
        raise Skip(f"table not built: {', '.join(MART_TABLES)}")
    parts = key_counts_sql(wh, {t: k for t, k in keys.items() if k}, MART_FILE_COLUMNS)
    if not parts:
        raise Skip("no key column found in the built marts (mark one `unique` in the marts' YAML)")
    return key_counts_query(parts)


def marts_denial_rates(wh: Warehouse) -> str:
    wh.require(FCT_DENIALS)
    payer = wh.pick(FCT_DENIALS, PAYER_COLUMNS, "the payer")
    unit = wh.pick(FCT_DENIALS, DENIED_UNIT_COLUMNS, "the denied line or claim")
    # Denominator: adjudicated (remitted) lines per payer at the same grain, from fct_adjudicated_lines;
    # without it, remitted 835 lines (or claims) from staging.
    if wh.has(FCT_ADJUDICATED_LINES) and {unit, payer} <= set(wh.columns(FCT_ADJUDICATED_LINES)):
        remitted_filter = ("where first_remit_date is not null"
                           if "first_remit_date" in wh.columns(FCT_ADJUDICATED_LINES) else "")
        remitted = f"""
            select {payer} as payer_id, count(distinct {unit}) as remitted_count
            from {FCT_ADJUDICATED_LINES} {remitted_filter} group by {payer}"""
    else:
        wh.require(f"{STG_835}payments", f"{STG_835}claims", f"{STG_835}service_lines")
        remits = f"{STG_835}claims" if unit in ("claim_id", "remit_claim_id") else f"{STG_835}service_lines"
        remitted = f"""
            select payments.payer_id, count(*) as remitted_count
            from {remits} as remitted
            inner join {STG_835}payments as payments
                on payments.remit_transaction_id = remitted.remit_transaction_id
            group by payments.payer_id"""
    # Payers with fewer than 50 remitted lines get no rate (null, not judged): too few to say.
    return f"""
        with remitted as ({remitted}),
        denied as (
            select {payer} as payer_id, count(distinct {unit}) as denied_count
            from {FCT_DENIALS} group by {payer}
        )
        select coalesce(remitted.payer_id, denied.payer_id) as payer_id,
            coalesce(remitted.remitted_count, 0) as remitted_count,
            coalesce(denied.denied_count, 0) as denied_count,
            case when remitted.remitted_count >= 50
                then coalesce(denied.denied_count, 0) / remitted.remitted_count end as denial_rate
        from remitted
        full outer join denied on denied.payer_id = remitted.payer_id
    """


def marts_denial_categories(wh: Warehouse) -> str:
    wh.require(FCT_DENIALS)
    category = wh.pick(FCT_DENIALS, CATEGORY_COLUMNS, "the denial category")
    return f"""
        with counts as (
            select coalesce({category}, '(missing)') as denial_category, count(*) as denial_count
            from {FCT_DENIALS} group by 1
        )
        select denial_category, denial_count,
            denial_count / sum(denial_count) over () as denial_share,
            case when denial_category in ('other', '(missing)')
                then denial_count / sum(denial_count) over () end as unclassified_share
        from counts
    """


def marts_denied_dollars(wh: Warehouse) -> str:
    wh.require(FCT_DENIALS)
    payer = wh.pick(FCT_DENIALS, PAYER_COLUMNS, "the payer")
    amount = wh.pick(FCT_DENIALS, DENIED_AMOUNT_COLUMNS, "the denied amount")
    unit = wh.pick(FCT_DENIALS, DENIED_UNIT_COLUMNS, "the denied line or claim")
    # Reversals (CLP02 = 22) carry negated amounts. Netted over the reversal chain (fct_denials does it per
    # line; summing per line again is a no-op then, and nets rows if a mart keeps one row per version),
    # denied dollars are never negative. The line id is grouped on in DuckDB and never leaves it.
    return f"""
        with netted as (
            select {payer} as payer_id, {unit} as denied_unit, sum({amount}) as net_denied_amount
            from {FCT_DENIALS} group by all
        )
        select payer_id, count(*) as line_count,
            count(*) filter (where net_denied_amount < -0.005) as negative_net_count,
            min(net_denied_amount)::double as min_net_denied_amount
        from netted group by payer_id
    """


KPI_COLUMN = re.compile(r"(_rate|_share|yield)(_|$)")


def marts_kpi_bounds(wh: Warehouse) -> str:
    numeric = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT")
    types = dict(((row[0], row[1]), row[2]) for row in wh.con.execute(
        "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_catalog = current_database()").fetchall())
    columns = [(table, column) for (table, column), kind in sorted(types.items())
               if KPI_COLUMN.search(column) and kind.upper().startswith(numeric)]
    if not columns:
        built = [t for t in MART_TABLES if wh.has(t)]
        raise Skip("no rate or share column in the built marts" if built
                   else f"table not built: {', '.join(MART_TABLES)}")
    # One row per KPI column: its smallest and largest value over the whole table.
    parts = [
        f"select {literal(table)} as table_name, {literal(column)} as column_name, "
        f"count({column}) as value_count, "
        f"min({column})::double as min_value, max({column})::double as max_value from {table}"
        for table, column in columns
    ]
    return "\nunion all\n".join(parts)

