{{ config(severity='warn', tags=['x12_835_balancing']) }}

-- why: a compliant 835 balances the transaction (sum of CLP04 - PLB = BPR02); the rule and its tolerance
-- are int_remit_transactions_balanced's. Real payers' files break it, so this warns; a failure on generated
-- data is a generator or staging bug. Returns one row per unbalanced transaction.
select
    remit_transaction_id,
    file_id,
    segment_position,
    claim_paid_amount,
    provider_adjustment_amount,
    total_paid_amount,
    difference_amount
from {{ ref('int_remit_transactions_balanced') }}
where not is_balanced
