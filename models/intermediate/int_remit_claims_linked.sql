{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per remitted claim (835 CLP) with the version it follows in its claim key's sequence (its
-- parent) and, for a reversal, the version it reverses: the second step of int_remit_claim_versions.
--   - a reversal (CLP02 = 22) follows the version it reverses: the latest earlier non-reversal with the
--     same CLP07, else with the same absolute charge, else the latest earlier non-reversal;
--   - a correction follows the reversal that comes just before it (TR3 1.10.2.8: reversal, then the
--     corrected claim "as if it were the original", often under a new CLP07);
--   - any other version follows the latest earlier version with the same CLP07 (null CLP07 counts as one
--     value, the payer + CLP01 fallback): a resend, or a reprocessing without reversal under the same CLP07;
--   - a version under a CLP07 not seen before, with no reversal before it, is a reprocessing without reversal
--     under a new CLP07 when exactly one submitted 837 claim (CLM01 = CLP01, resolved payer keys not
--     conflicting) can be its claim: it follows the latest earlier version of its claim key. When several
--     submitted claims share the CLP01 (a duplicate claim, COB), when none does (nothing tells a reprocessing
--     from another claim) or when nothing came before, it starts a chain.
-- The rooting and versioning steps both read it. A claim key and the 837 claims its remits could belong to
-- share CLP01 = CLM01: partitioned by remit_claim_id (kind remit_claim_id). Payer identity is global.

with

remit_claims as {{ read_in_place() }} (
    select
        remit_claim_id,
        remit_transaction_id,
        patient_control_number,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        is_reversal,
        claim_charge_amount
    from {{ ref('int_remit_claims_sequenced') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

remit_payer_keys as (
    select
        remit_transaction_id,
        payer_key
    from {{ ref('int_remit_transactions_payer_resolved') }}
),

submitted_claims as (
    select
        claim_control_number,
        payer_key
    from {{ ref('int_claims_payer_resolved') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

---------- how many submitted claims each remit could belong to (CLM01 = CLP01, payer keys not conflicting)
remit_claim_candidates as (
    select
        remit_claims.remit_claim_id,
        count(submitted_claims.claim_control_number) as submitted_claim_count
    from remit_claims
    left join remit_payer_keys
        on remit_claims.remit_transaction_id = remit_payer_keys.remit_transaction_id
    left join submitted_claims
        on
            remit_claims.patient_control_number = submitted_claims.claim_control_number
            and (
                remit_payer_keys.payer_key is null
                or submitted_claims.payer_key is null
                or remit_payer_keys.payer_key = submitted_claims.payer_key
            )
    group by remit_claims.remit_claim_id
),

remit_claims_counted as (
    select
        remit_claims.remit_claim_id,
        remit_claims.claim_key,
        remit_claims.payer_claim_control_key,
        remit_claims.claim_key_sequence,
        remit_claims.is_reversal,
        remit_claims.claim_charge_amount,
        remit_claim_candidates.submitted_claim_count
    from remit_claims
    inner join remit_claim_candidates
        on remit_claims.remit_claim_id = remit_claim_candidates.remit_claim_id
),

---------- what comes before each remit in its claim key's sequence
remit_claims_neighbours as (
    select
        remit_claim_id,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        is_reversal,
        submitted_claim_count,
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
    from remit_claims_counted
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
            when remit_claims_neighbours.previous_same_control_remit_claim_id is not null
                then remit_claims_neighbours.previous_same_control_remit_claim_id
            -- a new CLP07 without a reversal: reprocessed, when exactly one submitted claim can be its claim
            when remit_claims_neighbours.submitted_claim_count = 1 then remit_claims_neighbours.previous_remit_claim_id
        end as parent_remit_claim_id
    from remit_claims_neighbours
    left join reversal_targets
        on remit_claims_neighbours.remit_claim_id = reversal_targets.remit_claim_id
)

select * from final
