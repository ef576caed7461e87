-- One row per 835 transaction (ST/SE) with the payer key its identifiers resolve to
-- (int_payer_identifiers_resolved), tried in the order N1*PR N104, REF*2U, TRN03, N1*PR N102: the first
-- identifier that resolves gives the key; resolved_from names it. payer_key is null when none resolves.
-- A view: one join per transaction.

with

payments as (
    select
        remit_transaction_id,
        payer_id,
        payer_name,
        payer_additional_id,
        trace_payer_id
    from {{ ref('stg_x12_835__payments') }}
),

identifiers as (
    select
        identifier_type,
        identifier_value,
        payer_key,
        resolution_method
    from {{ ref('int_payer_identifiers_resolved') }}
    where side = '835'
),

payments_resolved as (
    select
        payments.remit_transaction_id,
        coalesce(n1_id.payer_key, ref_2u.payer_key, trn03.payer_key, n1_name.payer_key) as payer_key,
        case
            when n1_id.payer_key is not null then 'N1_PR_ID'
            when ref_2u.payer_key is not null then 'REF_2U'
            when trn03.payer_key is not null then 'TRN03'
            when n1_name.payer_key is not null then 'N1_PR_NAME'
        end as resolved_from,
        coalesce(
            case when n1_id.payer_key is not null then n1_id.resolution_method end,
            case when ref_2u.payer_key is not null then ref_2u.resolution_method end,
            case when trn03.payer_key is not null then trn03.resolution_method end,
            case when n1_name.payer_key is not null then n1_name.resolution_method end,
            'unresolved'
        ) as resolution_method
    from payments
    left join identifiers as n1_id
        on n1_id.identifier_type = 'N1_PR_ID' and payments.payer_id = n1_id.identifier_value
    left join identifiers as ref_2u
        on ref_2u.identifier_type = 'REF_2U' and payments.payer_additional_id = ref_2u.identifier_value
    left join identifiers as trn03
        on trn03.identifier_type = 'TRN03' and payments.trace_payer_id = trn03.identifier_value
    left join identifiers as n1_name
        on n1_name.identifier_type = 'N1_PR_NAME' and payments.payer_name = n1_name.identifier_value
)

select * from payments_resolved
