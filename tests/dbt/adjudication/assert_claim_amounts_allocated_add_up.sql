-- Allocation loses no cent: the line shares of every claim-level CAS add up to the CAS amount, and the line
-- shares of a claim paid amount add up to CLP04.
-- A build that rebuilt only some PCNs reads their remit claims on every side (tested_rows_only,
-- macros/incremental.sql): each total is of one remit claim, whose rows all carry its CLP01.
with

allocation_totals as (
    select
        remit_claim_id,
        remit_adjustment_id,
        sum(allocated_amount) as allocated_amount
    from {{ ref('int_claim_amounts_allocated') }}
    {{ tested_rows_only('remit_claim_id', 'remit_claim_id') }}
    group by
        remit_claim_id,
        remit_adjustment_id
),

claim_amounts as (
    select
        remit_claim_id,
        remit_adjustment_id,
        adjustment_amount as claim_amount
    from {{ ref('int_adjustments_classified') }}
    where adjustment_level = 'claim' {{ tested_rows_only('remit_claim_id', 'remit_claim_id', 'and') }}
    union all
    select
        remit_claim_id,
        cast(null as {{ x12_key_type() }}) as remit_adjustment_id,
        claim_paid_amount as claim_amount
    from {{ ref('int_remit_claim_versions') }}
    {{ tested_rows_only('patient_control_number') }}
)

select
    allocation_totals.remit_claim_id,
    allocation_totals.remit_adjustment_id,
    allocation_totals.allocated_amount,
    claim_amounts.claim_amount
from allocation_totals
left join claim_amounts
    on
        allocation_totals.remit_claim_id = claim_amounts.remit_claim_id
        and coalesce(allocation_totals.remit_adjustment_id, 0) = coalesce(claim_amounts.remit_adjustment_id, 0)
where
    claim_amounts.remit_claim_id is null
    or allocation_totals.allocated_amount != claim_amounts.claim_amount
