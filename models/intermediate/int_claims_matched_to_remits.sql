{{
    config(
        materialized='table'
    )
}}

-- One row per pair of an 837 claim and a remit version (835 CLP) of a chain matched to it, plus one
-- row per 837 claim no chain matched and one per remit version of a chain that matched no 837 claim
-- (full outer: nothing is dropped; match_method = 'unmatched' counts them).
--
-- Chains, not single remits, are matched, so a claim's original, reversal and correction stay together.
-- Within the payer (835 N1*PR N104, else REF*2U, else TRN03 = 837 NM1*PR NM109) and patient control
-- number (CLP01 = CLM01):
--   1. line_control_number: the chain's service lines share REF*6R with the claim's lines; a chain goes
--      to the 837 claim with the most such line pairs (ties: the claim loaded first). Line control numbers
--      are unique, so duplicate claims that reuse CLM01 do not fan out.
--   2. patient_control_number_and_charge: chains and claims left over are paired one to one when the
--      chain's first CLP03 equals CLM02, the n-th chain (remit order) with the n-th claim (load order).
--   3. patient_control_number: what is still left is paired one to one on payer and CLM01 alone, in the
--      same order.
-- For the current state of a claim keep is_final rows (or is_latest, for chains that ended in a reversal)
-- and the rows with no remit.
-- Table: read by the line matching and the marts; a remit arriving in a later file changes earlier rows.

with

claims as (
    select
        claim_id,
        file_id,
        segment_position,
        claim_control_number,
        payer_id,
        total_charge_amount
    from {{ ref('stg_x12_837__claims') }}
),

remit_versions as (
    select
        remit_claim_id,
        chain_key,
        payer_id,
        patient_control_number,
        payer_claim_control_number,
        claim_key_sequence,
        version_number,
        version_count,
        remit_date,
        claim_status_code,
        is_reversal,
        is_final,
        is_latest,
        is_overturn,
        is_chain_overturned,
        claim_charge_amount,
        claim_paid_amount,
        denied_amount
    from {{ ref('int_remit_claim_versions') }}
),

line_matches as (
    select
        claim_id,
        chain_key
    from {{ ref('int_line_control_number_matches') }}
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
                claims.file_id,
                claims.segment_position
        ) as evidence_rank
    from chain_line_evidence
    inner join claims
        on chain_line_evidence.claim_id = claims.claim_id
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

claims_open_after_lines as (
    select
        claims.claim_id,
        claims.file_id,
        claims.segment_position,
        claims.payer_id,
        claims.claim_control_number,
        claims.total_charge_amount
    from claims
    left join (select distinct claim_id from pairs_by_line_control_number) as claims_paired
        on claims.claim_id = claims_paired.claim_id
    where claims_paired.claim_id is null
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

---------- full outer: matched pairs (one row per version), claims left alone, remit versions left alone
match_rows as (
    select
        chain_pairs.claim_id,
        remit_versions.remit_claim_id,
        chain_pairs.match_method,
        chain_pairs.matched_line_pair_count
    from chain_pairs
    inner join remit_versions
        on chain_pairs.chain_key = remit_versions.chain_key
    union all
    select
        claims.claim_id,
        cast(null as {{ api.Column.translate_type('string') }}) as remit_claim_id,
        'unmatched' as match_method,
        0 as matched_line_pair_count
    from claims
    left join (select distinct claim_id from chain_pairs) as claims_paired
        on claims.claim_id = claims_paired.claim_id
    where claims_paired.claim_id is null
    union all
    select
        cast(null as {{ api.Column.translate_type('string') }}) as claim_id,
        remit_versions.remit_claim_id,
        'unmatched' as match_method,
        0 as matched_line_pair_count
    from remit_versions
    left join chain_pairs
        on remit_versions.chain_key = chain_pairs.chain_key
    where chain_pairs.chain_key is null
),

final as (
    select
        ---------- ids
        {{ dbt.concat([
            "coalesce(match_rows.claim_id, '-')", "'|'", "coalesce(match_rows.remit_claim_id, '-')"
        ]) }} as claim_remit_match_id,
        match_rows.claim_id,
        match_rows.remit_claim_id,

        ---------- how they were matched
        match_rows.match_method,
        case
            when match_rows.remit_claim_id is null then '837'
            when match_rows.claim_id is null then '835'
        end as unmatched_side,
        match_rows.matched_line_pair_count,

        ---------- the 837 claim
        coalesce(claims.payer_id, remit_versions.payer_id) as payer_id,
        coalesce(claims.claim_control_number, remit_versions.patient_control_number) as claim_control_number,
        claims.total_charge_amount,

        ---------- the remit version
        remit_versions.chain_key,
        remit_versions.payer_claim_control_number,
        remit_versions.version_number,
        remit_versions.version_count,
        remit_versions.remit_date,
        remit_versions.claim_status_code,
        remit_versions.is_reversal,
        remit_versions.is_final,
        remit_versions.is_latest,
        remit_versions.is_overturn,
        remit_versions.is_chain_overturned,
        remit_versions.claim_charge_amount,
        remit_versions.claim_paid_amount,
        remit_versions.denied_amount
    from match_rows
    left join claims
        on match_rows.claim_id = claims.claim_id
    left join remit_versions
        on match_rows.remit_claim_id = remit_versions.remit_claim_id
)

select * from final
