-- One row per 835 transaction (ST/SE) with whether it is a re-send: the same payment (BPR02 amount and
-- TRN02 trace number) from the same payer (resolved payer key, else the first 835 payer identifier sent)
-- already arrived in an earlier transaction, under another envelope, so the loader's byte hash could not
-- call it a duplicate. The first one stays; later ones are is_resent and name it. The raw layer keeps them;
-- int_remit_claims_sequenced leaves them out, so no chain gains a version and no dollar counts twice.
-- Reported by assert_remittances_not_resent (warn). A view.

with

payments as (
    select
        remit_transaction_id,
        file_id,
        segment_position,
        total_paid_amount,
        trace_number,
        coalesce(payer_id, payer_additional_id, trace_payer_id) as payer_id_sent
    from {{ ref('stg_x12_835__payments') }}
),

payer_keys as (
    select
        remit_transaction_id,
        payer_key
    from {{ ref('int_remit_transactions_payer_resolved') }}
),

payments_keyed as (
    select
        payments.remit_transaction_id,
        payments.file_id,
        payments.segment_position,
        payments.total_paid_amount,
        payments.trace_number,
        coalesce(payer_keys.payer_key, payments.payer_id_sent) as payer_key
    from payments
    left join payer_keys
        on payments.remit_transaction_id = payer_keys.remit_transaction_id
),

payments_ranked as (
    select
        remit_transaction_id,
        trace_number,
        row_number() over (
            partition by payer_key, trace_number, total_paid_amount
            order by file_id asc, segment_position asc
        ) as send_number,
        first_value(remit_transaction_id) over (
            partition by payer_key, trace_number, total_paid_amount
            order by file_id asc, segment_position asc
        ) as first_sent_remit_transaction_id
    from payments_keyed
),

final as (
    select
        remit_transaction_id,
        trace_number is not null and send_number > 1 as is_resent,
        case
            when trace_number is not null and send_number > 1 then first_sent_remit_transaction_id
        end as first_sent_remit_transaction_id
    from payments_ranked
)

select * from final
