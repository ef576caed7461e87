{{ config(materialized='view') }}

-- One row per adjudicated line: the totals of its remit chain, and the columns fct_adjudicated_lines takes
-- from its first, final and denying versions (ranked by int_line_versions_valued; macro line_version_picks
-- lists them), each picked by its rank in one grouped pass. A line has exactly one first and one final
-- version; it has a denying version only when a non-reversal version denied, else the denying_ columns are
-- null. One pass rather than three joins of the versions: the joins held every version's columns in memory
-- at once, which did not fit a memory limit at a million claims; an aggregate spills. Most lines have one
-- version, which is its own first, final and denying pick: those skip the aggregate, which then groups only
-- the lines with several (at a million claims, 3% of the lines; grouping them all spilled 1.3 GB).
--   - paid_amount, denied_amount: netted over the versions the payer still stands by (is_standing);
--     denied dollars after netting are floored at 0;
--   - is_overturned: denied at first, adjudicated again, with less denied in the end.
-- A view: fct_adjudicated_lines alone reads it, once, and at a million claims writing its 3M wide rows to a
-- table and reading them back took as long again as computing them, on the build's longest chain. The
-- fact's patient-control-number filter (incremental runs) reaches through it to the versions it reads: the
-- lines are grouped by their number as well, which is one per line.

{%- set picks = line_version_picks() %}

with

line_versions as {{ read_in_place() }} (
    select
        {% for column in (picks['first'] + picks['final'] + picks['denying']) | unique -%}
            {{ column }},
        {% endfor -%}
        adjudicated_line_id,
        is_reversal,
        is_final,
        is_standing,
        first_adjudication_rank,
        final_rank,
        denying_rank,
        line_version_count
    from {{ ref('int_line_versions_valued') }}
),

-- the denying version: the first-ranked one, when it denied and is not a reversal
line_versions_flagged as {{ read_in_place() }} (
    select
        line_versions.*,
        line_versions.denying_rank = 1
        and line_versions.denied_amount > 0
        and not line_versions.is_reversal as is_denying_version
    from line_versions
),

-- a line's only version is its first, final and, when it denied, its denying version
single_version_lines as (
    select
        {% for column in picks['first'] -%}
            {{ column }} as first_{{ column }},
        {% endfor -%}
        {% for column in picks['final'] -%}
            {{ column }} as final_{{ column }},
        {% endfor -%}
        {% for column in picks['denying'] -%}
            case when is_denying_version then {{ column }} end as denying_{{ column }},
        {% endfor -%}
        adjudicated_line_id,
        patient_control_number,
        1 as version_count,
        case when is_reversal then 1 else 0 end as reversal_count,
        is_final as has_final_version,
        case when is_standing then paid_amount else 0 end as paid_amount,
        greatest(case when is_standing then denied_amount else 0 end, 0) as denied_amount,
        not is_reversal and denied_amount > 0 as was_ever_denied
    from line_versions_flagged
    where line_version_count = 1
),

multi_version_lines as (
    select
        {% for column in picks['first'] -%}
            max(case when first_adjudication_rank = 1 then {{ column }} end) as first_{{ column }},
        {% endfor -%}
        {% for column in picks['final'] -%}
            max(case when final_rank = 1 then {{ column }} end) as final_{{ column }},
        {% endfor -%}
        {% for column in picks['denying'] -%}
            max(case when is_denying_version then {{ column }} end) as denying_{{ column }},
        {% endfor -%}
        adjudicated_line_id,
        patient_control_number,
        count(*) as version_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        max(case when is_final then 1 else 0 end) = 1 as has_final_version,
        sum(case when is_standing then paid_amount else 0 end) as paid_amount,
        greatest(sum(case when is_standing then denied_amount else 0 end), 0) as denied_amount,
        max(case when not is_reversal and denied_amount > 0 then 1 else 0 end) = 1 as was_ever_denied
    from line_versions_flagged
    where line_version_count > 1
    group by
        adjudicated_line_id,
        patient_control_number
),

lines_picked as (
    select * from single_version_lines
    union all
    select * from multi_version_lines
),

lines_netted as (
    select
        *,
        first_denied_amount > 0 as is_initially_denied,
        was_ever_denied
        and first_denied_amount > 0
        and version_count > 1
        and has_final_version
        and denied_amount < first_denied_amount as is_overturned
    from lines_picked
)

select * from lines_netted
