-- One row per 837 hierarchical level (HL segment, loops 2000A/B/C) with its parent level and the
-- subscriber and billing provider levels above it. A level is known by the position of its HL segment:
-- the loader gives every segment the position of the HL whose level it is in (hl_position), and every
-- other 837 model reaches a level by (file_id, hl_position).
-- A level's parent is the nearest level before it in its transaction set whose HL01 is its HL02. The
-- guide wants HL01 unique in a transaction set (TR3 2.3.2.1), where that is the one level with that id;
-- some senders number each billing provider's levels from 1 again, and their files still nest this way.
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

-- every level twice: as the holder of its HL01, and as a search for its HL02; in one ordered run per
-- transaction set and id, a search sees the holders before it (a level's own HL01 comes after its search)
ids_held_and_sought as (
    select
        file_id,
        transaction_seq,
        hl_id as level_id,
        segment_position,
        1 as is_holder,
        segment_position as holder_position
    from levels
    union all
    select
        file_id,
        transaction_seq,
        parent_hl_id as level_id,
        segment_position,
        0 as is_holder,
        cast(null as integer) as holder_position
    from levels
    where parent_hl_id is not null
),

nearest_holders as (
    select
        file_id,
        segment_position,
        is_holder,
        max(holder_position) over (
            partition by file_id, transaction_seq, level_id
            order by segment_position, is_holder
            rows between unbounded preceding and current row
        ) as nearest_holder_position
    from ids_held_and_sought
),

parent_positions as (
    select
        file_id,
        segment_position,
        nearest_holder_position as parent_segment_position
    from nearest_holders
    where is_holder = 0
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
        parent_positions.parent_segment_position
    from levels
    left join parent_positions
        on
            levels.file_id = parent_positions.file_id
            and levels.segment_position = parent_positions.segment_position
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
        parents.parent_segment_position as grandparent_segment_position
    from levels_with_parents
    left join levels_with_parents as parents
        on
            levels_with_parents.file_id = parents.file_id
            and levels_with_parents.parent_segment_position = parents.segment_position
),

final as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'segment_position']) }} as hierarchical_level_id,
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
