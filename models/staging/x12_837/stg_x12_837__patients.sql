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
-- claim's own level (the position of its HL) reads the right segments in both cases. The weight is kept
-- as sent: conversion to kg is a seed's business (int_measure_unit_ratios). Names, ids, gender, the death
-- date and the pregnancy indicator are never read.

{%- set first_dmg = "case when segment_id = 'DMG' then segment_position end" %}
{%- set first_weight = "case when segment_id = 'PAT' and " ~ x12_element(8)
    ~ " is not null then segment_position end" %}

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        segment_id,
        hl_position,
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
        hl_position
    from segments
    where segment_id = 'CLM'
),

-- per level: its first DMG, and its first PAT that states a weight (the guides allow one of each per level)
level_patients as (
    select
        file_id,
        hl_position,
        {{ first_by_position(x12_element(1), first_dmg) }} as birth_date_format,
        {{ first_by_position(x12_element(2), first_dmg) }} as birth_date_value,
        min({{ first_weight }}) as weight_segment_position,
        {{ first_by_position('upper(' ~ x12_element(7) ~ ')', first_weight) }} as weight_unit_code,
        {{ first_by_position(x12_quantity(x12_element(8)), first_weight) }} as patient_weight
    from segments
    where
        segment_id in ('DMG', 'PAT')
        and hl_position is not null
    group by
        file_id,
        hl_position
),

final as (
    select
        ---------- ids and lineage
        {{ x12_key(['claim_segments.file_id', 'claim_segments.transaction_seq', 'claim_segments.claim_seq']) }}
            as claim_id,
        claim_segments.file_id,
        claim_segments.segment_position,

        ---------- patient demographics (DMG)
        level_patients.birth_date_format,
        case
            when level_patients.birth_date_format = 'D8' then {{ x12_date('level_patients.birth_date_value') }}
        end as patient_birth_date,

        ---------- patient weight (PAT07, PAT08)
        level_patients.weight_segment_position,
        level_patients.weight_unit_code,
        level_patients.patient_weight
    from claim_segments
    left join level_patients
        on
            claim_segments.file_id = level_patients.file_id
            and claim_segments.hl_position = level_patients.hl_position
)

select * from final
