-- One row per payer: every payer key an identifier resolved to (int_payer_identifiers_resolved) and every
-- payer of the payers seed, with its type and windows. payer_type comes from the user's override file
-- (stg_raw__payer_overrides), else the payers seed, else from the claim filing indicator its claims carry
-- (837 SBR09, the most frequent), else from its remits (835 CLP06), mapped by the claim_filing_indicators
-- seed; 'unknown' only when neither side sent one. Appeal and timely-filing windows come from the
-- override file, else the payers seed, else payer_type_defaults of the resolved type.
-- has_own_policies is false for a payer the payer_policies seed does not list: it runs on the defaults
-- of its type (payer_type_policy_defaults); has_overrides says the override file sets something for it.
-- A view.

with

payers_seed as (
    select
        payer_id,
        payer_name,
        payer_type,
        appeal_window_days,
        timely_filing_days
    from {{ ref('payers') }}
),

filing_indicators as (
    select
        claim_filing_indicator_code,
        payer_type_hint
    from {{ ref('claim_filing_indicators') }}
),

type_defaults as (
    select
        payer_type,
        appeal_window_days,
        timely_filing_days
    from {{ ref('payer_type_defaults') }}
),

payers_with_policies as (
    select distinct payer_id
    from {{ ref('payer_policies') }}
),

payer_overrides as (
    select
        payer_id,
        payer_type,
        appeal_window_days,
        timely_filing_days
    from {{ ref('stg_raw__payer_overrides') }}
    where hcpcs_code is null
),

payers_with_overrides as (
    select distinct payer_id
    from {{ ref('stg_raw__payer_overrides') }}
),

identifiers as (
    select
        side,
        identifier_type,
        identifier_value,
        payer_key
    from {{ ref('int_payer_identifiers_resolved') }}
    where payer_key is not null
),

claim_indicators as (
    select
        claim_ids.payer_key as payer_id,
        claims.claim_filing_indicator_code,
        max(claims.payer_name) as payer_name,
        count(*) as claim_count
    from {{ ref('stg_x12_837__claims') }} as claims
    inner join identifiers as claim_ids
        on
            claim_ids.side = '837'
            and claim_ids.identifier_type = 'NM1_PR_ID'
            and claims.payer_id = claim_ids.identifier_value
    group by
        claim_ids.payer_key,
        claims.claim_filing_indicator_code
),

remit_indicators as (
    select
        remit_payers.payer_key as payer_id,
        remit_claims.claim_filing_indicator_code,
        count(*) as claim_count
    from {{ ref('stg_x12_835__claims') }} as remit_claims
    inner join {{ ref('int_remit_transactions_payer_resolved') }} as remit_payers
        on remit_claims.remit_transaction_id = remit_payers.remit_transaction_id
    where remit_payers.payer_key is not null
    group by
        remit_payers.payer_key,
        remit_claims.claim_filing_indicator_code
),

indicator_types as (
    select
        claim_indicators.payer_id,
        filing_indicators.payer_type_hint,
        1 as side_rank,
        claim_indicators.claim_count
    from claim_indicators
    inner join filing_indicators
        on claim_indicators.claim_filing_indicator_code = filing_indicators.claim_filing_indicator_code
    union all
    select
        remit_indicators.payer_id,
        filing_indicators.payer_type_hint,
        2 as side_rank,
        remit_indicators.claim_count
    from remit_indicators
    inner join filing_indicators
        on remit_indicators.claim_filing_indicator_code = filing_indicators.claim_filing_indicator_code
),

indicator_types_ranked as (
    select
        payer_id,
        payer_type_hint,
        side_rank,
        row_number() over (
            partition by payer_id
            order by side_rank asc, claim_count desc, payer_type_hint asc
        ) as hint_rank
    from indicator_types
),

payer_keys as (
    select payer_id from payers_seed
    union
    select payer_key as payer_id from identifiers
),

claim_names as (
    select
        payer_id,
        max(payer_name) as payer_name
    from claim_indicators
    group by payer_id
),

resolved as (
    select
        payer_keys.payer_id,
        coalesce(payers_seed.payer_name, claim_names.payer_name) as payer_name,
        coalesce(
            payer_overrides.payer_type,
            payers_seed.payer_type,
            indicator_types_ranked.payer_type_hint,
            'unknown'
        ) as payer_type,
        case
            when payer_overrides.payer_type is not null then 'payer_overrides'
            when payers_seed.payer_type is not null then 'payers_seed'
            when indicator_types_ranked.side_rank = 1 then 'claim_filing_indicator_837'
            when indicator_types_ranked.side_rank = 2 then 'claim_filing_indicator_835'
            else 'none'
        end as payer_type_source,
        coalesce(
            payer_overrides.appeal_window_days, payers_seed.appeal_window_days, type_defaults.appeal_window_days
        ) as appeal_window_days,
        coalesce(
            payer_overrides.timely_filing_days, payers_seed.timely_filing_days, type_defaults.timely_filing_days
        ) as timely_filing_days,
        payers_with_policies.payer_id is not null as has_own_policies,
        payers_with_overrides.payer_id is not null as has_overrides
    from payer_keys
    left join payers_seed
        on payer_keys.payer_id = payers_seed.payer_id
    left join payer_overrides
        on payer_keys.payer_id = payer_overrides.payer_id
    left join payers_with_overrides
        on payer_keys.payer_id = payers_with_overrides.payer_id
    left join indicator_types_ranked
        on payer_keys.payer_id = indicator_types_ranked.payer_id and indicator_types_ranked.hint_rank = 1
    left join claim_names
        on payer_keys.payer_id = claim_names.payer_id
    left join type_defaults
        on
            coalesce(payer_overrides.payer_type, payers_seed.payer_type, indicator_types_ranked.payer_type_hint)
            = type_defaults.payer_type
    left join payers_with_policies
        on payer_keys.payer_id = payers_with_policies.payer_id
)

select * from resolved
