-- A denial still open after its reversal chain has denied dollars left, and an overturned one has none.
select
    denial_id,
    final_status,
    denied_amount
from {{ ref('fct_denials') }}
where
    (final_status in ('denied', 'partially_denied', 'partially_overturned') and denied_amount <= 0)
    or (final_status = 'overturned' and denied_amount != 0)
    or (is_overturned and initial_denied_amount <= denied_amount)
