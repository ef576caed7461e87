{{ config(**partitioned_by('claim_id', 'claim_id')) }}

-- One row per remit chain (int_remit_claim_versions) paired to an 837 claim, with how it was paired.
-- Chains, not single remits, are paired, so a claim's original, reversal and correction stay together.
-- Payer ids are never required to be equal: the 835 names the payer its own way (XV plan id, EIN, no
-- N104). Each side carries a resolved payer key (int_claims_payer_resolved and
-- int_remit_transactions_payer_resolved; null when unresolved), used only to choose between 837 claims
-- that share a patient control number (COB: one CLM01 sent to several payers). By patient control
-- number (CLP01 = CLM01):
--   1. line_control_number: the chain's service lines share REF*6R with the claim's lines; a chain goes
--      to the 837 claim with the most such line pairs (ties: the claim whose payer key agrees, then the
--      claim loaded first). Line control numbers are unique, so duplicate claims reusing CLM01 do not fan out.
--   2. patient_control_number_and_charge: chains and claims left over are paired one to one within one
--      payer key when the chain's first CLP03 equals CLM02, the n-th chain (remit order) with the n-th
--      claim (load order).
--   3. patient_control_number: what is still left, one to one within one payer key on CLM01 alone.
-- What is left after these goes to int_remit_chains_paired_across_payers (one open chain, one open claim
-- per CLM01, payer keys not conflicting); anything else stays unpaired and is counted as ambiguous there.
-- A step of int_claims_matched_to_remits. Chains and claims left unpaired are not here. Every pairing is
-- within CLP01 = CLM01: partitioned by claim_id (kind claim_id). Payer identity is global.

with

remit_payer_keys as (
    select
        remit_transaction_id,
        payer_key
    from {{ ref('int_remit_transactions_payer_resolved') }}
),

claims as {{ read_in_place() }} (
    select
        claim_id,
        file_id,
        segment_position,
        claim_control_number,
        payer_key as payer_id,
        total_charge_amount
    from {{ ref('int_claims_payer_resolved') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

remit_versions as (
    select
        versions.chain_key,
        remit_payer_keys.payer_key as payer_id,
        versions.patient_control_number,
        versions.claim_key_sequence,
        versions.version_number,
        versions.claim_charge_amount
    from {{ ref('int_remit_claim_versions') }} as versions
    left join remit_payer_keys
        on versions.remit_transaction_id = remit_payer_keys.remit_transaction_id
    {{ affected_only('versions.patient_control_number', 'pcn') }}
),

line_matches as (
    select
        claim_id,
        chain_key
    from {{ ref('int_line_control_number_matches') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

chains as (
    select
        chain_key,
        payer_id,
        patient_control_number,
        claim_key_sequence as first_claim_key_sequence,
        abs(claim_charge_amount) as first_charge_amount
    from remit_versions
    where version_number = 1
),

---------- 1. by line control number
chain_line_evidence as (
    select
        chain_key,
        claim_id,
        count(*) as matched_line_pair_count
    from line_matches
    group by
        chain_key,
        claim_id
),

chain_line_evidence_ranked as (
    select
        chain_line_evidence.chain_key,
        chain_line_evidence.claim_id,
        chain_line_evidence.matched_line_pair_count,
        row_number() over (
            partition by chain_line_evidence.chain_key
            order by
                chain_line_evidence.matched_line_pair_count desc,
                case when claims.payer_id = chains.payer_id then 0 else 1 end asc,
                claims.file_id asc,
                claims.segment_position asc
        ) as evidence_rank
    from chain_line_evidence
    inner join claims
        on chain_line_evidence.claim_id = claims.claim_id
    inner join chains
        on chain_line_evidence.chain_key = chains.chain_key
),

pairs_by_line_control_number as (
    select
        chain_key,
        claim_id,
        matched_line_pair_count
    from chain_line_evidence_ranked
    where evidence_rank = 1
),

---------- 2. by patient control number and charge, one to one
chains_open_after_lines as (
    select
        chains.chain_key,
        chains.payer_id,
        chains.patient_control_number,
        chains.first_claim_key_sequence,
        chains.first_charge_amount
    from chains
    left join pairs_by_line_control_number
        on chains.chain_key = pairs_by_line_control_number.chain_key
    where pairs_by_line_control_number.chain_key is null
),

claims_paired_by_lines as (
    select distinct claim_id
    from pairs_by_line_control_number
),

claims_open_after_lines as (
    select
        claims.claim_id,
        claims.file_id,
        claims.segment_position,
        claims.payer_id,
        claims.claim_control_number,
        claims.total_charge_amount
    from claims
    left join claims_paired_by_lines
        on claims.claim_id = claims_paired_by_lines.claim_id
    where claims_paired_by_lines.claim_id is null
),

chains_ranked_by_charge as (
    select
        chain_key,
        payer_id,
        patient_control_number,
        first_charge_amount,
        row_number() over (
            partition by payer_id, patient_control_number, first_charge_amount
            order by first_claim_key_sequence
        ) as pairing_rank
    from chains_open_after_lines
),

claims_ranked_by_charge as (
    select
        claim_id,
        payer_id,
        claim_control_number,
        total_charge_amount,
        row_number() over (
            partition by payer_id, claim_control_number, total_charge_amount
            order by file_id, segment_position
        ) as pairing_rank
    from claims_open_after_lines
),

pairs_by_charge as (
    select
        chains_ranked_by_charge.chain_key,
        claims_ranked_by_charge.claim_id
    from chains_ranked_by_charge
    inner join claims_ranked_by_charge
        on
            chains_ranked_by_charge.payer_id = claims_ranked_by_charge.payer_id
            and chains_ranked_by_charge.patient_control_number = claims_ranked_by_charge.claim_control_number
            and chains_ranked_by_charge.first_charge_amount = claims_ranked_by_charge.total_charge_amount
            and chains_ranked_by_charge.pairing_rank = claims_ranked_by_charge.pairing_rank
),

---------- 3. by patient control number alone, one to one
chains_ranked_by_control_number as (
    select
        chains_open_after_lines.chain_key,
        chains_open_after_lines.payer_id,
        chains_open_after_lines.patient_control_number,
        row_number() over (
            partition by chains_open_after_lines.payer_id, chains_open_after_lines.patient_control_number
            order by chains_open_after_lines.first_claim_key_sequence
        ) as pairing_rank
    from chains_open_after_lines
    left join pairs_by_charge
        on chains_open_after_lines.chain_key = pairs_by_charge.chain_key
    where pairs_by_charge.chain_key is null
),

claims_ranked_by_control_number as (
    select
        claims_open_after_lines.claim_id,
        claims_open_after_lines.payer_id,
        claims_open_after_lines.claim_control_number,
        row_number() over (
            partition by claims_open_after_lines.payer_id, claims_open_after_lines.claim_control_number
            order by claims_open_after_lines.file_id, claims_open_after_lines.segment_position
        ) as pairing_rank
    from claims_open_after_lines
    left join pairs_by_charge
        on claims_open_after_lines.claim_id = pairs_by_charge.claim_id
    where pairs_by_charge.claim_id is null
),

pairs_by_control_number as (
    select
        chains_ranked_by_control_number.chain_key,
        claims_ranked_by_control_number.claim_id
    from chains_ranked_by_control_number
    inner join claims_ranked_by_control_number
        on
            chains_ranked_by_control_number.payer_id = claims_ranked_by_control_number.payer_id
            and chains_ranked_by_control_number.patient_control_number
            = claims_ranked_by_control_number.claim_control_number
            and chains_ranked_by_control_number.pairing_rank = claims_ranked_by_control_number.pairing_rank
),

chain_pairs as (
    select
        chain_key,
        claim_id,
        'line_control_number' as match_method,
        matched_line_pair_count
    from pairs_by_line_control_number
    union all
    select
        chain_key,
        claim_id,
        'patient_control_number_and_charge' as match_method,
        0 as matched_line_pair_count
    from pairs_by_charge
    union all
    select
        chain_key,
        claim_id,
        'patient_control_number' as match_method,
        0 as matched_line_pair_count
    from pairs_by_control_number
),

final as (
    select
        chain_key,
        claim_id,
        match_method,
        matched_line_pair_count
    from chain_pairs
)

select * from final
