{{ config(**partitioned_by('patient_control_number')) }}

-- One row per remitted claim (835 CLP, loop 2100) with the claim key its versions share, its remit date
-- and its order among the remits of that key: the first step of int_remit_claim_versions.
--
-- Remits of one claim share the claim key payer id + CLP01 and are put in remit order: remit date
-- (BPR16 payment date, else DTM*405 production date; undated last), then file and segment position.
-- The reversal and denied-status flags come from the claim_status_codes seed. Claims of a re-sent
-- remittance (int_remit_transactions_resent: same payer, TRN02 and BPR02 under a new envelope) are left out.
-- The linking, rooting and versioning steps each read it. A claim key's remits share CLP01: partitioned by
-- patient_control_number. Re-sent ERA detection is global.

with

payments as (
    select
        remit_transaction_id,
        payment_date,
        production_date,
        payer_id,
        payer_additional_id,
        trace_payer_id
    from {{ ref('stg_x12_835__payments') }}
),

resent_transactions as (
    select remit_transaction_id
    from {{ ref('int_remit_transactions_resent') }}
    where is_resent
),

remit_claims as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        patient_control_number,
        claim_status_code,
        claim_charge_amount,
        claim_paid_amount,
        patient_responsibility_amount,
        payer_claim_control_number
    from {{ ref('stg_x12_835__claims') }}
    -- a re-sent remittance (int_remit_transactions_resent) stays in raw but never becomes a version
    where remit_transaction_id not in (
        select resent_transactions.remit_transaction_id
        from resent_transactions
    ) {{ affected_only('patient_control_number', 'pcn', 'and') }}
),

claim_statuses as (
    select
        claim_status_code,
        is_reversal,
        is_denied_status
    from {{ ref('claim_status_codes') }}
),

adjustments as (
    select
        remit_claim_id,
        is_denial,
        denied_amount
    from {{ ref('int_adjustments_classified') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

claim_denials as (
    select
        remit_claim_id,
        cast(sum(denied_amount) as decimal(18, 2)) as denied_amount,
        cast(sum(case when is_denial then 1 else 0 end) as {{ api.Column.translate_type('integer') }})
            as denial_adjustment_count
    from adjustments
    group by remit_claim_id
),

---------- claim key, remit date and status flags of each remit
remit_claims_keyed as (
    select
        remit_claims.remit_claim_id,
        remit_claims.remit_transaction_id,
        remit_claims.file_id,
        remit_claims.segment_position,
        coalesce(payments.payer_id, payments.payer_additional_id, payments.trace_payer_id) as payer_id,
        case
            when payments.payer_id is not null then 'N1_PR'
            when payments.payer_additional_id is not null then 'REF_2U'
            when payments.trace_payer_id is not null then 'TRN03'
        end as payer_id_source,
        remit_claims.patient_control_number,
        remit_claims.payer_claim_control_number,
        {{ dbt.concat([
            "coalesce(coalesce(payments.payer_id, payments.payer_additional_id, payments.trace_payer_id), '')",
            "':'",
            "coalesce(remit_claims.patient_control_number, '')"
        ]) }} as claim_key,
        coalesce(remit_claims.payer_claim_control_number, '') as payer_claim_control_key,
        coalesce(payments.payment_date, payments.production_date) as remit_date,
        case
            when payments.payment_date is not null then 'payment_date'
            when payments.production_date is not null then 'production_date'
        end as remit_date_source,
        remit_claims.claim_status_code,
        coalesce(claim_statuses.is_reversal, false) as is_reversal,
        coalesce(claim_statuses.is_denied_status, false) as is_denied_status,
        remit_claims.claim_charge_amount,
        remit_claims.claim_paid_amount,
        remit_claims.patient_responsibility_amount,
        coalesce(claim_denials.denied_amount, 0) as denied_amount,
        coalesce(claim_denials.denial_adjustment_count, 0) as denial_adjustment_count
    from remit_claims
    left join payments
        on remit_claims.remit_transaction_id = payments.remit_transaction_id
    left join claim_statuses
        on remit_claims.claim_status_code = claim_statuses.claim_status_code
    left join claim_denials
        on remit_claims.remit_claim_id = claim_denials.remit_claim_id
),

final as (
    select
        ---------- ids and lineage
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,

        ---------- claim key and remit order
        payer_id,
        payer_id_source,
        patient_control_number,
        payer_claim_control_number,
        claim_key,
        payer_claim_control_key,
        remit_date,
        remit_date_source,
        row_number() over (
            partition by claim_key
            order by
                case when remit_date is null then 1 else 0 end,
                remit_date,
                file_id,
                segment_position
        ) as claim_key_sequence,

        ---------- status (seed claim_status_codes)
        claim_status_code,
        is_reversal,
        is_denied_status,

        ---------- amounts of the remit, signed as sent
        claim_charge_amount,
        claim_paid_amount,
        patient_responsibility_amount,
        denied_amount,
        denial_adjustment_count
    from remit_claims_keyed
)

select * from final
