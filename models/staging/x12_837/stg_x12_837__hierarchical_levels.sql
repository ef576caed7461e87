-- One row per 837 hierarchical level (HL segment, loops 2000A/B/C) with its parent level and the
-- subscriber and billing provider levels above it. The loader's loop context gives every segment the
-- HL01 of the level it is in (hl_id); HL01 is unique within a transaction set (TR3 2.3.2.1), so a level's
-- parent is the level of the same transaction set whose HL01 equals its HL02. Nothing is rebuilt by
-- position, and every other 837 model reaches a level by (file_id, transaction_seq, hl_id).
-- The subscriber level of a level is the level itself when it is a subscriber (HL03 = 22), else its
-- parent (a patient level, HL03 = 23, sits under its subscriber); the billing provider level is the
-- subscriber level's parent.

with

hl_segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        hl_id,
        elements
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and {{ x12_segment_is('HL') }}
        {{ new_files_only() }}
),

levels as (
    select
        file_id,
        segment_position,
        transaction_seq,
        hl_id,
        {{ x12_element(2) }} as parent_hl_id,
        {{ x12_element(3) }} as hl_level_code,
        {{ x12_element(4) }} as hl_child_code
    from hl_segments
),

levels_with_parents as (
    select
        levels.file_id,
        levels.segment_position,
        levels.transaction_seq,
        levels.hl_id,
        levels.parent_hl_id,
        levels.hl_level_code,
        levels.hl_child_code,
        parents.segment_position as parent_segment_position,
        parents.parent_hl_id as grandparent_hl_id
    from levels
    left join levels as parents
        on
            levels.file_id = parents.file_id
            and levels.transaction_seq = parents.transaction_seq
            and levels.parent_hl_id = parents.hl_id
),

levels_with_grandparents as (
    select
        levels_with_parents.file_id,
        levels_with_parents.segment_position,
        levels_with_parents.transaction_seq,
        levels_with_parents.hl_id,
        levels_with_parents.parent_hl_id,
        levels_with_parents.hl_level_code,
        levels_with_parents.hl_child_code,
        levels_with_parents.parent_segment_position,
        grandparents.segment_position as grandparent_segment_position
    from levels_with_parents
    left join levels as grandparents
        on
            levels_with_parents.file_id = grandparents.file_id
            and levels_with_parents.transaction_seq = grandparents.transaction_seq
            and levels_with_parents.grandparent_hl_id = grandparents.hl_id
),

final as (
    select
        ---------- ids and lineage
        {{ text_key(['file_id', 'transaction_seq', 'hl_id']) }} as hierarchical_level_id,
        file_id,
        segment_position,
        transaction_seq,

        ---------- level (HL)
        hl_id,
        parent_hl_id,
        hl_level_code,
        case hl_level_code
            when '20' then 'billing_provider'
            when '22' then 'subscriber'
            when '23' then 'patient'
        end as hl_level,
        hl_child_code,

        ---------- levels above it (HL segment positions in the same file)
        parent_segment_position as parent_hl_segment_position,
        case
            when hl_level_code = '22' then segment_position
            else parent_segment_position
        end as subscriber_hl_segment_position,
        case
            when hl_level_code = '22' then parent_segment_position
            else grandparent_segment_position
        end as billing_provider_hl_segment_position
    from levels_with_grandparents
)

select * from final
