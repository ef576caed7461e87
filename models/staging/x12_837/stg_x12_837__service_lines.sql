{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 service line (LX, loop 2400): the SV1 (837P) or SV2 (837I) service, the service
-- date and the line's references and note. Segments of 2410/2420/2430 carry other loop ids and are
-- left to their own models.
-- One aggregate reads a line's segments once and keeps the first of each kind. Picking the first SV1/SV2
-- with a window and joining it and the references back to the LX held about 450 MB more at a million
-- claims, next to the build's memory limit, and took longer. The service's elements are kept one text each,
-- not as the segment's list: keeping the first of a list cost DuckDB about a fifth of the model's time at
-- a million claims.

{%- set first_of = "case when segment_id = '%s' and " ~ x12_element(1) ~ " = '%s' then segment_position end" %}
{%- set first_service = "case when segment_id in ('SV1', 'SV2') then segment_position end" %}
{%- set first_line = "case when segment_id = 'LX' then segment_position end" %}
{%- set first_note = "case when segment_id = 'NTE' then segment_position end" %}
{#- SV1 and SV2 use elements 1 to 7 -#}
{%- set service_element_count = 7 %}
{%- set procedure_composite =
    "case when service_segment_id = 'SV1' then service_element_1 else service_element_2 end" %}
{%- set diagnosis_pointer_composite = "case when service_segment_id = 'SV1' then service_element_7 end" %}

with

segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        segment_id,
        elements,
        claim_seq,
        line_seq,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and loop_id = '2400'
        and line_seq is not null
        and segment_id in ('LX', 'SV1', 'SV2', 'DTP', 'REF', 'NTE')
        {{ new_files_only() }}
),

-- the LX, the first SV1 or SV2 (its elements, split below), the first DTP*472, REF*6R and REF*G1, and the first
-- NTE whatever its qualifier. The LX opens the line (it numbers line_seq), so every line has one; the
-- having clause holds the grain to one row per LX all the same.
line_segments_pivoted as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        min({{ first_line }}) as segment_position,
        {{ first_by_position(x12_element(1), first_line) }}
            as assigned_line_number_text,
        {{ first_by_position('segment_id', first_service) }} as service_segment_id,
        {% for position in range(1, service_element_count + 1) -%}
            {{ first_by_position(x12_element(position), first_service) }} as service_element_{{ position }},
        {% endfor -%}
        -- the interchange's separator, the same on every segment of the line
        min(component_separator) as component_separator,
        {{ first_by_position(x12_element(2), first_of | format('DTP', '472')) }} as service_date_format,
        {{ first_by_position(x12_element(3), first_of | format('DTP', '472')) }} as service_date_value,
        {{ first_by_position(x12_element(2), first_of | format('REF', '6R')) }} as line_control_number,
        {{ first_by_position(x12_element(2), first_of | format('REF', 'G1')) }}
            as line_prior_authorization_number,
        cast(
            sum(case when segment_id = 'REF' and {{ x12_element(1) }} = 'G1' then 1 else 0 end)
            as {{ api.Column.translate_type('integer') }}
        ) as line_prior_authorization_count,
        {{ first_by_position(x12_element(1), first_note) }} as line_note_qualifier,
        {{ first_by_position(x12_element(2), first_note) }} as line_note_text
    from segments
    group by
        file_id,
        transaction_seq,
        claim_seq,
        line_seq
    having count(case when segment_id = 'LX' then 1 end) > 0
),

-- SV1 and SV2 carry the same facts one element apart: SV2 puts the revenue code first. Composites are split
-- on the interchange's component separator.
services as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_position,
        assigned_line_number_text,
        service_segment_id,
        case when service_segment_id = 'SV2' then service_element_1 end as revenue_code,
        {% for column in ['procedure_qualifier', 'procedure_code', 'procedure_modifier_1', 'procedure_modifier_2',
                          'procedure_modifier_3', 'procedure_modifier_4', 'procedure_description'] -%}
            {{ x12_component(procedure_composite, 'component_separator', loop.index) }} as {{ column }},
        {% endfor -%}
        {% for column, sv1_position in [('charge_text', 2), ('unit_basis_code', 3), ('units_text', 4)] -%}
            case
                when service_segment_id = 'SV1' then service_element_{{ sv1_position }}
                else service_element_{{ sv1_position + 1 }}
            end as {{ column }},
        {% endfor -%}
        case when service_segment_id = 'SV1' then service_element_5 end as place_of_service_code,
        {% for pointer in range(1, 5) -%}
            {{ x12_component(diagnosis_pointer_composite, 'component_separator', pointer) }}
                as diagnosis_pointer_{{ pointer }}_text,
        {% endfor -%}
        case when service_segment_id = 'SV2' then service_element_7 end as non_covered_charge_text,
        service_date_format,
        service_date_value,
        line_control_number,
        line_prior_authorization_number,
        line_prior_authorization_count,
        line_note_qualifier,
        line_note_text
    from line_segments_pivoted
),

renamed as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'transaction_seq', 'claim_seq', 'line_seq']) }} as claim_line_id,
        {{ x12_key(['file_id', 'transaction_seq', 'claim_seq']) }} as claim_id,
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        {{ dbt.safe_cast('assigned_line_number_text', api.Column.translate_type('integer')) }}
            as assigned_line_number,

        ---------- service (SV1 / SV2)
        service_segment_id,
        revenue_code,
        procedure_qualifier,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        (case when procedure_modifier_1 is not null then 1 else 0 end)
        + (case when procedure_modifier_2 is not null then 1 else 0 end)
        + (case when procedure_modifier_3 is not null then 1 else 0 end)
        + (case when procedure_modifier_4 is not null then 1 else 0 end) as modifier_count,
        procedure_description,
        {{ x12_amount('charge_text') }} as line_charge_amount,
        unit_basis_code,
        {{ x12_quantity('units_text') }} as service_unit_count,
        place_of_service_code,
        {% for pointer in range(1, 5) -%}
            {{ dbt.safe_cast('diagnosis_pointer_' ~ pointer ~ '_text', api.Column.translate_type('integer')) }}
                as diagnosis_pointer_{{ pointer }},
        {% endfor -%}
        {{ x12_amount('non_covered_charge_text') }} as non_covered_charge_amount,

        ---------- service date (DTP*472)
        {{ x12_837_date_in_range('service_date_format', 'service_date_value', 1) }} as service_from_date,
        {{ x12_837_date_in_range('service_date_format', 'service_date_value', 2) }} as service_to_date,

        ---------- references (REF) and note (NTE)
        line_control_number,
        line_prior_authorization_number,
        line_prior_authorization_count,
        line_note_qualifier,
        line_note_text
    from services
)

select * from renamed
