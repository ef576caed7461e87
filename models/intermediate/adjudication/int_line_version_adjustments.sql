{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per line version (adjudicated_line_id, remit_claim_id) and CAS triplet that adjusts it: the
-- line-level CAS of its remit line, and its allocated share of each claim-level CAS of its remit version
-- (int_claim_amounts_allocated). Classification (denial category, deciding RARC) is the triplet's, from
-- int_adjustments_classified; adjustment_amount is the line's amount (its share, for a claim-level CAS).
-- Table: int_line_versions_valued reads it twice.

with

line_versions as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_line_id
    from {{ ref('int_line_versions_spined') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

claim_adjustment_shares as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        allocated_amount
    from {{ ref('int_claim_amounts_allocated') }}
    where amount_source = 'claim_adjustment' {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

adjustments as {{ read_in_place() }} (
    select
        remit_adjustment_id,
        remit_line_id,
        segment_position,
        triplet_ordinal,
        adjustment_level,
        adjustment_group_code,
        carc_code,
        adjustment_amount,
        denial_category,
        is_denial,
        is_avoidable,
        classification_rule,
        deciding_rarc_code
    from {{ ref('int_adjustments_classified') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

---------- the line's own CAS at full amount, and its share of each claim CAS
line_adjustment_amounts as (
    select
        line_versions.adjudicated_line_id,
        line_versions.remit_claim_id,
        adjustments.remit_adjustment_id,
        adjustments.adjustment_amount
    from line_versions
    inner join adjustments
        on line_versions.remit_line_id = adjustments.remit_line_id
    where adjustments.adjustment_level = 'line'
    union all
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        allocated_amount as adjustment_amount
    from claim_adjustment_shares
),

line_version_adjustments as (
    select
        line_adjustment_amounts.adjudicated_line_id,
        line_adjustment_amounts.remit_claim_id,
        adjustments.remit_adjustment_id,
        adjustments.adjustment_level,
        adjustments.segment_position,
        adjustments.triplet_ordinal,
        adjustments.adjustment_group_code,
        adjustments.carc_code,
        adjustments.denial_category,
        adjustments.is_denial,
        adjustments.is_avoidable,
        adjustments.classification_rule,
        adjustments.deciding_rarc_code,
        line_adjustment_amounts.adjustment_amount
    from line_adjustment_amounts
    inner join adjustments
        on line_adjustment_amounts.remit_adjustment_id = adjustments.remit_adjustment_id
)

select * from line_version_adjustments
