-- Question: is each payer's initial denial rate rising or falling, and which denial category drives the
-- change? Per payer and month of first adjudication: the line-level initial denial rate (by count and by
-- dollars, formulas of _marts__metrics.yml), its change against the previous month and against the
-- payer's trailing three-month rate (the HFMA initial-denial denominator is the average of the three
-- months before the reporting month), and the category that denied the most dollars that month.

with

monthly as (
    select
        kpi_month,
        payer_id,
        sum(adjudicated_lines) as adjudicated_lines,
        sum(initially_denied_lines) as initially_denied_lines,
        sum(billed_amount) as billed_amount,
        sum(initially_denied_billed_amount) as initially_denied_billed_amount
    from {{ ref('mart_denial_kpis_monthly') }}
    where kpi_month is not null
    group by
        kpi_month,
        payer_id
),

rates as (
    select
        kpi_month,
        payer_id,
        adjudicated_lines,
        initially_denied_lines,
        cast(initially_denied_lines as decimal(18, 6)) / nullif(adjudicated_lines, 0) as initial_denial_rate,
        cast(initially_denied_billed_amount as decimal(18, 6)) / nullif(billed_amount, 0)
            as initial_denial_rate_dollars,
        cast(
            sum(initially_denied_lines) over (
                partition by payer_id order by kpi_month rows between 3 preceding and 1 preceding
            ) as decimal(18, 6)
        )
        / nullif(
            sum(adjudicated_lines) over (
                partition by payer_id order by kpi_month rows between 3 preceding and 1 preceding
            ),
            0
        ) as trailing_3_month_rate
    from monthly
),

category_dollars as (
    select
        cast({{ dbt.date_trunc('month', 'first_remit_date') }} as date) as kpi_month,
        payer_id,
        initial_denial_category,
        sum(initial_denied_amount) as initial_denied_amount
    from {{ ref('fct_adjudicated_lines') }}
    where is_initially_denied
    group by
        cast({{ dbt.date_trunc('month', 'first_remit_date') }} as date),
        payer_id,
        initial_denial_category
),

top_categories as (
    select
        kpi_month,
        payer_id,
        initial_denial_category,
        initial_denied_amount,
        row_number() over (
            partition by kpi_month, payer_id
            order by initial_denied_amount desc, initial_denial_category asc
        ) as category_rank
    from category_dollars
)

select
    rates.payer_id,
    rates.kpi_month,
    rates.adjudicated_lines,
    rates.initially_denied_lines,
    rates.initial_denial_rate,
    rates.initial_denial_rate_dollars,
    rates.initial_denial_rate
    - lag(rates.initial_denial_rate) over (partition by rates.payer_id order by rates.kpi_month)
        as change_vs_previous_month,
    rates.trailing_3_month_rate,
    rates.initial_denial_rate - rates.trailing_3_month_rate as change_vs_trailing_3_months,
    top_categories.initial_denial_category as top_category,
    top_categories.initial_denied_amount as top_category_denied_amount
from rates
left join top_categories
    on
        rates.kpi_month = top_categories.kpi_month
        and rates.payer_id = top_categories.payer_id
        and top_categories.category_rank = 1
order by
    rates.payer_id,
    rates.kpi_month
