{{ config(tags=['intermediate', 'matching']) }}

-- why: claim matching has full outer semantics: an 837 claim nothing paid and a remit nothing billed are
-- kept (match_method = 'unmatched') and counted, never dropped, or denial and payment rates drift silently.
-- Returns one row per 837 claim or remit claim missing from int_claims_matched_to_remits. Claims of a
-- re-sent remittance (int_remit_transactions_resent) are left out on purpose and reported on their own.
-- Staging is read through upstream_relation (macros/intermediate.sql), not ref(), so staging-only
-- selections do not pull this test in before the intermediate layer exists. A build that rebuilt only some
-- PCNs checks their claims and remits alone (tested_rows_only, macros/incremental.sql): claims are paired
-- with remits of their own CLM01 = CLP01 only, and a match row carries that number, so every row that
-- matches a claim or remit read is read too. The re-sent transactions are few and read whole.
with

claims as (
    select claim_id
    from {{ upstream_relation('stg_x12_837__claims') }}
    {{ tested_rows_only('claim_control_number') }}
),

resent_transactions as (
    select remit_transaction_id
    from {{ ref('int_remit_transactions_resent') }}
    where is_resent
),

remit_claims as (
    select stg_remit_claims.remit_claim_id
    from {{ upstream_relation('stg_x12_835__claims') }} as stg_remit_claims
    left join resent_transactions
        on stg_remit_claims.remit_transaction_id = resent_transactions.remit_transaction_id
    where resent_transactions.remit_transaction_id is null {{
        tested_rows_only('stg_remit_claims.patient_control_number', 'pcn', 'and')
    }}
),

matches as (
    select
        claim_id,
        remit_claim_id
    from {{ ref('int_claims_matched_to_remits') }}
    {{ tested_rows_only('claim_control_number') }}
),

matched_claims as (
    select distinct claim_id
    from matches
    where claim_id is not null
),

matched_remits as (
    select distinct remit_claim_id
    from matches
    where remit_claim_id is not null
),

missing_claims as (
    select
        '837' as side,
        claims.claim_id as missing_id
    from claims
    left join matched_claims
        on claims.claim_id = matched_claims.claim_id
    where matched_claims.claim_id is null
),

missing_remit_claims as (
    select
        '835' as side,
        remit_claims.remit_claim_id as missing_id
    from remit_claims
    left join matched_remits
        on remit_claims.remit_claim_id = matched_remits.remit_claim_id
    where matched_remits.remit_claim_id is null
),

missing as (
    select
        side,
        missing_id
    from missing_claims
    union all
    select
        side,
        missing_id
    from missing_remit_claims
)

select * from missing
