{{ config(**partitioned_by('patient_control_number')) }}

-- One row per remit chain that int_remit_chains_paired left unpaired and whose CLP01 equals the CLM01 of
-- at least one 837 claim also left unpaired. Such a chain is paired only when the evidence is unique:
-- exactly one open chain and one open claim share the patient control number and their resolved payer
-- keys do not conflict (equal, or either unresolved). match_method says on what:
-- patient_control_number_and_charge_any_payer (CLP03 = CLM02 as well) or patient_control_number_any_payer.
-- Otherwise match_method is 'ambiguous', claim_id is null and candidate_claim_count says how many claims
-- could have been meant: counted and reported (assert_remit_chains_not_ambiguous), never guessed.
-- A step of int_claims_matched_to_remits. Open chains and claims are counted per CLP01 = CLM01: partitioned
-- by patient_control_number. Payer identity is global.

with

remit_payer_keys as (
    select
        remit_transaction_id,
        payer_key
    from {{ ref('int_remit_transactions_payer_resolved') }}
),

paired as {{ read_in_place() }} (
    select
        chain_key,
        claim_id
    from {{ ref('int_remit_chains_paired') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

claims_paired as (
    select distinct claim_id
    from paired
),

open_claims as (
    select
        claims.claim_id,
        claims.claim_control_number,
        claims.total_charge_amount,
        claims.payer_key
    from {{ ref('int_claims_payer_resolved') }} as claims
    left join claims_paired
        on claims.claim_id = claims_paired.claim_id
    where claims_paired.claim_id is null {{ affected_only('claims.claim_control_number', 'pcn', 'and') }}
),

open_chains as (
    select
        versions.chain_key,
        versions.patient_control_number,
        abs(versions.claim_charge_amount) as first_charge_amount,
        remit_payer_keys.payer_key
    from {{ ref('int_remit_claim_versions') }} as versions
    left join remit_payer_keys
        on versions.remit_transaction_id = remit_payer_keys.remit_transaction_id
    left join paired
        on versions.chain_key = paired.chain_key
    where
        versions.version_number = 1
        and paired.chain_key is null
    {{ affected_only('versions.patient_control_number', 'pcn', 'and') }}
),

open_chains_counted as (
    select
        chain_key,
        patient_control_number,
        first_charge_amount,
        payer_key,
        count(*) over (partition by patient_control_number) as open_chain_count
    from open_chains
),

candidates as (
    select
        open_chains_counted.chain_key,
        open_chains_counted.patient_control_number,
        open_chains_counted.open_chain_count,
        open_claims.claim_id,
        count(*) over (partition by open_chains_counted.chain_key) as candidate_claim_count,
        open_chains_counted.first_charge_amount = open_claims.total_charge_amount as is_charge_equal,
        (
            open_chains_counted.payer_key is null
            or open_claims.payer_key is null
            or open_chains_counted.payer_key = open_claims.payer_key
        ) as is_payer_compatible
    from open_chains_counted
    inner join open_claims
        on open_chains_counted.patient_control_number = open_claims.claim_control_number
),

final as (
    select distinct
        chain_key,
        patient_control_number,
        case
            when open_chain_count = 1 and candidate_claim_count = 1 and is_payer_compatible then claim_id
        end as claim_id,
        case
            when not (open_chain_count = 1 and candidate_claim_count = 1 and is_payer_compatible)
                then 'ambiguous'
            when is_charge_equal then 'patient_control_number_and_charge_any_payer'
            else 'patient_control_number_any_payer'
        end as match_method,
        candidate_claim_count,
        open_chain_count
    from candidates
)

select * from final
