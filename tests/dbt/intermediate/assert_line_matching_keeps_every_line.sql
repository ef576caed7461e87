{{ config(tags=['intermediate', 'matching']) }}

-- why: line matching has full outer semantics: an 837 line with no remit line and a remit line with no
-- 837 line are kept (match_method = 'unmatched'), never dropped.
-- Returns one row per 837 service line or remit service line missing from int_service_lines_matched.
-- Staging is read through upstream_relation (macros/intermediate.sql), not ref(), so staging-only
-- selections do not pull this test in before the intermediate layer exists.
with

claim_lines as (
    select claim_line_id
    from {{ upstream_relation('stg_x12_837__service_lines') }}
),

remit_lines as (
    select remit_line_id
    from {{ upstream_relation('stg_x12_835__service_lines') }}
),

matches as (
    select
        claim_line_id,
        remit_line_id
    from {{ ref('int_service_lines_matched') }}
),

matched_claim_lines as (
    select distinct claim_line_id
    from matches
    where claim_line_id is not null
),

matched_remit_lines as (
    select distinct remit_line_id
    from matches
    where remit_line_id is not null
),

missing_claim_lines as (
    select
        '837' as side,
        claim_lines.claim_line_id as missing_id
    from claim_lines
    left join matched_claim_lines
        on claim_lines.claim_line_id = matched_claim_lines.claim_line_id
    where matched_claim_lines.claim_line_id is null
),

missing_remit_lines as (
    select
        '835' as side,
        remit_lines.remit_line_id as missing_id
    from remit_lines
    left join matched_remit_lines
        on remit_lines.remit_line_id = matched_remit_lines.remit_line_id
    where matched_remit_lines.remit_line_id is null
),

missing as (
    select
        side,
        missing_id
    from missing_claim_lines
    union all
    select
        side,
        missing_id
    from missing_remit_lines
)

select * from missing
