"""Publish a parsed file: place every segment in its envelope and loop, set-based in DuckDB.

Loop context follows the implementation guides' loop starts. 835 (005010X221A1): CLP opens 2100, SVC
opens 2110, LX 2000, PLB the summary, N1*PR/N1*PE the 1000A/1000B payer and payee loops. 837
(X222/X223): HL opens 2000A/B/C by HL03, CLM opens 2300, SBR inside a claim 2320, LX 2400, LIN 2410,
SVD 2430; NM1 opens the name loop under the current one (2310, 2330, 2420).

Only the segments that can open a loop are windowed (narrow rows, a fraction of the file); every
segment then takes the context of the last opener before it in its transaction through an ASOF
join, so the segment text is moved exactly once.
"""

from __future__ import annotations

# Temporary tables: private to the loading connection, spilled to disk past the memory limit,
# gone if the process dies, so a crash can never leave a half-published file behind.
LOADING_TABLE = "x12_segments_loading"
RUNS_TABLE = "x12_runs_loading"
CHANGES_TABLE = "x12_context_changes"

CONTEXT_CHANGES_SQL = f"""
create or replace temp table {CHANGES_TABLE} as
with

structural as (
    select
        loading.segment_position,
        loading.segment_id,
        case when loading.segment_id in ('N1', 'HL')
            then split_part(loading.segment_text, loading.element_separator, 2) end as element_1,
        case when loading.segment_id = 'HL'
            then split_part(loading.segment_text, loading.element_separator, 4) end as element_3,
        runs.interchange_seq,
        runs.group_seq,
        runs.transaction_seq,
        runs.transaction_set_id
    from {LOADING_TABLE} as loading
    asof inner join {RUNS_TABLE} as runs
        on loading.segment_position >= runs.start_position
    where loading.segment_id in (
        'ST', 'SE', 'CLP', 'SVC', 'LX', 'PLB', 'N1', 'HL', 'CLM', 'SBR', 'LIN', 'SVD', 'NM1'
    )
        and runs.transaction_set_id in ('835', '837')
),

-- 835 ------------------------------------------------------------------------------------------
remit_claims_counted as (
    select
        *,
        sum(case when segment_id = 'CLP' then 1 else 0 end) over transaction_so_far as claim_number
    from structural
    where transaction_set_id = '835'
    window transaction_so_far as (
        partition by transaction_seq order by segment_position rows unbounded preceding
    )
),

remit_openers as (
    select
        *,
        case
            when segment_id in ('ST', 'CLP', 'LX', 'PLB', 'SE') then segment_id
            when segment_id = 'SVC' and claim_number > 0 then 'SVC'
            when segment_id = 'N1' and claim_number = 0
                then case element_1 when 'PR' then 'N1PR' when 'PE' then 'N1PE' end
        end as opener
    from remit_claims_counted
),

remit_lines_counted as (
    select
        *,
        sum(case when opener = 'SVC' then 1 else 0 end) over claim_so_far as line_number
    from remit_openers
    where opener is not null
    window claim_so_far as (
        partition by transaction_seq, claim_number order by segment_position rows unbounded preceding
    )
),

remit_context as (
    select
        segment_position as start_position,
        interchange_seq,
        group_seq,
        transaction_seq,
        case opener
            when 'CLP' then '2100' when 'SVC' then '2110' when 'LX' then '2000' when 'PLB' then 'summary'
            when 'N1PR' then '1000A' when 'N1PE' then '1000B' when 'SE' then 'envelope'
            else 'header'
        end as loop_id,
        cast(null as varchar) as hl_id,
        case when opener in ('CLP', 'SVC') then claim_number end as claim_seq,
        case when opener = 'SVC' then line_number end as line_seq
    from remit_lines_counted
),

-- 837 ------------------------------------------------------------------------------------------
claim_levels as (
    select
        *,
        sum(case when segment_id = 'CLM' then 1 else 0 end) over transaction_so_far as claim_number,
        max(case when segment_id = 'CLM' then segment_position end) over transaction_so_far
            as last_claim_position,
        max(case when segment_id = 'HL' then segment_position end) over transaction_so_far
            as last_level_position,
        last_value(element_1 ignore nulls) over transaction_so_far as hl_id
    from structural
    where transaction_set_id = '837'
    window transaction_so_far as (
        partition by transaction_seq order by segment_position rows unbounded preceding
    )
),

claim_lines_counted as (
    select
        *,
        sum(case when segment_id = 'LX' and in_claim then 1 else 0 end) over claim_so_far as line_number
    from (
        select
            *,
            coalesce(last_claim_position, 0) > coalesce(last_level_position, 0) as in_claim
        from claim_levels
    ) as levels
    window claim_so_far as (
        partition by transaction_seq, claim_number order by segment_position rows unbounded preceding
    )
),

claim_majors as (
    select
        *,
        case
            when segment_id = 'HL' then case element_3
                when '20' then '2000A' when '22' then '2000B' when '23' then '2000C' else '2000' end
            when segment_id = 'CLM' then '2300'
            when segment_id = 'SBR' and in_claim and line_number = 0 then '2320'
            when segment_id = 'LX' and in_claim then '2400'
            when segment_id = 'LIN' and in_claim and line_number > 0 then '2410'
            when segment_id = 'SVD' and in_claim and line_number > 0 then '2430'
            when segment_id = 'SE' then 'envelope'
        end as major_loop
    from claim_lines_counted
),

claim_loops as (
    select
        *,
        last_value(major_loop ignore nulls) over transaction_so_far as last_major_loop
    from claim_majors
    window transaction_so_far as (
        partition by transaction_seq order by segment_position rows unbounded preceding
    )
),

claim_context as (
    select
        segment_position as start_position,
        interchange_seq,
        group_seq,
        transaction_seq,
        case
            when segment_id = 'NM1'
                then coalesce(case last_major_loop
                    when '2300' then '2310' when '2320' then '2330' when '2400' then '2420'
                    when '2410' then '2420' end, last_major_loop, 'header')
            else coalesce(major_loop, 'header')
        end as loop_id,
        hl_id,
        case when in_claim and segment_id <> 'SE' then claim_number end as claim_seq,
        case when in_claim and line_number > 0 and segment_id <> 'SE' then line_number end as line_seq
    from claim_loops
    where major_loop is not null or segment_id in ('ST', 'NM1')
),

loop_openers as (
    select * from remit_context
    union all
    select * from claim_context
),

-- envelope changes that open no loop: between transaction sets, and unsupported transaction sets
envelope_changes as (
    select
        runs.start_position,
        runs.interchange_seq,
        runs.group_seq,
        runs.transaction_seq,
        case when runs.transaction_seq is null then 'envelope' end as loop_id,
        cast(null as varchar) as hl_id,
        cast(null as integer) as claim_seq,
        cast(null as integer) as line_seq
    from {RUNS_TABLE} as runs
    where runs.start_position not in (select start_position from loop_openers)
)

select * from loop_openers
union all
select * from envelope_changes
"""

PUBLISH_SQL = f"""
insert into raw.x12_segments (
    file_id, segment_position, interchange_seq, group_seq, transaction_seq, segment_id,
    segment_text, element_separator, loop_id, hl_id, claim_seq, line_seq, leading_text, is_terminated
)
select
    $file_id,
    loading.segment_position,
    changes.interchange_seq,
    changes.group_seq,
    changes.transaction_seq,
    loading.segment_id,
    loading.segment_text,
    loading.element_separator,
    changes.loop_id,
    changes.hl_id,
    changes.claim_seq,
    changes.line_seq,
    nullif(loading.leading_text, ''),
    loading.segment_position <> $unterminated_position
from {LOADING_TABLE} as loading
asof inner join {CHANGES_TABLE} as changes
    on loading.segment_position >= changes.start_position
"""
