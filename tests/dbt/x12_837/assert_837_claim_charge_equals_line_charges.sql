-- An 837 claim's CLM02 total charge equals the sum of its service line charges (SV102 / SV203).
-- A warning only: real files sometimes break it, and the payer then rejects or reprices the claim.
-- A daily build reads its new files only (tested_files_only, macros/incremental.sql): a claim's lines are in
-- its own file (claim_id starts with the file id), so both sides hold whole claims.
{{ config(severity='warn') }}

with

claims as (
    select
        claim_id,
        total_charge_amount
    from {{ ref('stg_x12_837__claims') }}
    {{ tested_files_only() }}
),

line_totals as (
    select
        claim_id,
        sum(line_charge_amount) as line_charge_total
    from {{ ref('stg_x12_837__service_lines') }}
    {{ tested_files_only() }}
    group by claim_id
),

unbalanced_claims as (
    select
        claims.claim_id,
        claims.total_charge_amount,
        line_totals.line_charge_total
    from claims
    left join line_totals
        on claims.claim_id = line_totals.claim_id
    where abs(coalesce(claims.total_charge_amount, 0) - coalesce(line_totals.line_charge_total, 0)) > 0.005
)

select * from unbalanced_claims
