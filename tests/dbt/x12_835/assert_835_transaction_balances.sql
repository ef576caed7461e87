{{ config(severity='warn', tags=['x12_835_balancing']) }}
-- depends_on: {{ ref('int_build_scope') }}

-- why: a compliant 835 balances the transaction (sum of CLP04 - PLB = BPR02); the rule and its tolerance
-- are int_remit_transactions_balanced's. Real payers' files break it, so this warns; a failure on generated
-- data is a generator or staging bug. Returns one row per unbalanced transaction.
-- A daily build reads its new files only (tested_files_only, macros/incremental.sql): a transaction's BPR,
-- claims and PLBs are in its own file (remit_transaction_id starts with the file id). An older file's row
-- changes only with the tolerance seed or the model's code, and then int_build_scope says a global input
-- changed and every row is read; the test depends on int_build_scope to read this build's.
select
    remit_transaction_id,
    file_id,
    segment_position,
    claim_paid_amount,
    provider_adjustment_amount,
    total_paid_amount,
    difference_amount
from {{ ref('int_remit_transactions_balanced') }}
where not is_balanced {{ tested_files_only('file_id', 'and', unless_rebuilt_in_full=true) }}
