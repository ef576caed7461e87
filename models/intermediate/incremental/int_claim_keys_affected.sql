-- One row per 837 claim id and per 835 remit claim id of an affected patient control number
-- (int_claim_control_numbers_affected): the keys partitioned models partition by when their key is not the
-- PCN itself (macro affected_keys, kinds 'claim_id' and 'remit_claim_id'). Looked up once per build here,
-- rather than in every filter, delete and data test that asks for them. Empty when the build rebuilds every
-- partition (int_build_scope), since nothing then filters by key.

with

affected_numbers as (
    select patient_control_number
    from {{ ref('int_claim_control_numbers_affected') }}
    where not (select scope.is_full_rebuild from {{ ref('int_build_scope') }} as scope)
),

claim_keys as (
    select
        'claim_id' as key_kind,
        claims.claim_id as affected_key
    from {{ ref('stg_x12_837__claims') }} as claims
    where claims.claim_control_number in (select affected_numbers.patient_control_number from affected_numbers)
),

remit_claim_keys as (
    select
        'remit_claim_id' as key_kind,
        remit_claims.remit_claim_id as affected_key
    from {{ ref('stg_x12_835__claims') }} as remit_claims
    where
        remit_claims.patient_control_number
        in (select affected_numbers.patient_control_number from affected_numbers)
)

select
    key_kind,
    affected_key
from claim_keys
union all
select
    key_kind,
    affected_key
from remit_claim_keys
