{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 claim (CLM) with the demographics of its patient: the DMG of the level the claim sits
-- in. That is the patient level (HL 23, loop 2010CA) when the patient is not the subscriber, else the
-- subscriber level itself (HL 22, loop 2010BA), so joining on the claim's own HL01 reads the right DMG in
-- both cases. Only the birth date is read (for the drug labels' age limits); names and ids never are.

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
        and segment_id in ('CLM', 'DMG')
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
        min(segment_position) as dmg_segment_position
    from segments
    where
        segment_id = 'DMG'
        and hl_id is not null
    group by
        file_id,
        transaction_seq,
        hl_id
),

demographics as (
    select
        level_demographics.file_id,
        level_demographics.transaction_seq,
        level_demographics.hl_id,
        {{ x12_element(1, 'segments.elements') }} as birth_date_format,
        {{ x12_element(2, 'segments.elements') }} as birth_date_value
    from level_demographics
    inner join segments
        on
            level_demographics.file_id = segments.file_id
            and level_demographics.dmg_segment_position = segments.segment_position
),

final as (
    select
        ---------- ids and lineage
        {{ x12_key(['claim_segments.file_id', 'claim_segments.transaction_seq', 'claim_segments.claim_seq']) }}
            as claim_id,
        claim_segments.file_id,
        claim_segments.segment_position,

        ---------- patient demographics (DMG)
        demographics.birth_date_format,
        case
            when demographics.birth_date_format = 'D8' then {{ x12_date('demographics.birth_date_value') }}
        end as patient_birth_date
    from claim_segments
    left join demographics
        on
            claim_segments.file_id = demographics.file_id
            and claim_segments.transaction_seq = demographics.transaction_seq
            and claim_segments.hl_id = demographics.hl_id
)

select * from final
