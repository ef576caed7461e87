{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per line version (adjudicated_line_id, remit_claim_id) and claim-level amount of its remit version
-- allocated to it:
--   claim_paid        the claim's paid amount (CLP04), when the version has no SVC lines (its lines are the
--                     matched 837 lines, or the claim's pseudo-line);
--   claim_adjustment  each claim-level CAS triplet (remit_adjustment_id), over all the version's lines.
-- Each line's share is in proportion to the absolute value of its charge in the version, truncated to whole
-- cents; the rounding remainder goes on the last line (highest line_order, then adjudicated_line_id), so
-- the shares add up to the claim-level amount exactly (macro marts_allocate_cents).
-- Table: read by int_line_version_adjustments and int_line_versions_valued.

with

line_versions as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_line_id,
        line_order,
        version_charge_amount,
        claim_paid_amount
    from {{ ref('int_line_versions_spined') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

claim_adjustments as (
    select
        remit_adjustment_id,
        remit_claim_id,
        adjustment_amount
    from {{ ref('int_adjustments_classified') }}
    where adjustment_level = 'claim' {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

---------- the basis of each remit version: its lines' charges, and which line is last
line_weights as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_line_id,
        claim_paid_amount,
        abs(coalesce(version_charge_amount, 0)) as attribution_weight,
        sum(abs(coalesce(version_charge_amount, 0))) over (partition by remit_claim_id) as attribution_total,
        row_number() over (
            partition by remit_claim_id
            order by line_order desc, adjudicated_line_id desc
        ) = 1 as is_last_line
    from line_versions
),

amounts_to_allocate as (
    select
        adjudicated_line_id,
        remit_claim_id,
        'claim_paid' as amount_source,
        cast(null as {{ x12_key_type() }}) as remit_adjustment_id,
        claim_paid_amount as claim_amount,
        attribution_weight,
        attribution_total,
        is_last_line
    from line_weights
    where remit_line_id is null
    union all
    select
        line_weights.adjudicated_line_id,
        line_weights.remit_claim_id,
        'claim_adjustment' as amount_source,
        claim_adjustments.remit_adjustment_id,
        claim_adjustments.adjustment_amount as claim_amount,
        line_weights.attribution_weight,
        line_weights.attribution_total,
        line_weights.is_last_line
    from line_weights
    inner join claim_adjustments
        on line_weights.remit_claim_id = claim_adjustments.remit_claim_id
),

-- one allocation per claim paid amount (remit_claim_id) and per claim CAS (remit_adjustment_id)
amounts_allocated as (
    select
        adjudicated_line_id,
        remit_claim_id,
        amount_source,
        remit_adjustment_id,
        {{ marts_allocate_cents(
            amount='claim_amount',
            weight='attribution_weight',
            total_weight='attribution_total',
            allocation_key='remit_claim_id, remit_adjustment_id',
            is_last_share='is_last_line'
        ) }} as allocated_amount
    from amounts_to_allocate
)

select * from amounts_allocated
