{{ config(tags=['intermediate', 'matching']) }}

-- why: line matching has full outer semantics: an 837 line with no remit line and a remit line with no
-- 837 line are kept (match_method = 'unmatched'), never dropped.
-- Returns one row per 837 service line or remit service line missing from int_service_lines_matched.
-- Staging is read through upstream_relation (macros/intermediate.sql), not ref(), so staging-only
-- selections do not pull this test in before the intermediate layer exists. A build that rebuilt only some
-- PCNs checks their lines alone (tested_rows_only, macros/incremental.sql); the re-sent remit claims only
-- leave out remit lines, so those of the PCNs read are all it needs.
with

claim_lines as (
    select claim_line_id
    from {{ upstream_relation('stg_x12_837__service_lines') }}
    {{ tested_rows_only('claim_id', 'claim_id') }}
),

resent_remit_claims as (
    select stg_remit_claims.remit_claim_id
    from {{ upstream_relation('stg_x12_835__claims') }} as stg_remit_claims
    inner join {{ ref('int_remit_transactions_resent') }} as resent_transactions
        on stg_remit_claims.remit_transaction_id = resent_transactions.remit_transaction_id
    where resent_transactions.is_resent {{
        tested_rows_only('stg_remit_claims.remit_claim_id', 'remit_claim_id', 'and')
    }}
),

-- lines of a re-sent remittance are left out on purpose (int_remit_transactions_resent)
remit_lines as (
    select stg_remit_lines.remit_line_id
    from {{ upstream_relation('stg_x12_835__service_lines') }} as stg_remit_lines
    left join resent_remit_claims
        on stg_remit_lines.remit_claim_id = resent_remit_claims.remit_claim_id
    where resent_remit_claims.remit_claim_id is null {{
        tested_rows_only('stg_remit_lines.remit_claim_id', 'remit_claim_id', 'and')
    }}
),

matches as (
    select
        claim_line_id,
        remit_line_id
    from {{ ref('int_service_lines_matched') }}
    {{ tested_rows_only('claim_control_number') }}
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
