-- A denial still open after its reversal chain has denied dollars left, and an overturned one has none.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their denials
-- (tested_rows_only, macros/incremental.sql).
with

denials as (
    select
        denial_id,
        final_status,
        is_overturned,
        initial_denied_amount,
        denied_amount
    from {{ ref('fct_denials') }}
    {{ tested_rows_only('claim_control_number') }}
)

select
    denial_id,
    final_status,
    denied_amount
from denials
where
    (final_status in ('denied', 'partially_denied', 'partially_overturned') and denied_amount <= 0)
    or (final_status = 'overturned' and denied_amount != 0)
    or (is_overturned and initial_denied_amount <= denied_amount)
