{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 claim (CLM) whose patient carries a weight: the PAT segment of the level the claim sits
-- in. That is the patient level (HL 23, loop 2000C) when the patient is not the subscriber, else the
-- subscriber level itself (HL 22, loop 2000B), so joining on the claim's own HL01 reads the right PAT in
-- both cases. PAT07 is the weight's unit (X12 element 355; the 837 guides allow only 01, actual pounds)
-- and PAT08 the weight, kept as sent: conversion to kg is a seed's business (int_measure_unit_ratios).
-- Claims without a PAT weight have no row. Only the weight is read; the death date and pregnancy
-- indicator (PAT05/06, PAT09) are not needed.

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        segment_id,
        hl_id,
        claim_seq,
        elements
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and segment_id in ('CLM', 'PAT')
        {{ new_files_only() }}
),

claim_segments as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        hl_id
    from segments
    where segment_id = 'CLM'
),

-- the first PAT of each level that states a weight (the guides allow one per level)
level_weights as (
    select
        file_id,
        transaction_seq,
        hl_id,
        segment_position,
        upper({{ x12_element(7) }}) as weight_unit_code,
        {{ x12_quantity(x12_element(8)) }} as patient_weight,
        row_number() over (
            partition by file_id, transaction_seq, hl_id
            order by segment_position
        ) as occurrence
    from segments
    where
        segment_id = 'PAT'
        and {{ x12_element(8) }} is not null
),

final as (
    select
        ---------- ids and lineage
        {{ x12_key(['claim_segments.file_id', 'claim_segments.transaction_seq', 'claim_segments.claim_seq']) }}
            as claim_id,
        claim_segments.file_id,
        level_weights.segment_position,
        claim_segments.transaction_seq,
        claim_segments.claim_seq,

        ---------- patient weight (PAT07, PAT08)
        level_weights.weight_unit_code,
        level_weights.patient_weight
    from claim_segments
    inner join level_weights
        on
            claim_segments.file_id = level_weights.file_id
            and claim_segments.transaction_seq = level_weights.transaction_seq
            and claim_segments.hl_id = level_weights.hl_id
    where level_weights.occurrence = 1
)

select * from final
