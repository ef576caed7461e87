{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per 835 service line (SVC, loop 2110), with the line balancing rule worked out:
-- SVC02 (charge) minus the sum of the line's CAS amounts equals SVC03 (paid) (X12 RFI 2348, 2601).
-- Missing amounts count as 0. The tolerance comes from the balancing_tolerances seed; a line whose
-- difference is within it is balanced. Read by the dbt test assert_835_service_line_balances and by the
-- staging.balancing data-quality suite. A line's SVC and CAS are of one remit claim: partitioned by
-- remit_claim_id (kind remit_claim_id).

with

service_lines as (
    select
        remit_line_id,
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        line_charge_amount,
        line_paid_amount
    from {{ ref('stg_x12_835__service_lines') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

line_adjustment_totals as (
    select
        remit_line_id,
        sum(adjustment_amount) as line_adjustment_amount
    from {{ ref('stg_x12_835__adjustments') }}
    where adjustment_level = 'line' {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
    group by remit_line_id
),

line_tolerance as (
    select tolerance_amount
    from {{ ref('balancing_tolerances') }}
    where balancing_level = 'service_line'
),

line_amounts as (
    select
        service_lines.remit_line_id,
        service_lines.remit_claim_id,
        service_lines.remit_transaction_id,
        service_lines.file_id,
        service_lines.segment_position,
        coalesce(service_lines.line_charge_amount, 0) as line_charge_amount,
        coalesce(line_adjustment_totals.line_adjustment_amount, 0) as line_adjustment_amount,
        coalesce(service_lines.line_paid_amount, 0) as line_paid_amount
    from service_lines
    left join line_adjustment_totals
        on service_lines.remit_line_id = line_adjustment_totals.remit_line_id
),

line_differences as (
    select
        remit_line_id,
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        line_charge_amount,
        line_adjustment_amount,
        line_paid_amount,
        line_charge_amount - line_adjustment_amount - line_paid_amount as difference_amount
    from line_amounts
)

select
    line_differences.remit_line_id,
    line_differences.remit_claim_id,
    line_differences.remit_transaction_id,
    line_differences.file_id,
    line_differences.segment_position,
    line_differences.line_charge_amount,
    line_differences.line_adjustment_amount,
    line_differences.line_paid_amount,
    line_differences.difference_amount,
    abs(line_differences.difference_amount) <= line_tolerance.tolerance_amount as is_balanced
from line_differences
left join line_tolerance
    on 1 = 1
