{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 service line (LX, loop 2400): the SV1 (837P) or SV2 (837I) service, the service
-- date and the line's references and note. Segments of 2410/2420/2430 carry other loop ids and are
-- left to their own models.

{%- set first_of = "case when segment_id = '%s' and element_01 = '%s' then segment_position end" %}

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        segment_id,
        elements,
        loop_id,
        claim_seq,
        line_seq,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and loop_id = '2400'
        and line_seq is not null
        {{ new_files_only() }}
),

line_segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        elements
    from segments
    where segment_id = 'LX'
),

services as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_id as service_segment_id,
        elements,
        component_separator,
        row_number() over (
            partition by file_id, transaction_seq, claim_seq, line_seq
            order by segment_position
        ) as occurrence
    from segments
    where segment_id in ('SV1', 'SV2')
),

first_services as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        service_segment_id,
        component_separator,
        -- SV1 and SV2 carry the same facts one element apart: SV2 puts the revenue code first
        case when service_segment_id = 'SV2' then {{ x12_element(1) }} end as revenue_code,
        case when service_segment_id = 'SV1' then {{ x12_element(1) }} else {{ x12_element(2) }} end
            as procedure_composite,
        case when service_segment_id = 'SV1' then {{ x12_element(2) }} else {{ x12_element(3) }} end
            as charge_text,
        case when service_segment_id = 'SV1' then {{ x12_element(3) }} else {{ x12_element(4) }} end
            as unit_basis_code,
        case when service_segment_id = 'SV1' then {{ x12_element(4) }} else {{ x12_element(5) }} end
            as units_text,
        case when service_segment_id = 'SV1' then {{ x12_element(5) }} end as place_of_service_code,
        case when service_segment_id = 'SV1' then {{ x12_element(7) }} end as diagnosis_pointer_composite,
        case when service_segment_id = 'SV2' then {{ x12_element(7) }} end as non_covered_charge_text
    from services
    where occurrence = 1
),

service_composites_split as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        service_segment_id,
        revenue_code,
        {{ x12_component('procedure_composite', 'component_separator', 1) }} as procedure_qualifier,
        {{ x12_component('procedure_composite', 'component_separator', 2) }} as procedure_code,
        {{ x12_component('procedure_composite', 'component_separator', 3) }} as procedure_modifier_1,
        {{ x12_component('procedure_composite', 'component_separator', 4) }} as procedure_modifier_2,
        {{ x12_component('procedure_composite', 'component_separator', 5) }} as procedure_modifier_3,
        {{ x12_component('procedure_composite', 'component_separator', 6) }} as procedure_modifier_4,
        {{ x12_component('procedure_composite', 'component_separator', 7) }} as procedure_description,
        charge_text,
        unit_basis_code,
        units_text,
        place_of_service_code,
        {% for pointer in range(1, 5) -%}
            {{ x12_component('diagnosis_pointer_composite', 'component_separator', pointer) }}
                as diagnosis_pointer_{{ pointer }}_text,
        {% endfor -%}
        non_covered_charge_text
    from first_services
),

line_details as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_id,
        segment_position,
        {{ x12_element(1) }} as element_01,
        {{ x12_element(2) }} as element_02,
        {{ x12_element(3) }} as element_03
    from segments
    where segment_id in ('DTP', 'REF', 'NTE')
),

-- the first DTP*472, REF*6R and REF*G1 of a line, and its first NTE whatever the qualifier
line_detail_pivot as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        {{ first_by_position('element_02', first_of | format('DTP', '472')) }}
            as service_date_format,
        {{ first_by_position('element_03', first_of | format('DTP', '472')) }}
            as service_date_value,
        {{ first_by_position('element_02', first_of | format('REF', '6R')) }}
            as line_control_number,
        {{ first_by_position('element_02', first_of | format('REF', 'G1')) }}
            as line_prior_authorization_number,
        cast(
            sum(case when segment_id = 'REF' and element_01 = 'G1' then 1 else 0 end)
            as {{ api.Column.translate_type('integer') }}
        ) as line_prior_authorization_count,
        {{ first_by_position('element_01', "case when segment_id = 'NTE' then segment_position end") }}
            as line_note_qualifier,
        {{ first_by_position('element_02', "case when segment_id = 'NTE' then segment_position end") }}
            as line_note_text
    from line_details
    group by
        file_id,
        transaction_seq,
        claim_seq,
        line_seq
),

renamed as (
    select
        ---------- ids and lineage
        {{ x12_key([
            'line_segments.file_id', 'line_segments.transaction_seq', 'line_segments.claim_seq',
            'line_segments.line_seq'
        ]) }} as claim_line_id,
        {{ x12_key(['line_segments.file_id', 'line_segments.transaction_seq', 'line_segments.claim_seq']) }}
            as claim_id,
        line_segments.file_id,
        line_segments.segment_position,
        line_segments.transaction_seq,
        line_segments.claim_seq,
        line_segments.line_seq,
        {{ dbt.safe_cast(x12_element(1, 'line_segments.elements'), api.Column.translate_type('integer')) }}
            as assigned_line_number,

        ---------- service (SV1 / SV2)
        services.service_segment_id,
        services.revenue_code,
        services.procedure_qualifier,
        services.procedure_code,
        services.procedure_modifier_1,
        services.procedure_modifier_2,
        services.procedure_modifier_3,
        services.procedure_modifier_4,
        (case when services.procedure_modifier_1 is not null then 1 else 0 end)
        + (case when services.procedure_modifier_2 is not null then 1 else 0 end)
        + (case when services.procedure_modifier_3 is not null then 1 else 0 end)
        + (case when services.procedure_modifier_4 is not null then 1 else 0 end) as modifier_count,
        services.procedure_description,
        {{ x12_amount('services.charge_text') }} as line_charge_amount,
        services.unit_basis_code,
        {{ x12_quantity('services.units_text') }} as service_unit_count,
        services.place_of_service_code,
        {% for pointer in range(1, 5) -%}
            {{ dbt.safe_cast('services.diagnosis_pointer_' ~ pointer ~ '_text', api.Column.translate_type('integer')) }}
                as diagnosis_pointer_{{ pointer }},
        {% endfor -%}
        {{ x12_amount('services.non_covered_charge_text') }} as non_covered_charge_amount,

        ---------- service date (DTP*472)
        {{ x12_837_date_in_range('line_detail_pivot.service_date_format', 'line_detail_pivot.service_date_value', 1) }}
            as service_from_date,
        {{ x12_837_date_in_range('line_detail_pivot.service_date_format', 'line_detail_pivot.service_date_value', 2) }}
            as service_to_date,

        ---------- references (REF) and note (NTE)
        line_detail_pivot.line_control_number,
        line_detail_pivot.line_prior_authorization_number,
        coalesce(line_detail_pivot.line_prior_authorization_count, 0) as line_prior_authorization_count,
        line_detail_pivot.line_note_qualifier,
        line_detail_pivot.line_note_text
    from line_segments
    left join service_composites_split as services
        on
            line_segments.file_id = services.file_id
            and line_segments.transaction_seq = services.transaction_seq
            and line_segments.claim_seq = services.claim_seq
            and line_segments.line_seq = services.line_seq
    left join line_detail_pivot
        on
            line_segments.file_id = line_detail_pivot.file_id
            and line_segments.transaction_seq = line_detail_pivot.transaction_seq
            and line_segments.claim_seq = line_detail_pivot.claim_seq
            and line_segments.line_seq = line_detail_pivot.line_seq
)

select * from renamed
