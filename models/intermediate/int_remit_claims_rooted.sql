{#- Jumps of the pointer-doubling walk from each segment of a chain to its first segment: after n jumps
    chains of up to 2^n segments resolve (6 -> 64; a segment is a run of versions under one CLP07, so that is
    64 reversal/correction hand-overs). No recursive SQL, so the model runs on any adapter and can be unit
    tested; tests/dbt/intermediate/assert_remit_chain_roots_resolved.sql guards the depth. -#}
{%- set chain_jumps = 6 -%}
{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per remitted claim (835 CLP) with the first version of its chain (the chain root): the third
-- step of int_remit_claim_versions. The chain is the tree of parent links (int_remit_claims_linked) under
-- a first version. Most links go to the previous remit with the same CLP07 (a payer can resend one claim
-- thousands of times), so those runs are collapsed into segments first: a segment starts where a
-- version's parent is not the previous version with its CLP07. Only segment starts link elsewhere, and
-- pointer doubling walks those few links to the root. A chain stays within its claim key (payer + CLP01):
-- partitioned by remit_claim_id (kind remit_claim_id).

with

version_parents as (
    select
        remit_claim_id,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        previous_same_control_remit_claim_id,
        parent_remit_claim_id
    from {{ ref('int_remit_claims_linked') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

version_segment_starts as (
    select
        remit_claim_id,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        parent_remit_claim_id,
        case
            when parent_remit_claim_id is null then 1
            when previous_same_control_remit_claim_id is null then 1
            when parent_remit_claim_id != previous_same_control_remit_claim_id then 1
            else 0
        end as is_segment_start
    from version_parents
),

version_segments_sequenced as (
    select
        remit_claim_id,
        claim_key,
        parent_remit_claim_id,
        max(case when is_segment_start = 1 then claim_key_sequence end) over (
            partition by claim_key, payer_claim_control_key
            order by claim_key_sequence
            rows between unbounded preceding and current row
        ) as segment_start_sequence
    from version_segment_starts
),

version_segments as (
    select
        version_segments_sequenced.remit_claim_id,
        version_segments_sequenced.parent_remit_claim_id,
        segment_starts.remit_claim_id as segment_start_remit_claim_id
    from version_segments_sequenced
    inner join version_segment_starts as segment_starts
        on
            version_segments_sequenced.claim_key = segment_starts.claim_key
            and version_segments_sequenced.segment_start_sequence = segment_starts.claim_key_sequence
),

segment_parents as (
    select
        version_segments.segment_start_remit_claim_id,
        parent_segments.segment_start_remit_claim_id as parent_segment_start_remit_claim_id
    from version_segments
    left join version_segments as parent_segments
        on version_segments.parent_remit_claim_id = parent_segments.remit_claim_id
    where version_segments.remit_claim_id = version_segments.segment_start_remit_claim_id
),

segment_ancestors_0 as (
    select
        segment_start_remit_claim_id,
        coalesce(parent_segment_start_remit_claim_id, segment_start_remit_claim_id) as ancestor_remit_claim_id
    from segment_parents
),

{% for jump in range(1, chain_jumps + 1) -%}
    segment_ancestors_{{ jump }} as (
        select
            descendants.segment_start_remit_claim_id,
            ancestors.ancestor_remit_claim_id
        from segment_ancestors_{{ jump - 1 }} as descendants
        inner join segment_ancestors_{{ jump - 1 }} as ancestors
            on descendants.ancestor_remit_claim_id = ancestors.segment_start_remit_claim_id
    ),

{% endfor -%}

final as (
    select
        version_segments.remit_claim_id,
        version_segments.segment_start_remit_claim_id,
        chain_roots.ancestor_remit_claim_id as chain_root_remit_claim_id
    from version_segments
    inner join segment_ancestors_{{ chain_jumps }} as chain_roots
        on version_segments.segment_start_remit_claim_id = chain_roots.segment_start_remit_claim_id
)

select * from final
