{{ config(severity='warn', tags=['x12_835_balancing']) }}

-- why: a compliant 835 balances every claim (CLP03 - claim and line CAS = CLP04); the rule and its
-- tolerance are int_remit_claims_balanced's. Real payers' files break it, so this warns; a failure on
-- generated data is a generator or staging bug. Returns one row per unbalanced claim.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their remit claims
-- (tested_rows_only, macros/incremental.sql).
select
    remit_claim_id,
    file_id,
    segment_position,
    claim_charge_amount,
    claim_adjustment_amount,
    claim_paid_amount,
    difference_amount
from {{ ref('int_remit_claims_balanced') }}
where not is_balanced {{ tested_rows_only('remit_claim_id', 'remit_claim_id', 'and') }}
