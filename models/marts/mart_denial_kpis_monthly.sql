-- One row per month of first adjudication x payer x drug (HCPCS of a drug_reference code, or non_drug for
-- every other line): the line-level denial KPIs. Counts and sums are kept next to each rate so a
-- dashboard or notebook re-aggregating months, payers or drugs divides the summed numerator by the summed
-- denominator, exactly as the formula in _marts__models.yml (meta.formula) says, never averaging rates.

with

lines as (
    select
        adjudicated_line_id,
        first_remit_date,
        payer_id,
        payer_name,
        payer_type,
        is_drug_line,
        procedure_code,
        product_name,
        billed_amount,
        paid_amount,
        initial_denied_amount,
        denied_amount,
        is_initially_denied,
        is_initial_zero_pay_denial,
        is_initial_partial_pay_denial,
        is_first_pass_paid,
        is_initial_denial_avoidable,
        is_overturned,
        days_service_to_payment,
        days_received_to_payment
    from {{ ref('fct_adjudicated_lines') }}
),

lines_grouped as (
    select
        cast({{ dbt.date_trunc('month', 'first_remit_date') }} as date) as kpi_month,
        payer_id,
        payer_name,
        payer_type,
        case when is_drug_line then procedure_code else 'non_drug' end as drug_code,
        case when is_drug_line then product_name else 'Non-drug services' end as product_name,
        billed_amount,
        paid_amount,
        initial_denied_amount,
        denied_amount,
        is_initially_denied,
        is_initial_zero_pay_denial,
        is_initial_partial_pay_denial,
        is_first_pass_paid,
        is_initial_denial_avoidable,
        is_overturned,
        days_service_to_payment,
        days_received_to_payment
    from lines
),

aggregated as (
    select
        kpi_month,
        payer_id,
        max(payer_name) as payer_name,
        max(payer_type) as payer_type,
        drug_code,
        max(product_name) as product_name,
        ---------- volumes
        count(*) as adjudicated_lines,
        sum(billed_amount) as billed_amount,
        sum(paid_amount) as paid_amount,
        ---------- first adjudication
        sum(case when is_initially_denied then 1 else 0 end) as initially_denied_lines,
        sum(case when is_initially_denied then billed_amount else 0 end) as initially_denied_billed_amount,
        sum(initial_denied_amount) as initial_denied_amount,
        sum(case when is_initial_zero_pay_denial then 1 else 0 end) as zero_pay_denied_lines,
        sum(case when is_initial_partial_pay_denial then 1 else 0 end) as partial_pay_denied_lines,
        sum(case when is_first_pass_paid then 1 else 0 end) as first_pass_paid_lines,
        sum(case when is_initial_denial_avoidable then 1 else 0 end) as avoidable_denied_lines,
        sum(case when is_initial_denial_avoidable then initial_denied_amount else 0 end) as avoidable_denied_amount,
        ---------- after the reversal chains
        sum(case when is_overturned then 1 else 0 end) as overturned_lines,
        sum(case when is_overturned then initial_denied_amount - denied_amount else 0 end) as overturned_amount,
        sum(denied_amount) as final_denied_amount,
        ---------- days to payment
        sum(case when days_service_to_payment is not null then 1 else 0 end) as paid_lines_with_service_date,
        sum(days_service_to_payment) as days_service_to_payment_total,
        sum(case when days_received_to_payment is not null then 1 else 0 end) as paid_lines_with_received_date,
        sum(days_received_to_payment) as days_received_to_payment_total
    from lines_grouped
    group by
        kpi_month,
        payer_id,
        drug_code
),

final as (
    select
        ---------- grain
        kpi_month,
        cast(payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(payer_type as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(drug_code as {{ api.Column.translate_type('string') }}) as drug_code,
        cast(product_name as {{ api.Column.translate_type('string') }}) as product_name,

        ---------- numerators and denominators
        cast(adjudicated_lines as integer) as adjudicated_lines,
        cast(billed_amount as decimal(18, 2)) as billed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(initially_denied_lines as integer) as initially_denied_lines,
        cast(initially_denied_billed_amount as decimal(18, 2)) as initially_denied_billed_amount,
        cast(initial_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(zero_pay_denied_lines as integer) as zero_pay_denied_lines,
        cast(partial_pay_denied_lines as integer) as partial_pay_denied_lines,
        cast(first_pass_paid_lines as integer) as first_pass_paid_lines,
        cast(avoidable_denied_lines as integer) as avoidable_denied_lines,
        cast(avoidable_denied_amount as decimal(18, 2)) as avoidable_denied_amount,
        cast(overturned_lines as integer) as overturned_lines,
        cast(overturned_amount as decimal(18, 2)) as overturned_amount,
        cast(final_denied_amount as decimal(18, 2)) as final_denied_amount,
        cast(paid_lines_with_service_date as integer) as paid_lines_with_service_date,
        cast(coalesce(days_service_to_payment_total, 0) as bigint) as days_service_to_payment_total,
        cast(paid_lines_with_received_date as integer) as paid_lines_with_received_date,
        cast(coalesce(days_received_to_payment_total, 0) as bigint) as days_received_to_payment_total,

        ---------- KPIs (formulas in _marts__models.yml)
        {{ marts_ratio('initially_denied_lines', 'adjudicated_lines') }} as initial_denial_rate,
        {{ marts_ratio('initially_denied_billed_amount', 'billed_amount') }} as initial_denial_rate_dollars,
        {{ marts_ratio('zero_pay_denied_lines', 'adjudicated_lines') }} as zero_pay_denial_rate,
        {{ marts_ratio('partial_pay_denied_lines', 'adjudicated_lines') }} as partial_pay_denial_rate,
        {{ marts_ratio('first_pass_paid_lines', 'adjudicated_lines') }} as first_pass_yield,
        {{ marts_ratio('overturned_lines', 'initially_denied_lines') }} as denial_overturn_rate,
        {{ marts_ratio('avoidable_denied_lines', 'initially_denied_lines') }} as avoidable_denial_share,
        {{ marts_ratio('avoidable_denied_amount', 'initial_denied_amount') }} as avoidable_denial_share_dollars,
        cast({{ marts_ratio('days_service_to_payment_total', 'paid_lines_with_service_date') }} as decimal(18, 2))
            as avg_days_service_to_payment,
        cast({{ marts_ratio('days_received_to_payment_total', 'paid_lines_with_received_date') }} as decimal(18, 2))
            as avg_days_received_to_payment
    from aggregated
)

select * from final
