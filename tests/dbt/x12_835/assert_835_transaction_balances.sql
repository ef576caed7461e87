{{ config(severity='warn', tags=['x12_835_balancing']) }}

-- why: a compliant 835 balances the transaction: the sum of CLP04 (claim paid) minus the sum of the
-- PLB provider adjustments (positive reduces the payment) equals BPR02, the amount actually paid
-- (ediacademy.com/blog/835; DOMAIN.md section 1). Real payers' files break it, so this warns;
-- a failure on generated data is a generator or staging bug.
-- Returns one row per unbalanced transaction; missing amounts count as 0; tolerance 0.005.
with

payments as (
    select
        remit_transaction_id,
        file_id,
        segment_position,
        total_paid_amount
    from {{ ref('stg_x12_835__payments') }}
),

claims as (
    select
        remit_transaction_id,
        claim_paid_amount
    from {{ ref('stg_x12_835__claims') }}
),

provider_adjustments as (
    select
        remit_transaction_id,
        adjustment_amount
    from {{ ref('stg_x12_835__provider_adjustments') }}
),

claim_payment_totals as (
    select
        remit_transaction_id,
        sum(claim_paid_amount) as claim_paid_amount
    from claims
    group by remit_transaction_id
),

provider_adjustment_totals as (
    select
        remit_transaction_id,
        sum(adjustment_amount) as provider_adjustment_amount
    from provider_adjustments
    group by remit_transaction_id
),

transaction_balances as (
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

unbalanced_transactions as (
    select
        remit_transaction_id,
        file_id,
        segment_position,
        claim_paid_amount,
        provider_adjustment_amount,
        total_paid_amount,
        claim_paid_amount - provider_adjustment_amount - total_paid_amount as difference_amount
    from transaction_balances
    where abs(claim_paid_amount - provider_adjustment_amount - total_paid_amount) > 0.005
)

select * from unbalanced_transactions
