{{ config(severity='warn', tags=['x12_835_balancing']) }}

-- why: a compliant 835 balances every service line (SVC02 - line CAS = SVC03); the rule and its tolerance
-- are int_remit_lines_balanced's. Real payers' files break it, so this warns; a failure on generated data is
-- a generator or staging bug. Returns one row per unbalanced line.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their remit claims
-- (tested_rows_only, macros/incremental.sql).
select
    remit_line_id,
    file_id,
    segment_position,
    line_charge_amount,
    line_adjustment_amount,
    line_paid_amount,
    difference_amount
from {{ ref('int_remit_lines_balanced') }}
where not is_balanced {{ tested_rows_only('remit_claim_id', 'remit_claim_id', 'and') }}
