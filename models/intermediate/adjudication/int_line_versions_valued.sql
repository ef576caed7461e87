{{ config(**partitioned_by('patient_control_number')) }}

-- One row per adjudicated line and remit version (the grain of int_line_versions_spined), valued: what the
-- version paid the line (its SVC paid amount, else its share of the claim's paid amount), what it denied
-- (the sum of its denial adjustments, claim-level shares included) and its primary denial: the largest
-- denial adjustment (ties: line level first, then CAS order). The primary RARC is the remark that decided
-- that adjustment's category, else the first non-alert remark of its scope (the line's LQ for a line-level
-- CAS, then the claim's MOA/MIA). Ranks order the versions of each line for the fact: first adjudication
-- (first non-reversal version), final version, and denying version (the latest non-reversal version that
-- denied, the final one first), and how many versions the line has.
-- The fact sums and picks its versions (line_versions_picked_ctes); this table carries the spine's columns
-- it picks, and no others (each column of 3M rows costs its write at a million claims). Keeping only the
-- key and the values, for the view to join to the spine, cost the fact more than it saved here: DuckDB
-- estimates that two-key join far too low and then builds the fact's claim join on the lines.

{#- the spine's columns int_line_versions_picked picks, carried through unchanged -#}
{%- set carried_columns = [
    'adjudicated_line_id', 'claim_line_id', 'claim_id', 'remit_line_id',
    'remit_claim_id', 'match_method', 'line_control_number', 'remit_transaction_id',
    'remit_payer_id', 'patient_control_number', 'remit_date', 'claim_received_date',
    'is_reversal', 'is_final', 'is_standing', 'line_number',
    'procedure_code', 'procedure_modifier_1', 'procedure_modifier_2', 'procedure_modifier_3',
    'procedure_modifier_4', 'service_date', 'units_billed', 'version_charge_amount',
    'remit_allowed_amount', 'remit_units_paid', 'claim_line_charge_amount', 'remit_file_id',
    'claim_file_id', 'claim_segment_position'
] %}

with

line_versions as (
    select
        {% for column in carried_columns -%}
            {{ column }},
        {% endfor -%}
        -- what the values are computed from
        remit_line_paid_amount,
        remit_line_segment_position,
        remit_claim_segment_position
    from {{ ref('int_line_versions_spined') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

-- the same rows, only what orders the versions of a line
line_version_keys as (
    select
        adjudicated_line_id,
        remit_claim_id,
        claim_key_sequence,
        is_reversal,
        is_final
    from {{ ref('int_line_versions_spined') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

claim_paid_shares as (
    select
        adjudicated_line_id,
        remit_claim_id,
        allocated_amount as paid_share
    from {{ ref('int_claim_amounts_allocated') }}
    where amount_source = 'claim_paid' {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

line_version_adjustments as {{ read_in_place() }} (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        segment_position,
        triplet_ordinal,
        adjustment_group_code,
        carc_code,
        adjustment_amount,
        denial_category,
        is_denial,
        is_avoidable,
        classification_rule,
        deciding_rarc_code
    from {{ ref('int_line_version_adjustments') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

first_remarks as {{ read_in_place() }} (
    select
        scope_level,
        scope_id,
        rarc_code
    from {{ ref('int_remarks_scoped') }}
    where non_alert_rank = 1 {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

---------- denials of each line version
line_version_denials as (
    select
        adjudicated_line_id,
        remit_claim_id,
        sum(case when is_denial then adjustment_amount else 0 end) as denied_amount,
        sum(case when is_denial then 1 else 0 end) as denial_adjustment_count
    from line_version_adjustments
    group by
        adjudicated_line_id,
        remit_claim_id
),

primary_denials_ranked as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        adjustment_group_code,
        carc_code,
        denial_category,
        is_avoidable,
        classification_rule,
        deciding_rarc_code,
        row_number() over (
            partition by adjudicated_line_id, remit_claim_id
            order by
                adjustment_amount desc,
                case when adjustment_level = 'line' then 0 else 1 end,
                segment_position asc,
                triplet_ordinal asc
        ) as denial_rank
    from line_version_adjustments
    where is_denial and adjustment_amount > 0
),

primary_denials as (
    select * from primary_denials_ranked
    where denial_rank = 1
),

line_versions_valued as (
    select
        {% for column in carried_columns -%}
            line_versions.{{ column }},
        {% endfor -%}
        coalesce(line_versions.remit_line_paid_amount, claim_paid_shares.paid_share, 0) as paid_amount,
        coalesce(line_version_denials.denied_amount, 0) as denied_amount,
        coalesce(line_version_denials.denial_adjustment_count, 0) as denial_adjustment_count,
        case
            when primary_denials.adjustment_level = 'claim' or line_versions.remit_line_id is null
                then line_versions.remit_claim_segment_position
            else line_versions.remit_line_segment_position
        end as remit_segment_position,

        ---------- primary denial
        primary_denials.remit_adjustment_id as primary_remit_adjustment_id,
        primary_denials.adjustment_level as primary_adjustment_level,
        primary_denials.adjustment_group_code as primary_group_code,
        primary_denials.carc_code as primary_carc_code,
        coalesce(
            primary_denials.deciding_rarc_code,
            case when primary_denials.adjustment_level = 'line' then line_remarks.rarc_code end,
            claim_remarks.rarc_code
        ) as primary_rarc_code,
        primary_denials.denial_category,
        primary_denials.is_avoidable,
        primary_denials.classification_rule
    from line_versions
    left join claim_paid_shares
        on
            line_versions.adjudicated_line_id = claim_paid_shares.adjudicated_line_id
            and line_versions.remit_claim_id = claim_paid_shares.remit_claim_id
    left join line_version_denials
        on
            line_versions.adjudicated_line_id = line_version_denials.adjudicated_line_id
            and line_versions.remit_claim_id = line_version_denials.remit_claim_id
    left join primary_denials
        on
            line_versions.adjudicated_line_id = primary_denials.adjudicated_line_id
            and line_versions.remit_claim_id = primary_denials.remit_claim_id
    left join first_remarks as line_remarks
        on
            line_remarks.scope_level = 'line'
            and line_versions.remit_line_id = line_remarks.scope_id
    left join first_remarks as claim_remarks
        on
            claim_remarks.scope_level = 'claim'
            and line_versions.remit_claim_id = claim_remarks.scope_id
),

---------- which version is first, final and denying, per line: ranked on the few columns the orders read,
-- then joined to the valued rows (three windows over the whole valued row sorted every column three times,
-- most of this model's time at a million claims)
version_order_keys as (
    select
        line_version_keys.adjudicated_line_id,
        line_version_keys.remit_claim_id,
        line_version_keys.claim_key_sequence,
        line_version_keys.is_reversal,
        line_version_keys.is_final,
        coalesce(line_version_denials.denied_amount, 0) as denied_amount
    from line_version_keys
    left join line_version_denials
        on
            line_version_keys.adjudicated_line_id = line_version_denials.adjudicated_line_id
            and line_version_keys.remit_claim_id = line_version_denials.remit_claim_id
),

version_ranks as (
    select
        adjudicated_line_id,
        remit_claim_id,
        row_number() over (
            partition by adjudicated_line_id
            order by
                case when is_reversal then 1 else 0 end,
                claim_key_sequence
        ) as first_adjudication_rank,
        row_number() over (
            partition by adjudicated_line_id
            order by
                case when is_final then 0 else 1 end,
                claim_key_sequence desc
        ) as final_rank,
        row_number() over (
            partition by adjudicated_line_id
            order by
                case when denied_amount > 0 and not is_reversal then 0 else 1 end,
                case when is_final then 0 else 1 end,
                claim_key_sequence desc
        ) as denying_rank,
        count(*) over (partition by adjudicated_line_id) as line_version_count
    from version_order_keys
),

line_versions_ranked as (
    select
        line_versions_valued.*,
        version_ranks.first_adjudication_rank,
        version_ranks.final_rank,
        version_ranks.denying_rank,
        version_ranks.line_version_count
    from line_versions_valued
    inner join version_ranks
        on
            line_versions_valued.adjudicated_line_id = version_ranks.adjudicated_line_id
            and line_versions_valued.remit_claim_id = version_ranks.remit_claim_id
)

select * from line_versions_ranked
