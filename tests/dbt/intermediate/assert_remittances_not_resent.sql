{{ config(severity='warn', tags=['intermediate', 'matching']) }}

-- why: a payer that re-sends an 835 (same TRN02 and BPR02 under a new envelope) would double every
-- dollar in it. The models already leave the copy out (int_remit_transactions_resent); this warns so the
-- re-send is seen, without stopping the build. Returns one row per re-sent transaction (ids only).
with

resent_transactions as (
    select
        remit_transaction_id,
        first_sent_remit_transaction_id
    from {{ ref('int_remit_transactions_resent') }}
    where is_resent
)

select * from resent_transactions
