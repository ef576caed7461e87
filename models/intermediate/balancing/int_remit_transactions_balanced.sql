-- One row per 835 transaction set (ST/SE, with its BPR), with the transaction balancing rule worked out:
-- the sum of CLP04 (claim paid) minus the sum of the PLB provider adjustments (a positive PLB reduces the
-- payment) equals BPR02, the amount actually paid (ediacademy.com/blog/835). Missing amounts count as 0;
-- the tolerance comes from the balancing_tolerances seed. Read by the dbt test
-- assert_835_transaction_balances and by the staging.balancing data-quality suite.

with

payments as (
    select
        remit_transaction_id,
        file_id,
        segment_position,
        total_paid_amount
    from {{ ref('stg_x12_835__payments') }}
),

claim_payment_totals as (
    select
        remit_transaction_id,
        sum(claim_paid_amount) as claim_paid_amount
    from {{ ref('stg_x12_835__claims') }}
    group by remit_transaction_id
),

provider_adjustment_totals as (
    select
        remit_transaction_id,
        sum(adjustment_amount) as provider_adjustment_amount
    from {{ ref('stg_x12_835__provider_adjustments') }}
    group by remit_transaction_id
),

transaction_tolerance as (
    select tolerance_amount
    from {{ ref('balancing_tolerances') }}
    where balancing_level = 'transaction'
),

transaction_amounts as (
    select
        payments.remit_transaction_id,
        payments.file_id,
        payments.segment_position,
        coalesce(claim_payment_totals.claim_paid_amount, 0) as claim_paid_amount,
        coalesce(provider_adjustment_totals.provider_adjustment_amount, 0) as provider_adjustment_amount,
        coalesce(payments.total_paid_amount, 0) as total_paid_amount
    from payments
    left join claim_payment_totals
        on payments.remit_transaction_id = claim_payment_totals.remit_transaction_id
    left join provider_adjustment_totals
        on payments.remit_transaction_id = provider_adjustment_totals.remit_transaction_id
),

transaction_differences as (
    select
        remit_transaction_id,
        file_id,
        segment_position,
        claim_paid_amount,
        provider_adjustment_amount,
        total_paid_amount,
        claim_paid_amount - provider_adjustment_amount - total_paid_amount as difference_amount
    from transaction_amounts
)

select
    transaction_differences.remit_transaction_id,
    transaction_differences.file_id,
    transaction_differences.segment_position,
    transaction_differences.claim_paid_amount,
    transaction_differences.provider_adjustment_amount,
    transaction_differences.total_paid_amount,
    transaction_differences.difference_amount,
    abs(transaction_differences.difference_amount) <= transaction_tolerance.tolerance_amount as is_balanced
from transaction_differences
left join transaction_tolerance
    on 1 = 1
