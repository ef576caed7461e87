{{ config(tags=['intermediate']) }}

-- why: "the first deciding remark" and "the first non-alert remark" of a line or claim are read as rank 1;
-- a scope whose ranks skip or repeat would let two remarks decide, or none.
-- Returns one row per scope and rank kind whose ranks are not exactly 1..n. A build that rebuilt only some
-- PCNs reads their remit claims' remarks (tested_rows_only, macros/incremental.sql): a scope, a line or a
-- claim, belongs to one remit claim, so each scope read is read whole.
with

remarks as (
    select
        scope_level,
        scope_id,
        is_alert,
        is_deciding,
        non_alert_rank,
        deciding_rank
    from {{ ref('int_remarks_scoped') }}
    {{ tested_rows_only('remit_claim_id', 'remit_claim_id') }}
),

non_alert_ranks as (
    select
        scope_level,
        scope_id,
        'non_alert' as rank_kind,
        count(*) as remark_count,
        count(distinct non_alert_rank) as distinct_rank_count,
        min(non_alert_rank) as min_rank,
        max(non_alert_rank) as max_rank
    from remarks
    where not is_alert
    group by
        scope_level,
        scope_id
),

deciding_ranks as (
    select
        scope_level,
        scope_id,
        'deciding' as rank_kind,
        count(*) as remark_count,
        count(distinct deciding_rank) as distinct_rank_count,
        min(deciding_rank) as min_rank,
        max(deciding_rank) as max_rank
    from remarks
    where is_deciding
    group by
        scope_level,
        scope_id
),

ranks as (
    select * from non_alert_ranks
    union all
    select * from deciding_ranks
),

scopes_with_broken_ranks as (
    select
        scope_level,
        scope_id,
        rank_kind,
        remark_count,
        distinct_rank_count,
        min_rank,
        max_rank
    from ranks
    where
        distinct_rank_count != remark_count
        or min_rank != 1
        or max_rank != remark_count
)

select * from scopes_with_broken_ranks
