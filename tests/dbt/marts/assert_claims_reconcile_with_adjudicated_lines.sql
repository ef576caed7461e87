-- why: fct_claims adds up its lines; a claim fact that drops, duplicates or double counts a line would
-- report dollars the line fact does not. Paid and denied dollars and the count of remitted lines of
-- fct_claims equal those of fct_adjudicated_lines, and its billed dollars equal the adjudicated lines'
-- plus the charges of the 837 lines no remit adjudicated (fct_claim_lines' not_remitted lines; within the
-- service-line tolerance of the balancing_tolerances seed). Returns one row per measure that differs
-- (totals only, no ids).
with

tolerance as (
    select tolerance_amount
    from {{ ref('balancing_tolerances') }}
    where balancing_level = 'service_line'
),

claim_totals as (
    select
        sum(billed_amount) as billed_amount,
        sum(paid_amount) as paid_amount,
        sum(denied_amount) as denied_amount,
        sum(remitted_line_count) as remitted_line_count
    from {{ ref('fct_claims') }}
),

adjudicated_totals as (
    select
        sum(billed_amount) as billed_amount,
        sum(paid_amount) as paid_amount,
        sum(denied_amount) as denied_amount,
        count(*) as remitted_line_count
    from {{ ref('fct_adjudicated_lines') }}
),

-- marts only: a test reading a staging model would be picked by staging-only selections too
unremitted_totals as (
    select coalesce(sum(billed_amount), 0) as billed_amount
    from {{ ref('fct_claim_lines') }}
    where line_status = 'not_remitted'
),

measures as (
    select
        'billed_amount' as measure,
        claim_totals.billed_amount as claim_amount,
        adjudicated_totals.billed_amount + unremitted_totals.billed_amount as line_amount
    from claim_totals
    cross join adjudicated_totals
    cross join unremitted_totals
    union all
    select
        'paid_amount' as measure,
        claim_totals.paid_amount as claim_amount,
        adjudicated_totals.paid_amount as line_amount
    from claim_totals
    cross join adjudicated_totals
    union all
    select
        'denied_amount' as measure,
        claim_totals.denied_amount as claim_amount,
        adjudicated_totals.denied_amount as line_amount
    from claim_totals
    cross join adjudicated_totals
    union all
    select
        'remitted_line_count' as measure,
        claim_totals.remitted_line_count as claim_amount,
        adjudicated_totals.remitted_line_count as line_amount
    from claim_totals
    cross join adjudicated_totals
)

select
    measures.measure,
    measures.claim_amount,
    measures.line_amount
from measures
cross join tolerance
where abs(coalesce(measures.claim_amount, 0) - coalesce(measures.line_amount, 0)) > tolerance.tolerance_amount
