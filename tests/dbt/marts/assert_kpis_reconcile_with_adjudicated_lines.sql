-- The KPI mart re-aggregates fct_adjudicated_lines without losing or double counting a line or a dollar.
with

kpis as (
    select
        sum(adjudicated_lines) as adjudicated_lines,
        sum(initially_denied_lines) as initially_denied_lines,
        sum(overturned_lines) as overturned_lines,
        sum(billed_amount) as billed_amount,
        sum(initial_denied_amount) as initial_denied_amount,
        sum(final_denied_amount) as final_denied_amount
    from {{ ref('mart_denial_kpis_monthly') }}
),

lines as (
    select
        count(*) as adjudicated_lines,
        sum(case when is_initially_denied then 1 else 0 end) as initially_denied_lines,
        sum(case when is_overturned then 1 else 0 end) as overturned_lines,
        sum(billed_amount) as billed_amount,
        sum(initial_denied_amount) as initial_denied_amount,
        sum(denied_amount) as final_denied_amount
    from {{ ref('fct_adjudicated_lines') }}
)

select
    kpis.adjudicated_lines as kpi_lines,
    lines.adjudicated_lines as fact_lines
from kpis
cross join lines
where
    coalesce(kpis.adjudicated_lines, 0) != lines.adjudicated_lines
    or coalesce(kpis.initially_denied_lines, 0) != coalesce(lines.initially_denied_lines, 0)
    or coalesce(kpis.overturned_lines, 0) != coalesce(lines.overturned_lines, 0)
    or abs(coalesce(kpis.billed_amount, 0) - coalesce(lines.billed_amount, 0)) > 0.005
    or abs(coalesce(kpis.initial_denied_amount, 0) - coalesce(lines.initial_denied_amount, 0)) > 0.005
    or abs(coalesce(kpis.final_denied_amount, 0) - coalesce(lines.final_denied_amount, 0)) > 0.005
