{{
    config(
        materialized='table'
    )
}}

{#- Jumps of the pointer-doubling walk from each segment of a chain to its first segment: after n jumps
    chains of up to 2^n segments resolve (6 -> 64; a segment is a run of versions under one CLP07, so that is
    64 reversal/correction hand-overs). No recursive SQL, so the model runs on any adapter and can be unit
    tested; tests/dbt/intermediate/assert_remit_chain_roots_resolved.sql guards the depth. -#}
{%- set chain_jumps = 6 -%}

-- One row per remitted claim (835 CLP, loop 2100) with its place in the reversal/correction chain.
--
-- Remits of one claim share the claim key payer id + CLP01 and are put in remit order: remit date
-- (BPR16 payment date, else DTM*405 production date; undated last), then file and segment position.
-- Each version then points at the version it follows (its parent):
--   - a reversal (CLP02 = 22) follows the version it reverses: the latest earlier non-reversal with the
--     same CLP07, else with the same absolute charge, else the latest earlier non-reversal;
--   - a correction follows the reversal that comes just before it (TR3 1.10.2.8: reversal, then the
--     corrected claim "as if it were the original", often under a new CLP07);
--   - any other version follows the latest earlier version with the same CLP07 (null CLP07 counts as one
--     value, the payer + CLP01 fallback); without one it starts a chain of its own.
-- The chain is the tree under a first version; its key is payer id + CLP01 + the first version's CLP07
-- (payer id + CLP01 when that CLP07 is missing). Duplicate claims that reuse CLP01 under other CLP07s
-- therefore keep chains of their own, while a correction issued under a new CLP07 stays in the chain of
-- the claim it corrects.
-- Table, rebuilt in full: a remit in a later file changes is_final and the chain totals of versions
-- loaded earlier, so appending by file would leave them wrong.

with

payments as (
    select
        remit_transaction_id,
        payment_date,
        production_date,
        payer_id,
        payer_additional_id,
        trace_payer_id
    from {{ ref('stg_x12_835__payments') }}
),

remit_claims as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        patient_control_number,
        claim_status_code,
        claim_charge_amount,
        claim_paid_amount,
        patient_responsibility_amount,
        payer_claim_control_number
    from {{ ref('stg_x12_835__claims') }}
),

claim_statuses as (
    select
        claim_status_code,
        is_reversal
    from {{ ref('claim_status_codes') }}
),

adjustments as (
    select
        remit_claim_id,
        is_denial,
        denied_amount
    from {{ ref('int_adjustments_classified') }}
),

claim_denials as (
    select
        remit_claim_id,
        cast(sum(denied_amount) as decimal(18, 2)) as denied_amount,
        cast(sum(case when is_denial then 1 else 0 end) as {{ api.Column.translate_type('integer') }})
            as denial_adjustment_count
    from adjustments
    group by remit_claim_id
),

---------- claim key, remit date and reversal flag of each remit
remit_claims_keyed as (
    select
        remit_claims.remit_claim_id,
        remit_claims.remit_transaction_id,
        remit_claims.file_id,
        remit_claims.segment_position,
        coalesce(payments.payer_id, payments.payer_additional_id, payments.trace_payer_id) as payer_id,
        case
            when payments.payer_id is not null then 'N1_PR'
            when payments.payer_additional_id is not null then 'REF_2U'
            when payments.trace_payer_id is not null then 'TRN03'
        end as payer_id_source,
        remit_claims.patient_control_number,
        remit_claims.payer_claim_control_number,
        {{ dbt.concat([
            "coalesce(coalesce(payments.payer_id, payments.payer_additional_id, payments.trace_payer_id), '')",
            "':'",
            "coalesce(remit_claims.patient_control_number, '')"
        ]) }} as claim_key,
        coalesce(remit_claims.payer_claim_control_number, '') as payer_claim_control_key,
        coalesce(payments.payment_date, payments.production_date) as remit_date,
        case
            when payments.payment_date is not null then 'payment_date'
            when payments.production_date is not null then 'production_date'
        end as remit_date_source,
        remit_claims.claim_status_code,
        coalesce(claim_statuses.is_reversal, false) as is_reversal,
        remit_claims.claim_charge_amount,
        remit_claims.claim_paid_amount,
        remit_claims.patient_responsibility_amount,
        coalesce(claim_denials.denied_amount, 0) as denied_amount,
        coalesce(claim_denials.denial_adjustment_count, 0) as denial_adjustment_count
    from remit_claims
    left join payments
        on remit_claims.remit_transaction_id = payments.remit_transaction_id
    left join claim_statuses
        on remit_claims.claim_status_code = claim_statuses.claim_status_code
    left join claim_denials
        on remit_claims.remit_claim_id = claim_denials.remit_claim_id
),

remit_claims_sequenced as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        payer_id,
        payer_id_source,
        patient_control_number,
        payer_claim_control_number,
        claim_key,
        payer_claim_control_key,
        remit_date,
        remit_date_source,
        claim_status_code,
        is_reversal,
        claim_charge_amount,
        claim_paid_amount,
        patient_responsibility_amount,
        denied_amount,
        denial_adjustment_count,
        row_number() over (
            partition by claim_key
            order by
                case when remit_date is null then 1 else 0 end,
                remit_date,
                file_id,
                segment_position
        ) as claim_key_sequence
    from remit_claims_keyed
),

---------- what comes before each remit in its claim key's sequence
remit_claims_neighbours as (
    select
        remit_claim_id,
        claim_key,
        payer_claim_control_key,
        claim_key_sequence,
        is_reversal,
        lag(remit_claim_id) over (partition by claim_key order by claim_key_sequence)
            as previous_remit_claim_id,
        coalesce(lag(is_reversal) over (partition by claim_key order by claim_key_sequence), false)
            as is_previous_reversal,
        lag(remit_claim_id) over (
            partition by claim_key, payer_claim_control_key
            order by claim_key_sequence
        ) as previous_same_control_remit_claim_id,
        max(case when not is_reversal then claim_key_sequence end) over (
            partition by claim_key, payer_claim_control_key
            order by claim_key_sequence
            rows between unbounded preceding and 1 preceding
        ) as reversal_target_sequence_same_control,
        max(case when not is_reversal then claim_key_sequence end) over (
            partition by claim_key, abs(claim_charge_amount)
            order by claim_key_sequence
            rows between unbounded preceding and 1 preceding
        ) as reversal_target_sequence_same_charge,
        max(case when not is_reversal then claim_key_sequence end) over (
            partition by claim_key
            order by claim_key_sequence
            rows between unbounded preceding and 1 preceding
        ) as reversal_target_sequence_any
    from remit_claims_sequenced
),

reversal_targets as (
    select
        reversals.remit_claim_id,
        targets.remit_claim_id as reversed_remit_claim_id
    from remit_claims_neighbours as reversals
    inner join remit_claims_neighbours as targets
        on
            reversals.claim_key = targets.claim_key
            and targets.claim_key_sequence = coalesce(
                reversals.reversal_target_sequence_same_control,
                reversals.reversal_target_sequence_same_charge,
                reversals.reversal_target_sequence_any
            )
    where reversals.is_reversal
),

version_parents as (
    select
        remit_claims_neighbours.remit_claim_id,
        remit_claims_neighbours.claim_key,
        remit_claims_neighbours.payer_claim_control_key,
        remit_claims_neighbours.claim_key_sequence,
        remit_claims_neighbours.previous_same_control_remit_claim_id,
        reversal_targets.reversed_remit_claim_id,
        case
            when remit_claims_neighbours.is_reversal
                then coalesce(
                    reversal_targets.reversed_remit_claim_id,
                    remit_claims_neighbours.previous_same_control_remit_claim_id
                )
            when remit_claims_neighbours.is_previous_reversal then remit_claims_neighbours.previous_remit_claim_id
            else remit_claims_neighbours.previous_same_control_remit_claim_id
        end as parent_remit_claim_id
    from remit_claims_neighbours
    left join reversal_targets
        on remit_claims_neighbours.remit_claim_id = reversal_targets.remit_claim_id
),

---------- chain roots. Most links go to the previous remit with the same CLP07 (a payer can resend one
---------- claim thousands of times), so those runs are collapsed into segments first: a segment starts
---------- where a version's parent is not the previous version with its CLP07. Only segment starts link
---------- elsewhere, and pointer doubling walks those few links to the root.
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

version_chain_roots as (
    select
        version_segments.remit_claim_id,
        segment_ancestors_{{ chain_jumps }}.ancestor_remit_claim_id as chain_root_remit_claim_id
    from version_segments
    inner join segment_ancestors_{{ chain_jumps }}
        on version_segments.segment_start_remit_claim_id = segment_ancestors_{{ chain_jumps }}.segment_start_remit_claim_id
),

reversed_by_ranked as (
    select
        reversal_targets.reversed_remit_claim_id,
        reversal_targets.remit_claim_id as reversed_by_remit_claim_id,
        row_number() over (
            partition by reversal_targets.reversed_remit_claim_id
            order by remit_claims_sequenced.claim_key_sequence
        ) as reversal_rank
    from reversal_targets
    inner join remit_claims_sequenced
        on reversal_targets.remit_claim_id = remit_claims_sequenced.remit_claim_id
),

reversed_by as (
    select
        reversed_remit_claim_id,
        reversed_by_remit_claim_id
    from reversed_by_ranked
    where reversal_rank = 1
),

---------- each version with its parent, its chain root and the version it replaces
versions_linked as (
    select
        versions.remit_claim_id,
        versions.remit_transaction_id,
        versions.file_id,
        versions.segment_position,
        versions.payer_id,
        versions.payer_id_source,
        versions.patient_control_number,
        versions.payer_claim_control_number,
        versions.claim_key,
        versions.claim_key_sequence,
        versions.remit_date,
        versions.remit_date_source,
        versions.claim_status_code,
        versions.is_reversal,
        versions.claim_charge_amount,
        versions.claim_paid_amount,
        versions.patient_responsibility_amount,
        versions.denied_amount,
        versions.denial_adjustment_count,
        version_parents.parent_remit_claim_id,
        version_parents.reversed_remit_claim_id,
        reversed_by.reversed_by_remit_claim_id,
        coalesce(parents.is_reversal, false) and not versions.is_reversal as is_correction,
        case
            when versions.is_reversal then null
            when parents.is_reversal then parent_links.reversed_remit_claim_id
            else version_parents.parent_remit_claim_id
        end as replaces_remit_claim_id,
        version_chain_roots.chain_root_remit_claim_id,
        roots.payer_claim_control_number as chain_root_payer_claim_control_number
    from remit_claims_sequenced as versions
    inner join version_parents
        on versions.remit_claim_id = version_parents.remit_claim_id
    inner join version_chain_roots
        on versions.remit_claim_id = version_chain_roots.remit_claim_id
    left join remit_claims_sequenced as parents
        on version_parents.parent_remit_claim_id = parents.remit_claim_id
    left join version_parents as parent_links
        on version_parents.parent_remit_claim_id = parent_links.remit_claim_id
    left join remit_claims_sequenced as roots
        on version_chain_roots.chain_root_remit_claim_id = roots.remit_claim_id
    left join reversed_by
        on versions.remit_claim_id = reversed_by.reversed_remit_claim_id
),

versions_compared as (
    select
        versions_linked.remit_claim_id,
        versions_linked.remit_transaction_id,
        versions_linked.file_id,
        versions_linked.segment_position,
        versions_linked.payer_id,
        versions_linked.payer_id_source,
        versions_linked.patient_control_number,
        versions_linked.payer_claim_control_number,
        versions_linked.claim_key,
        versions_linked.claim_key_sequence,
        versions_linked.remit_date,
        versions_linked.remit_date_source,
        versions_linked.claim_status_code,
        versions_linked.is_reversal,
        versions_linked.claim_charge_amount,
        versions_linked.claim_paid_amount,
        versions_linked.patient_responsibility_amount,
        versions_linked.denied_amount,
        versions_linked.denial_adjustment_count,
        versions_linked.parent_remit_claim_id,
        versions_linked.reversed_remit_claim_id,
        versions_linked.reversed_by_remit_claim_id,
        versions_linked.is_correction,
        versions_linked.replaces_remit_claim_id,
        versions_linked.chain_root_remit_claim_id,
        versions_linked.chain_root_payer_claim_control_number,
        -- overturn: a correction after a reversal pays more than the version reversed, or a version
        -- that denied something is replaced by one that pays more
        coalesce(
            not versions_linked.is_reversal
            and versions_linked.claim_paid_amount > replaced.claim_paid_amount
            and (
                versions_linked.is_correction
                or replaced.denied_amount > 0
                or replaced.claim_status_code = '4'
            ),
            false
        ) as is_overturn
    from versions_linked
    left join remit_claims_sequenced as replaced
        on versions_linked.replaces_remit_claim_id = replaced.remit_claim_id
),

versions_ranked as (
    select
        remit_claim_id,
        chain_root_remit_claim_id,
        row_number() over (
            partition by chain_root_remit_claim_id
            order by claim_key_sequence
        ) as version_number,
        count(*) over (partition by chain_root_remit_claim_id) as version_count,
        row_number() over (
            partition by chain_root_remit_claim_id
            order by
                case when not is_reversal and reversed_by_remit_claim_id is null then 0 else 1 end,
                claim_key_sequence desc
        ) as final_rank,
        cast(sum(claim_charge_amount) over (partition by chain_root_remit_claim_id) as decimal(18, 2))
            as chain_net_charge_amount,
        cast(sum(claim_paid_amount) over (partition by chain_root_remit_claim_id) as decimal(18, 2))
            as chain_net_paid_amount,
        cast(
            sum(coalesce(patient_responsibility_amount, 0)) over (partition by chain_root_remit_claim_id)
            as decimal(18, 2)
        ) as chain_net_patient_responsibility_amount,
        cast(sum(denied_amount) over (partition by chain_root_remit_claim_id) as decimal(18, 2))
            as chain_net_denied_amount,
        max(case when is_overturn then 1 else 0 end) over (partition by chain_root_remit_claim_id)
            as chain_overturn_flag
    from versions_compared
),

final as (
    select
        ---------- ids and lineage
        versions_compared.remit_claim_id,
        versions_compared.remit_transaction_id,
        versions_compared.file_id,
        versions_compared.segment_position,

        ---------- claim key and chain
        versions_compared.payer_id,
        versions_compared.payer_id_source,
        versions_compared.patient_control_number,
        versions_compared.payer_claim_control_number,
        versions_compared.claim_key,
        versions_compared.claim_key_sequence,
        {{ dbt.concat([
            "versions_compared.claim_key",
            "case when versions_compared.chain_root_payer_claim_control_number is not null then ':' else '' end",
            "coalesce(versions_compared.chain_root_payer_claim_control_number, '')"
        ]) }} as chain_key,
        versions_compared.chain_root_remit_claim_id,
        versions_ranked.version_number,
        versions_ranked.version_count,
        versions_compared.remit_date,
        versions_compared.remit_date_source,

        ---------- place in the chain
        versions_compared.claim_status_code,
        versions_compared.is_reversal,
        versions_compared.parent_remit_claim_id,
        versions_compared.reversed_remit_claim_id,
        versions_compared.reversed_by_remit_claim_id,
        versions_compared.reversed_by_remit_claim_id is not null as is_reversed,
        versions_compared.is_correction,
        versions_compared.replaces_remit_claim_id,
        versions_ranked.final_rank = 1
        and not versions_compared.is_reversal
        and versions_compared.reversed_by_remit_claim_id is null as is_final,
        versions_ranked.version_number = versions_ranked.version_count as is_latest,
        versions_compared.is_overturn,
        versions_ranked.chain_overturn_flag = 1 as is_chain_overturned,

        ---------- amounts of the version, signed as sent (a reversal's are negative)
        versions_compared.claim_charge_amount,
        versions_compared.claim_paid_amount,
        versions_compared.patient_responsibility_amount,
        versions_compared.denied_amount,
        versions_compared.denial_adjustment_count,

        ---------- chain totals: reversals net out, so these are what the payer stands by
        versions_ranked.chain_net_charge_amount,
        versions_ranked.chain_net_paid_amount,
        versions_ranked.chain_net_patient_responsibility_amount,
        versions_ranked.chain_net_denied_amount
    from versions_compared
    inner join versions_ranked
        on versions_compared.remit_claim_id = versions_ranked.remit_claim_id
)

select * from final
