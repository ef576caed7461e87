{{ config(**partitioned_by('claim_control_number')) }}

-- One row per 837 claim (stg_x12_837__claims) with the payer key its NM1*PR payer id resolves to
-- (int_payer_identifiers_resolved, side 837); payer_key is null when the id resolves to none.
-- The one lookup of an 837 claim's payer key: chain pairing (int_remit_chains_paired,
-- int_remit_chains_paired_across_payers), claim matching (int_claims_matched_to_remits) and the claim
-- facts read it. Partitioned by claim_control_number: a day's files add claims of a few numbers, and a change
-- in what an identifier resolves to is a change of payer identity, which rebuilds every number
-- (int_global_inputs_fingerprinted); rebuilding all of history's claims took about a second a day at a
-- million claims.

with

claim_payer_keys as (
    select
        identifier_value,
        payer_key,
        resolution_method
    from {{ ref('int_payer_identifiers_resolved') }}
    where side = '837' and identifier_type = 'NM1_PR_ID'
),

claims as (
    select
        claim_id,
        file_id,
        segment_position,
        claim_control_number,
        payer_id,
        total_charge_amount
    from {{ ref('stg_x12_837__claims') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

claims_resolved as (
    select
        claims.claim_id,
        claims.file_id,
        claims.segment_position,
        claims.claim_control_number,
        claims.payer_id,
        claim_payer_keys.payer_key,
        claim_payer_keys.resolution_method,
        claims.total_charge_amount
    from claims
    left join claim_payer_keys
        on claims.payer_id = claim_payer_keys.identifier_value
)

select * from claims_resolved
