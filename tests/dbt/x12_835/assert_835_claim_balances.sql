{{ config(severity='warn', tags=['x12_835_balancing']) }}

-- why: a compliant 835 balances every claim: CLP03 (charge) minus the sum of all its CAS amounts,
-- claim level and line level together, equals CLP04 (paid) (X12 RFI 2601: "monetary adjustments at
-- the claim/line level"). Reversals (CLP02 = 22) negate every amount and still balance. Real payers'
-- files break it, so this warns; a failure on generated data is a generator or staging bug.
-- Returns one row per unbalanced claim; missing amounts count as 0; tolerance 0.005.
with

claims as (
    select
        remit_claim_id,
        file_id,
        segment_position,
        claim_charge_amount,
        claim_paid_amount
    from {{ ref('stg_x12_835__claims') }}
),

claim_adjustments as (
    select
        remit_claim_id,
        sum(adjustment_amount) as claim_adjustment_amount
    from {{ ref('stg_x12_835__adjustments') }}
    group by remit_claim_id
),

claim_balances as (
    select
        claims.remit_claim_id,
        claims.file_id,
        claims.segment_position,
        coalesce(claims.claim_charge_amount, 0) as claim_charge_amount,
        coalesce(claim_adjustments.claim_adjustment_amount, 0) as claim_adjustment_amount,
        coalesce(claims.claim_paid_amount, 0) as claim_paid_amount
    from claims
    left join claim_adjustments
        on claims.remit_claim_id = claim_adjustments.remit_claim_id
),

unbalanced_claims as (
    select
        remit_claim_id,
        file_id,
        segment_position,
        claim_charge_amount,
        claim_adjustment_amount,
        claim_paid_amount,
        claim_charge_amount - claim_adjustment_amount - claim_paid_amount as difference_amount
    from claim_balances
    where abs(claim_charge_amount - claim_adjustment_amount - claim_paid_amount) > 0.005
)

select * from unbalanced_claims
