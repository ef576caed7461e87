{{ config(severity='warn', tags=['intermediate', 'matching']) }}

-- why: an 837 claim without a remit is normal (not adjudicated yet), but a remit whose claim is not in the
-- warehouse means an 837 file was never loaded, or the payer id or CLP01 the payer returns differs from the
-- 837's (truncated CLM01, another payer id qualifier). Those remits stay in the intermediate layer as
-- unmatched rows; this counts them so the gap is seen, not silently left out of denial rates.
-- Returns one row per remit version that no 837 claim matched.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their rows
-- (tested_rows_only, macros/incremental.sql).
with

unmatched_remits as (
    select
        remit_claim_id,
        payer_id,
        claim_control_number,
        chain_key,
        version_number
    from {{ ref('int_claims_matched_to_remits') }}
    where unmatched_side = '835' {{ tested_rows_only('claim_control_number', 'pcn', 'and') }}
)

select * from unmatched_remits
