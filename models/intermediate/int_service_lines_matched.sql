{{ config(**partitioned_by('claim_control_number')) }}

-- One row per pair of an 837 service line and a remit service line (SVC) of a version that adjudicated
-- it, plus one row per 837 line nothing matched and one per remit line nothing matched (full outer:
-- nothing is dropped; match_method = 'unmatched' counts them, unmatched_side says which side is alone).
--
-- match_method:
--   line_control_number  REF*6R equal, within payer and CLP01 = CLM01 (int_line_control_number_matches);
--   fallback             within a claim pair of int_claims_matched_to_remits, lines neither side matched by
--                        REF*6R pair on procedure + modifiers + service date + units
--                        (int_service_lines_fallback_matched);
--   claim_level          the remit version has no SVC at all (adjudicated at claim level, e.g. a claim-level
--                        denial): each line of the matched 837 claim pairs with the remit claim, remit_line_id
--                        null; its adjustments are the claim-level CAS;
--   unmatched            no remit line (837 side) or no 837 line (835 side).
-- Every version of a chain appears (original, reversal, correction); keep is_final_version for the state
-- the payer stands by.
-- Joins every 837 line to every remit version of its CLM01 = CLP01; partitioned by claim_control_number.
-- It holds the pairs and the version flags only: the lines' codes, dates, units and amounts stay in staging,
-- where each reader takes them (copied here, 3.5M rows at a million claims, they cost the build's longest
-- chain two seconds and no model read them).

with

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id
    from {{ ref('stg_x12_837__claims') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

claim_lines as {{ read_in_place() }} (
    select
        claim_line_id,
        claim_id,
        line_control_number
    from {{ ref('stg_x12_837__service_lines') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

remit_lines as {{ read_in_place() }} (
    select
        remit_line_id,
        remit_claim_id,
        line_control_number,
        line_paid_amount
    from {{ ref('stg_x12_835__service_lines') }}
    -- only lines of remit versions: a re-sent remittance (int_remit_transactions_resent) has none
    where remit_claim_id in (
        select versions.remit_claim_id
        from {{ ref('int_remit_claim_versions') }} as versions
        {{ affected_only('versions.patient_control_number', 'pcn') }}
    )
),

remit_versions as (
    select
        remit_claim_id,
        chain_key,
        payer_id,
        patient_control_number,
        version_number,
        claim_status_code,
        is_reversal,
        is_final,
        is_latest,
        is_chain_overturned
    from {{ ref('int_remit_claim_versions') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

claim_pairs as {{ read_in_place() }} (
    select
        claim_id,
        remit_claim_id
    from {{ ref('int_claims_matched_to_remits') }}
    where match_method != 'unmatched' {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

control_number_matches as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id
    from {{ ref('int_line_control_number_matches') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

fallback_matches as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id
    from {{ ref('int_service_lines_fallback_matched') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

---------- claim level: remit versions without any SVC
remit_claims_with_lines as (
    select distinct remit_claim_id
    from remit_lines
),

claim_level_matches as (
    select
        claim_lines.claim_line_id,
        claim_lines.claim_id,
        claim_pairs.remit_claim_id
    from claim_pairs
    inner join claim_lines
        on claim_pairs.claim_id = claim_lines.claim_id
    left join remit_claims_with_lines
        on claim_pairs.remit_claim_id = remit_claims_with_lines.remit_claim_id
    where remit_claims_with_lines.remit_claim_id is null
),

line_pairs as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        'line_control_number' as match_method
    from control_number_matches
    union all
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        'fallback' as match_method
    from fallback_matches
    union all
    select
        claim_line_id,
        claim_id,
        cast(null as {{ x12_key_type() }}) as remit_line_id,
        remit_claim_id,
        'claim_level' as match_method
    from claim_level_matches
),

claim_lines_paired as (
    select distinct claim_line_id
    from line_pairs
),

remit_lines_paired as (
    select distinct remit_line_id
    from line_pairs
    where remit_line_id is not null
),

---------- full outer: pairs, 837 lines left alone, remit lines left alone
match_rows as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        match_method
    from line_pairs
    union all
    select
        claim_lines.claim_line_id,
        claim_lines.claim_id,
        cast(null as {{ x12_key_type() }}) as remit_line_id,
        cast(null as {{ x12_key_type() }}) as remit_claim_id,
        'unmatched' as match_method
    from claim_lines
    left join claim_lines_paired
        on claim_lines.claim_line_id = claim_lines_paired.claim_line_id
    where claim_lines_paired.claim_line_id is null
    union all
    select
        cast(null as {{ x12_key_type() }}) as claim_line_id,
        claim_pairs.claim_id,
        remit_lines.remit_line_id,
        remit_lines.remit_claim_id,
        'unmatched' as match_method
    from remit_lines
    left join remit_lines_paired
        on remit_lines.remit_line_id = remit_lines_paired.remit_line_id
    left join claim_pairs
        on remit_lines.remit_claim_id = claim_pairs.remit_claim_id
    where remit_lines_paired.remit_line_id is null
),

final as (
    select
        ---------- ids
        {{ dbt.concat([
            "coalesce(" ~ x12_key_label("match_rows.claim_line_id", 4) ~ ", '-')", "'|'",
            "coalesce(" ~ x12_key_label("match_rows.remit_line_id", 4) ~ ", "
            ~ x12_key_label("match_rows.remit_claim_id", 3) ~ ", '-')"
        ]) }} as service_line_match_id,
        match_rows.claim_line_id,
        match_rows.claim_id,
        match_rows.remit_line_id,
        match_rows.remit_claim_id,

        ---------- how they were matched
        match_rows.match_method,
        case
            when match_rows.claim_line_id is null then '835'
            when match_rows.remit_claim_id is null then '837'
        end as unmatched_side,

        ---------- the claim and the line's REF*6R
        coalesce(claims.payer_id, remit_versions.payer_id) as payer_id,
        coalesce(claims.claim_control_number, remit_versions.patient_control_number) as claim_control_number,
        coalesce(claim_lines.line_control_number, remit_lines.line_control_number) as line_control_number,

        ---------- the remit version and its line
        remit_versions.chain_key,
        remit_versions.version_number as remit_version_number,
        remit_versions.claim_status_code,
        remit_versions.is_reversal,
        remit_versions.is_final as is_final_version,
        remit_versions.is_latest as is_latest_version,
        remit_versions.is_chain_overturned,
        remit_lines.line_paid_amount as remit_line_paid_amount
    from match_rows
    left join claims
        on match_rows.claim_id = claims.claim_id
    left join claim_lines
        on match_rows.claim_line_id = claim_lines.claim_line_id
    left join remit_lines
        on match_rows.remit_line_id = remit_lines.remit_line_id
    left join remit_versions
        on match_rows.remit_claim_id = remit_versions.remit_claim_id
)

select * from final
