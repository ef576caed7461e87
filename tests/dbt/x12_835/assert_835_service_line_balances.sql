{{ config(severity='warn', tags=['x12_835_balancing']) }}

-- why: a compliant 835 balances every service line: SVC02 (charge) minus the sum of the line's CAS
-- amounts equals SVC03 (paid) (X12 RFI 2348, 2601). Real payers' files break it (rounding, dropped
-- CAS), so this warns; a failure on generated data is a generator or staging bug.
-- Returns one row per unbalanced line; missing amounts count as 0; tolerance 0.005.
with

service_lines as (
    select
        remit_line_id,
        file_id,
        segment_position,
        line_charge_amount,
        line_paid_amount
    from {{ ref('stg_x12_835__service_lines') }}
),

line_adjustments as (
    select
        remit_line_id,
        sum(adjustment_amount) as line_adjustment_amount
    from {{ ref('stg_x12_835__adjustments') }}
    where adjustment_level = 'line'
    group by remit_line_id
),

line_balances as (
    select
        service_lines.remit_line_id,
        service_lines.file_id,
        service_lines.segment_position,
        coalesce(service_lines.line_charge_amount, 0) as line_charge_amount,
        coalesce(line_adjustments.line_adjustment_amount, 0) as line_adjustment_amount,
        coalesce(service_lines.line_paid_amount, 0) as line_paid_amount
    from service_lines
    left join line_adjustments
        on service_lines.remit_line_id = line_adjustments.remit_line_id
),

unbalanced_lines as (
    select
        remit_line_id,
        file_id,
        segment_position,
        line_charge_amount,
        line_adjustment_amount,
        line_paid_amount,
        line_charge_amount - line_adjustment_amount - line_paid_amount as difference_amount
    from line_balances
    where abs(line_charge_amount - line_adjustment_amount - line_paid_amount) > 0.005
)

select * from unbalanced_lines
