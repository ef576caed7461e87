{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per 835 claim (CLP, loop 2100), with the claim balancing rule worked out: CLP03 (charge) minus
-- the sum of all its CAS amounts, claim level and line level together, equals CLP04 (paid) (X12 RFI 2601:
-- "monetary adjustments at the claim/line level"). Reversals (CLP02 = 22) negate every amount and still
-- balance. Missing amounts count as 0; the tolerance comes from the balancing_tolerances seed. Read by the
-- dbt test assert_835_claim_balances and by the staging.balancing data-quality suite. Partitioned by
-- remit_claim_id (kind remit_claim_id): a claim's CLP and CAS are its own.

with

claims as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        claim_charge_amount,
        claim_paid_amount
    from {{ ref('stg_x12_835__claims') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

claim_adjustment_totals as (
    select
        remit_claim_id,
        sum(adjustment_amount) as claim_adjustment_amount
    from {{ ref('stg_x12_835__adjustments') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
    group by remit_claim_id
),

claim_tolerance as (
    select tolerance_amount
    from {{ ref('balancing_tolerances') }}
    where balancing_level = 'claim'
),

claim_amounts as (
    select
        claims.remit_claim_id,
        claims.remit_transaction_id,
        claims.file_id,
        claims.segment_position,
        coalesce(claims.claim_charge_amount, 0) as claim_charge_amount,
        coalesce(claim_adjustment_totals.claim_adjustment_amount, 0) as claim_adjustment_amount,
        coalesce(claims.claim_paid_amount, 0) as claim_paid_amount
    from claims
    left join claim_adjustment_totals
        on claims.remit_claim_id = claim_adjustment_totals.remit_claim_id
),

claim_differences as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        claim_charge_amount,
        claim_adjustment_amount,
        claim_paid_amount,
        claim_charge_amount - claim_adjustment_amount - claim_paid_amount as difference_amount
    from claim_amounts
)

select
    claim_differences.remit_claim_id,
    claim_differences.remit_transaction_id,
    claim_differences.file_id,
    claim_differences.segment_position,
    claim_differences.claim_charge_amount,
    claim_differences.claim_adjustment_amount,
    claim_differences.claim_paid_amount,
    claim_differences.difference_amount,
    abs(claim_differences.difference_amount) <= claim_tolerance.tolerance_amount as is_balanced
from claim_differences
left join claim_tolerance
    on 1 = 1
