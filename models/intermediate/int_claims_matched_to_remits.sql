{{ config(**partitioned_by('claim_control_number')) }}

-- One row per pair of an 837 claim and a remit version (835 CLP) of a chain matched to it, plus one
-- row per 837 claim no chain matched and one per remit version of a chain that matched no 837 claim
-- (full outer: nothing is dropped; match_method = 'unmatched' counts them).
--
-- Chains, not single remits, are matched, so a claim's original, reversal and correction stay together;
-- int_remit_chains_paired pairs them (by line control number, then CLM01 and charge, then CLM01 alone,
-- within a resolved payer key), int_remit_chains_paired_across_payers pairs what is left when the evidence
-- is unique. Payer ids are never required to be equal. ambiguous_candidate_claim_count > 0 marks a remit
-- left unmatched because several 837 claims could have been meant. resolved_payer_id is the one payer key
-- (int_claims_payer_resolved, else int_remit_transactions_payer_resolved) with payer_resolution_method
-- saying how it was found.
-- For the current state of a claim keep is_final rows (or is_latest, for chains that ended in a reversal)
-- and the rows with no remit.
-- Read by the line matching and the marts; a remit arriving in a later file changes earlier rows, all of
-- one CLM01 = CLP01: partitioned by claim_control_number. Remit payer keys (per transaction) are global.

with

claims as {{ read_in_place() }} (
    select
        claim_id,
        claim_control_number,
        payer_id,
        payer_key,
        resolution_method,
        total_charge_amount
    from {{ ref('int_claims_payer_resolved') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

remit_versions as {{ read_in_place() }} (
    select
        remit_claim_id,
        remit_transaction_id,
        chain_key,
        payer_id,
        patient_control_number,
        payer_claim_control_number,
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
    {{ affected_only('patient_control_number', 'pcn') }}
),

chain_pairs as {{ read_in_place() }} (
    select
        chain_key,
        claim_id,
        match_method,
        matched_line_pair_count
    from {{ ref('int_remit_chains_paired') }}
    {{ affected_only('claim_id', 'claim_id') }}
    union all
    select
        chain_key,
        claim_id,
        match_method,
        0 as matched_line_pair_count
    from {{ ref('int_remit_chains_paired_across_payers') }}
    where claim_id is not null {{ affected_only('claim_id', 'claim_id', 'and') }}
),

ambiguous_chains as (
    select
        chain_key,
        candidate_claim_count
    from {{ ref('int_remit_chains_paired_across_payers') }}
    -- the chains of the remit versions read (those of the affected numbers on an incremental run)
    where
        claim_id is null
        and chain_key in (select remit_versions.chain_key from remit_versions)
),

remit_payer_keys as (
    select
        remit_transaction_id,
        payer_key,
        resolution_method
    from {{ ref('int_remit_transactions_payer_resolved') }}
),

claims_paired as (
    select distinct claim_id
    from chain_pairs
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
        cast(null as {{ x12_key_type() }}) as remit_claim_id,
        'unmatched' as match_method,
        0 as matched_line_pair_count
    from claims
    left join claims_paired
        on claims.claim_id = claims_paired.claim_id
    where claims_paired.claim_id is null
    union all
    select
        cast(null as {{ x12_key_type() }}) as claim_id,
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
            "coalesce(" ~ x12_key_label("match_rows.claim_id", 3) ~ ", '-')", "'|'",
            "coalesce(" ~ x12_key_label("match_rows.remit_claim_id", 3) ~ ", '-')"
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
        coalesce(ambiguous_chains.candidate_claim_count, 0) as ambiguous_candidate_claim_count,

        ---------- the payer: as the 837 names it, and the one resolved key
        coalesce(claims.payer_id, remit_versions.payer_id) as payer_id,
        coalesce(claims.payer_key, remit_payer_keys.payer_key) as resolved_payer_id,
        coalesce(claims.resolution_method, remit_payer_keys.resolution_method) as payer_resolution_method,

        ---------- the 837 claim
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
    left join ambiguous_chains
        on match_rows.claim_id is null and remit_versions.chain_key = ambiguous_chains.chain_key
    left join remit_payer_keys
        on remit_versions.remit_transaction_id = remit_payer_keys.remit_transaction_id
)

select * from final
