{{ config(severity='warn') }}

-- why: CAS01 group code CR (corrections and reversals) was retired in 5010; 005010X221A1 accepts only
-- CO, OA, PI and PR and a 5010 reversal resends the original group codes (DOMAIN.md section 0). CR is
-- legitimate in 4010 (004010X091A1) files only. Warns: it is the payer's error, not ours.
-- Returns one row per CR adjustment outside a 4010 transaction. A daily build reads its new files only
-- (tested_files_only, macros/incremental.sql): an adjustment's transaction, and the ST/BPR that names its
-- implementation, are in its own file (remit_transaction_id starts with the file id).
with

adjustments as (
    select
        remit_adjustment_id,
        remit_transaction_id,
        file_id,
        segment_position,
        adjustment_group_code
    from {{ ref('stg_x12_835__adjustments') }}
    where adjustment_group_code = 'CR' {{ tested_files_only(keyword='and') }}
),

payments as (
    select
        remit_transaction_id,
        implementation_reference
    from {{ ref('stg_x12_835__payments') }}
    {{ tested_files_only() }}
),

cr_adjustments_outside_4010 as (
    select
        adjustments.remit_adjustment_id,
        adjustments.file_id,
        adjustments.segment_position,
        payments.implementation_reference
    from adjustments
    left join payments
        on adjustments.remit_transaction_id = payments.remit_transaction_id
    where
        payments.implementation_reference is null
        or payments.implementation_reference not like '004010%'
)

select * from cr_adjustments_outside_4010
