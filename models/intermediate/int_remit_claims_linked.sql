{{
    config(
        materialized='table'
    )
}}

-- One row per remitted claim (835 CLP) with the version it follows in its claim key's sequence (its
-- parent) and, for a reversal, the version it reverses: the second step of int_remit_claim_versions.
--   - a reversal (CLP02 = 22) follows the version it reverses: the latest earlier non-reversal with the
--     same CLP07, else with the same absolute charge, else the latest earlier non-reversal;
--   - a correction follows the reversal that comes just before it (TR3 1.10.2.8: reversal, then the
--     corrected claim "as if it were the original", often under a new CLP07);
--   - any other version follows the latest earlier version with the same CLP07 (null CLP07 counts as one
--     value, the payer + CLP01 fallback); without one it starts a chain of its own.
-- Table: the rooting and versioning steps both read it.

with

remit_claims as (
    select
        remit_claim_id,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        is_reversal,
        claim_charge_amount
    from {{ ref('int_remit_claims_sequenced') }}
),

---------- what comes before each remit in its claim key's sequence
remit_claims_neighbours as (
    select
        remit_claim_id,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        is_reversal,
        lag(remit_claim_id) over (partition by claim_key order by claim_key_sequence)
            as previous_remit_claim_id,
        coalesce(lag(is_reversal) over (partition by claim_key order by claim_key_sequence), false)
            as is_previous_reversal,
        lag(remit_claim_id) over (
            partition by claim_key, payer_claim_control_key
            order by claim_key_sequence
        ) as previous_same_control_remit_claim_id,
        max(case when not is_reversal then claim_key_sequence end) over (
            partition by claim_key, payer_claim_control_key
            order by claim_key_sequence
            rows between unbounded preceding and 1 preceding
        ) as reversal_target_sequence_same_control,
        max(case when not is_reversal then claim_key_sequence end) over (
            partition by claim_key, abs(claim_charge_amount)
            order by claim_key_sequence
            rows between unbounded preceding and 1 preceding
        ) as reversal_target_sequence_same_charge,
        max(case when not is_reversal then claim_key_sequence end) over (
            partition by claim_key
            order by claim_key_sequence
            rows between unbounded preceding and 1 preceding
        ) as reversal_target_sequence_any
    from remit_claims
),

reversal_targets as (
    select
        reversals.remit_claim_id,
        targets.remit_claim_id as reversed_remit_claim_id
    from remit_claims_neighbours as reversals
    inner join remit_claims_neighbours as targets
        on
            reversals.claim_key = targets.claim_key
            and targets.claim_key_sequence = coalesce(
                reversals.reversal_target_sequence_same_control,
                reversals.reversal_target_sequence_same_charge,
                reversals.reversal_target_sequence_any
            )
    where reversals.is_reversal
),

final as (
    select
        remit_claims_neighbours.remit_claim_id,
        remit_claims_neighbours.claim_key,
        remit_claims_neighbours.payer_claim_control_key,
        remit_claims_neighbours.claim_key_sequence,
        remit_claims_neighbours.is_reversal,
        remit_claims_neighbours.previous_same_control_remit_claim_id,
        reversal_targets.reversed_remit_claim_id,
        case
            when remit_claims_neighbours.is_reversal
                then coalesce(
                    reversal_targets.reversed_remit_claim_id,
                    remit_claims_neighbours.previous_same_control_remit_claim_id
                )
            when remit_claims_neighbours.is_previous_reversal then remit_claims_neighbours.previous_remit_claim_id
            else remit_claims_neighbours.previous_same_control_remit_claim_id
        end as parent_remit_claim_id
    from remit_claims_neighbours
    left join reversal_targets
        on remit_claims_neighbours.remit_claim_id = reversal_targets.remit_claim_id
)

select * from final
