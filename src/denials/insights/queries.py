"""Every query a page of the app (and the static report) runs, one function each, over the published marts.

KPIs come from mart_denial_kpis_monthly through `metrics` (the formulas of _marts__metrics.yml); the
other figures are counts and sums of mart columns. Days left to appeal count from the date the caller
gives (today in the app), over the mart's appeal_deadline. Functions return pandas frames with the mart's
column names; pages rename them for people.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from denials.insights.filters import Filters, Where
from denials.insights.metrics import rollup_columns

TILE_METRICS = ("adjudicated_lines", "initial_denial_rate", "initial_denial_rate_dollars", "first_pass_yield",
                "denial_overturn_rate", "avoidable_denial_share", "initial_denied_amount",
                "final_denied_amount", "overturned_amount", "avg_days_service_to_payment")
TREND_METRICS = ("adjudicated_lines", "initially_denied_lines", "initial_denial_rate",
                 "initial_denial_rate_dollars", "first_pass_yield")
SCORECARD_METRICS = ("adjudicated_lines", "initial_denial_rate", "initial_denial_rate_dollars",
                     "first_pass_yield", "avoidable_denial_share", "denial_overturn_rate",
                     "initial_denied_amount", "final_denied_amount")
KPIS = "marts.mart_denial_kpis_monthly"
DRUG_OF_CODE = ("case when {a}.procedure_code in (select hcpcs_code from reference.drug_reference) "
                "then {a}.procedure_code else 'non_drug' end")
LINEAGE = "d.remit_file_id, d.remit_segment_position, d.claim_file_id, d.claim_segment_position"


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


# ------------------------------------------------------------------------------------------- reference
def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Values each global filter offers, with their labels."""
    return {
        "months": frame(con, f"select distinct kpi_month from {KPIS} where kpi_month is not null "
                             "order by kpi_month"),
        "payers": frame(con, f"select payer_id, max(coalesce(payer_name, payer_id)) as payer_name "
                             f"from {KPIS} where payer_id is not null group by payer_id order by 2"),
        "payer_types": frame(con, f"select distinct payer_type from {KPIS} order by 1"),
        "drugs": frame(con, f"select drug_code, max(product_name) as product_name from {KPIS} "
                            "group by drug_code order by drug_code = 'non_drug', drug_code"),
        "providers": frame(con, "select distinct billing_provider_npi from marts.fct_adjudicated_lines "
                                "where billing_provider_npi is not null order by 1"),
        "categories": frame(con, "select denial_category, description from reference.denial_categories "
                                 "where is_denial order by denial_category"),
    }


def as_of(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """The data's date (the latest remit of any version, as the marts count it) and its publication."""
    latest = con.execute(
        "select greatest(max(first_remit_date), max(final_remit_date)), min(first_remit_date) "
        "from marts.fct_adjudicated_lines").fetchone()
    # The worklist's own reference date is the one its days are counted to: the same date, by definition.
    worklist_date = con.execute("select max(as_of_date) from marts.mart_appeal_worklist").fetchone()[0]
    if worklist_date is not None:
        latest = (worklist_date, latest[1])
    published = None
    if con.execute("select count(*) from duckdb_tables() where schema_name = 'published'").fetchone()[0]:
        published = con.execute("select max(published_at) from published.publication").fetchone()[0]
    return {"data_through": latest[0], "data_from": latest[1], "published_at": published}


# ------------------------------------------------------------------------------------------- overview
def kpi_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.Series:
    where = filters.kpi_where()
    result = frame(con, f"select {rollup_columns(TILE_METRICS)} from {KPIS} k where {where.sql}",
                   where.params)
    return result.iloc[0]


def kpi_trend(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """KPIs by month; a month the data covers only in part is flagged (its rates are not comparable)."""
    where = filters.kpi_where()
    return frame(con, f"""
        with bounds as (
            select min(first_remit_date) as first_day, max(first_remit_date) as last_day
            from marts.fct_adjudicated_lines
        )
        select k.kpi_month, {rollup_columns(TREND_METRICS)},
            bool_or(k.kpi_month < bounds.first_day
                    or k.kpi_month + interval 1 month - interval 1 day > bounds.last_day) as is_partial_month
        from {KPIS} k cross join bounds
        where {where.sql} and k.kpi_month is not null
        group by k.kpi_month order by k.kpi_month""", where.params)


def denials_by_category(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = filters.line_where()
    return frame(con, f"""
        select d.denial_category, c.description, c.is_avoidable, c.responsible_team,
               count(*) as lines, sum(d.initial_denied_amount) as initial_denied_amount,
               sum(d.denied_amount) as final_denied_amount
        from marts.fct_denials d
        left join reference.denial_categories c on c.denial_category = d.denial_category
        where {where.sql}
        group by all order by initial_denied_amount desc""", where.params)


# --------------------------------------------------------------------------------------------- payers
def payer_scorecard(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = filters.kpi_where()
    return frame(con, f"""
        select k.payer_id, max(k.payer_name) as payer_name, max(k.payer_type) as payer_type,
               {rollup_columns(SCORECARD_METRICS)}
        from {KPIS} k where {where.sql}
        group by k.payer_id order by initial_denied_amount desc""", where.params)


def payer_trend(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = filters.kpi_where()
    return frame(con, f"""
        select k.kpi_month, k.payer_id, max(k.payer_name) as payer_name,
               {rollup_columns(("adjudicated_lines", "initial_denial_rate"))}
        from {KPIS} k where {where.sql} and k.kpi_month is not null
        group by k.kpi_month, k.payer_id order by k.kpi_month, payer_name""", where.params)


def payer_drift(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Each payer's denial rate in the latest month of the period against its 3 months before."""
    where = filters.kpi_where()
    base = Filters(None, None, filters.payers, filters.payer_types, filters.drugs).kpi_where()
    # The latest month the data covers in full: a month still filling up would show as a false drop.
    latest = con.execute(f"""
        select coalesce(max(k.kpi_month) filter (
                   where k.kpi_month + interval 1 month <= (select max(first_remit_date) + 1
                                                            from marts.fct_adjudicated_lines)),
               max(k.kpi_month))
        from {KPIS} k where {where.sql}""", where.params).fetchone()[0]
    if latest is None:
        return pd.DataFrame(columns=["payer_id", "payer_name", "latest_rate", "trailing_rate", "drift"])
    window = base.and_("k.kpi_month between ? - interval 3 month and ?", latest, latest)
    return frame(con, f"""
        with latest_month as (
            select k.payer_id, max(k.payer_name) as payer_name, {rollup_columns(("initial_denial_rate",
                                                                                 "adjudicated_lines"))}
            from {KPIS} k where {window.sql} and k.kpi_month = ? group by k.payer_id
        ),
        trailing_months as (
            select k.payer_id, {rollup_columns(("initial_denial_rate", "adjudicated_lines"))}
            from {KPIS} k where {window.sql} and k.kpi_month < ? group by k.payer_id
        )
        select l.payer_id, l.payer_name, ? as kpi_month,
               l.initial_denial_rate as latest_rate, l.adjudicated_lines as latest_lines,
               t.initial_denial_rate as trailing_rate, t.adjudicated_lines as trailing_lines,
               l.initial_denial_rate - t.initial_denial_rate as drift
        from latest_month l left join trailing_months t using (payer_id)
        order by drift desc nulls last""", [*window.params, latest, *window.params, latest, latest])


def top_reasons(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Reasons from fct_denials with the seeds' words (filters apply to the lines, so not the ranked mart)."""
    where = filters.line_where()
    return frame(con, f"""
        select d.payer_name, d.denial_category, d.primary_group_code, d.primary_carc_code,
               carc.description as carc_description, d.primary_rarc_code,
               rarc.description as rarc_description,
               count(*) as lines, sum(d.initial_denied_amount) as initial_denied_amount,
               sum(d.denied_amount) as final_denied_amount
        from marts.fct_denials d
        left join reference.carc_codes carc on carc.carc_code = d.primary_carc_code
        left join reference.rarc_codes rarc on rarc.rarc_code = d.primary_rarc_code
        where {where.sql}
        group by all order by initial_denied_amount desc, lines desc limit {int(limit)}""", where.params)


# --------------------------------------------------------------------------------------------- drugs
def drug_scorecard(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = filters.kpi_where()
    return frame(con, f"""
        select k.drug_code, max(k.product_name) as product_name, {rollup_columns(SCORECARD_METRICS)}
        from {KPIS} k where {where.sql}
        group by k.drug_code order by initial_denied_amount desc""", where.params)


def _unit_errors_where(filters: Filters) -> Where:
    return filters.line_where(with_category=False)


def unit_error_causes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = _unit_errors_where(filters)
    return frame(con, f"""
        select coalesce(u.root_cause, 'unexplained') as root_cause, u.procedure_code,
               count(*) as lines, sum(u.denied_amount) as denied_amount,
               sum(u.underbilled_amount) as underbilled_amount, sum(u.dollars_at_stake) as dollars_at_stake
        from marts.mart_denials_unit_errors u join marts.fct_denials d on d.denial_id = u.denial_id
        where {where.sql}
        group by all order by dollars_at_stake desc""", where.params)


def unit_error_units(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Billed against expected units per line (drug lines with an administration record)."""
    where = _unit_errors_where(filters)
    return frame(con, f"""
        select coalesce(u.root_cause, 'unexplained') as root_cause, u.procedure_code, u.payer_name,
               u.role_billed_units as billed_units, u.expected_billed_units, u.billed_to_expected_ratio,
               u.dollars_at_stake
        from marts.mart_denials_unit_errors u join marts.fct_denials d on d.denial_id = u.denial_id
        where {where.sql} and u.expected_billed_units > 0 and u.role_billed_units > 0""", where.params)


# ---------------------------------------------------------------------------------- medical necessity
def medical_necessity(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = filters.line_where(with_category=False)
    return frame(con, f"""
        select m.procedure_code, m.diagnosis_label_status, m.has_note, m.has_documentation_rarc,
               count(*) as lines, sum(m.denied_amount) as denied_amount,
               sum(m.initial_denied_amount) as initial_denied_amount
        from marts.mart_denials_medical_necessity m join marts.fct_denials d on d.denial_id = m.denial_id
        where {where.sql}
        group by all order by initial_denied_amount desc""", where.params)


# ---------------------------------------------------------------------------------------- prior auth
def prior_auth(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = filters.line_where(with_category=False)
    return frame(con, f"""
        select case when a.policy_requires_auth then 'required' when not a.policy_requires_auth
                    then 'not_required' else 'no_policy' end as policy_requires_auth,
               a.auth_number_location, a.auth_issue, a.payer_name,
               count(*) as lines, sum(a.denied_amount) as denied_amount,
               sum(a.initial_denied_amount) as initial_denied_amount
        from marts.mart_denials_missing_auth a join marts.fct_denials d on d.denial_id = a.denial_id
        where {where.sql}
        group by all order by initial_denied_amount desc""", where.params)


# ------------------------------------------------------------------------------------ appeal worklist
def _appeal_where(filters: Filters, today: date, open_only: bool, weeks_left: int | None = None) -> Where:
    where = filters.line_where()
    if open_only:
        where = where.and_("w.appeal_deadline >= ?", today)
    if weeks_left is not None:
        where = where.and_(f"{WEEKS_LEFT} = ?", today, weeks_left)
    return where


# weeks left to appeal, 12 standing for "12 or more" (the chart's buckets)
WEEKS_LEFT = "least(date_diff('day', ?::date, w.appeal_deadline) // 7, 12)"


def appeal_worklist(con: duckdb.DuckDBPyConnection, filters: Filters, today: date,
                    open_only: bool = True, limit: int | None = 500,
                    weeks_left: int | None = None) -> pd.DataFrame:
    """Denials to appeal, days left counted from `today`: open windows first, then dollars, then days.

    `limit` keeps a page's table to the most urgent rows (a million-claim worklist holds hundreds of
    thousands); None reads every row, for a CSV export.
    """
    where = _appeal_where(filters, today, open_only, weeks_left)
    return frame(con, f"""
        select w.payer_name, w.procedure_code, w.product_name, w.denial_category, w.primary_group_code,
               w.primary_carc_code, carc.description as carc_description, w.primary_rarc_code,
               w.claim_control_number, w.line_control_number, w.service_date, w.denial_remit_date,
               w.appeal_deadline, date_diff('day', ?::date, w.appeal_deadline) as days_left,
               w.recoverable_amount, w.billed_amount, w.billing_provider_npi, w.responsible_team,
               {LINEAGE}
        from marts.mart_appeal_worklist w
        join marts.fct_denials d on d.denial_id = w.denial_id
        left join reference.carc_codes carc on carc.carc_code = w.primary_carc_code
        where {where.sql}
        order by w.appeal_deadline >= ?::date desc, w.recoverable_amount desc, days_left, w.worklist_rank
        {'' if limit is None else f'limit {int(limit)}'}""", [today, *where.params, today])


def appeal_totals(con: duckdb.DuckDBPyConnection, filters: Filters, today: date, open_only: bool = True,
                  due_within_days: int = 14) -> dict[str, float]:
    """Denials and recoverable dollars of the worklist, and those due within `due_within_days` of `today`."""
    where = _appeal_where(filters, today, open_only)
    row = frame(con, f"""
        with listed as (
            select w.recoverable_amount, date_diff('day', ?::date, w.appeal_deadline) as days_left
            from marts.mart_appeal_worklist w join marts.fct_denials d on d.denial_id = w.denial_id
            where {where.sql})
        select count(*) as denials, coalesce(sum(recoverable_amount), 0) as recoverable_amount,
               count(*) filter (where days_left between 0 and ?) as due_denials,
               coalesce(sum(recoverable_amount) filter (where days_left between 0 and ?), 0) as due_amount
        from listed""", [today, *where.params, due_within_days, due_within_days])
    return row.iloc[0].to_dict()


def appeal_summary(con: duckdb.DuckDBPyConnection, filters: Filters, today: date) -> pd.DataFrame:
    """Recoverable dollars by payer and weeks left (open windows only)."""
    where = filters.line_where().and_("w.appeal_deadline >= ?", today)
    return frame(con, f"""
        select w.payer_name, {WEEKS_LEFT} as weeks_left,
               count(*) as lines, sum(w.recoverable_amount) as recoverable_amount
        from marts.mart_appeal_worklist w join marts.fct_denials d on d.denial_id = w.denial_id
        where {where.sql}
        group by all order by weeks_left, payer_name""", [today, *where.params])


# ------------------------------------------------------------------------------------ pre-bill risk
def _prebill_where(filters: Filters) -> Where:
    return filters.line_where(alias="p", date_column="service_date", with_category=False,
                              drug_expression=DRUG_OF_CODE.format(a="p"))


def prebill_by_rule(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where = _prebill_where(filters)
    return frame(con, f"""
        select p.rule_name, p.rule_detail, count(*) as lines, sum(p.dollars_at_risk) as dollars_at_risk
        from marts.mart_prebill_risk p where {where.sql}
        group by all order by dollars_at_risk desc""", where.params)


def prebill_queue(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 500) -> pd.DataFrame:
    where = _prebill_where(filters)
    return frame(con, f"""
        select p.rule_name, p.rule_detail, p.dollars_at_risk, p.payer_name, p.procedure_code,
               p.procedure_modifiers, p.units_billed, p.service_date, p.claim_control_number,
               p.line_control_number, p.line_number, p.billing_provider_npi,
               p.claim_file_id, p.claim_segment_position
        from marts.mart_prebill_risk p where {where.sql}
        order by p.dollars_at_risk desc, p.prebill_risk_id
        {'' if limit is None else f'limit {int(limit)}'}""", where.params)


# ------------------------------------------------------------------------------------------ drill-down
DRILL_SOURCES = {
    # source: (from clause, what the lines are)
    "adjudicated": "marts.fct_adjudicated_lines d",
    "denials": "marts.fct_denials d",
    "unit_errors": "marts.mart_denials_unit_errors x join marts.fct_denials d on d.denial_id = x.denial_id",
    "medical_necessity": ("marts.mart_denials_medical_necessity x "
                          "join marts.fct_denials d on d.denial_id = x.denial_id"),
    "missing_auth": "marts.mart_denials_missing_auth x join marts.fct_denials d on d.denial_id = x.denial_id",
}


def claim_lines(con: duckdb.DuckDBPyConnection, filters: Filters, source: str,
                conditions: list[tuple[str, object]], limit: int = 1000) -> pd.DataFrame:
    """The claim lines behind a chart's mark, with their lineage (remit and 837 file and segment).

    `conditions` are (SQL expression over the source, value) pairs, e.g. ("d.denial_category",
    "unit_error"); a None value matches a null.
    """
    where = filters.line_where(with_category=source in ("adjudicated", "denials"))
    for expression, value in conditions:
        where = (where.and_(f"{expression} is null") if value is None
                 else where.and_(f"{expression} = ?", value))
    category = "d.denial_category" if source != "adjudicated" else "d.initial_denial_category"
    return frame(con, f"""
        select d.claim_control_number, d.line_control_number, d.payer_name, d.procedure_code,
               d.billing_provider_npi, d.service_date, d.first_remit_date, {category} as denial_category,
               d.primary_group_code, d.primary_carc_code, carc.description as carc_description,
               d.primary_rarc_code, d.final_status,
               d.billed_amount, d.paid_amount, d.initial_denied_amount, d.denied_amount, {LINEAGE}
        from {DRILL_SOURCES[source]}
        left join reference.carc_codes carc on carc.carc_code = d.primary_carc_code
        where {where.sql}
        order by d.initial_denied_amount desc nulls last, d.remit_file_id, d.remit_segment_position
        limit {int(limit)}""", where.params)
