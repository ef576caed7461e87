{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 claim (CLM) with what the drug rules need of its patient: the birth date (DMG02, for
-- the labels' age limits) and the weight (PAT07 unit, PAT08 weight, for labeled doses per kg). Both are
-- read at the level the claim sits in: the patient level (HL 23, loops 2000C/2010CA) when the patient is
-- not the subscriber, else the subscriber level itself (HL 22, loops 2000B/2010BA), so joining on the
-- claim's own HL01 reads the right segments in both cases. The weight is kept as sent: conversion to kg is
-- a seed's business (int_measure_unit_ratios). Names, ids, gender, the death date and the pregnancy
-- indicator are never read.

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
        and segment_id in ('CLM', 'DMG', 'PAT')
        {{ new_files_only() }}
),

claim_segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        hl_id
    from segments
    where segment_id = 'CLM'
),

-- the first DMG of each level (a level has one name loop, and that loop one DMG)
level_demographics as (
    select
        file_id,
        transaction_seq,
        hl_id,
        {{ x12_element(1) }} as birth_date_format,
        {{ x12_element(2) }} as birth_date_value,
        row_number() over (
            partition by file_id, transaction_seq, hl_id
            order by segment_position
        ) as occurrence
    from segments
    where
        segment_id = 'DMG'
        and hl_id is not null
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
        and hl_id is not null
        and {{ x12_element(8) }} is not null
),

final as (
    select
        ---------- ids and lineage
        {{ x12_key(['claim_segments.file_id', 'claim_segments.transaction_seq', 'claim_segments.claim_seq']) }}
            as claim_id,
        claim_segments.file_id,
        claim_segments.segment_position,

        ---------- patient demographics (DMG)
        level_demographics.birth_date_format,
        case
            when level_demographics.birth_date_format = 'D8'
                then {{ x12_date('level_demographics.birth_date_value') }}
        end as patient_birth_date,

        ---------- patient weight (PAT07, PAT08)
        level_weights.segment_position as weight_segment_position,
        level_weights.weight_unit_code,
        level_weights.patient_weight
    from claim_segments
    left join level_demographics
        on
            claim_segments.file_id = level_demographics.file_id
            and claim_segments.transaction_seq = level_demographics.transaction_seq
            and claim_segments.hl_id = level_demographics.hl_id
            and level_demographics.occurrence = 1
    left join level_weights
        on
            claim_segments.file_id = level_weights.file_id
            and claim_segments.transaction_seq = level_weights.transaction_seq
            and claim_segments.hl_id = level_weights.hl_id
            and level_weights.occurrence = 1
)

select * from final
