{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per diagnosis code in the claim's HI segments (loop 2300), in the order given: the ordinal
-- runs across all of the claim's HI segments, so 1 is the principal diagnosis. HI composites with
-- other qualifiers (condition, occurrence, value, procedure codes, DRG) are not diagnoses and are left out.

{%- set icd10_diagnosis_qualifiers = ['ABK', 'ABJ', 'APR', 'ABN', 'ABF'] %}
{%- set icd9_diagnosis_qualifiers = ['BK', 'BJ', 'PR', 'BN', 'BF'] %}

with

segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        elements,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and {{ x12_segment_is('HI') }}
        and loop_id = '2300'
        and claim_seq is not null
        {{ new_files_only() }}
),

element_positions as (
    {{ x12_837_element_positions(12) }}
),

composites as (
    select
        segments.file_id,
        segments.segment_position,
        segments.transaction_seq,
        segments.claim_seq,
        element_positions.element_position,
        segments.component_separator,
        {{ x12_element('element_positions.element_position', 'segments.elements') }} as composite
    from segments
    cross join element_positions
),

diagnosis_composites as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        element_position,
        upper({{ x12_component('composite', 'component_separator', 1) }}) as diagnosis_qualifier,
        upper(trim({{ x12_component('composite', 'component_separator', 2) }})) as diagnosis_code,
        {{ x12_component('composite', 'component_separator', 9) }} as present_on_admission_indicator
    from composites
    where composite is not null
),

diagnoses_ordered as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        element_position,
        diagnosis_qualifier,
        case
            when diagnosis_qualifier in ({{ "'" ~ icd10_diagnosis_qualifiers | join("', '") ~ "'" }})
                then 'ICD-10-CM'
            else 'ICD-9-CM'
        end as diagnosis_code_system,
        diagnosis_code,
        present_on_admission_indicator,
        row_number() over (
            partition by file_id, transaction_seq, claim_seq
            order by segment_position, element_position
        ) as diagnosis_ordinal
    from diagnosis_composites
    where
        diagnosis_qualifier in (
            {{ "'" ~ (icd10_diagnosis_qualifiers + icd9_diagnosis_qualifiers) | join("', '") ~ "'" }}
        )
        and diagnosis_code is not null
),

renamed as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'transaction_seq', 'claim_seq', 'diagnosis_ordinal']) }} as diagnosis_id,
        {{ x12_key(['file_id', 'transaction_seq', 'claim_seq']) }} as claim_id,
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        element_position,

        ---------- diagnosis
        diagnosis_ordinal,
        diagnosis_qualifier,
        diagnosis_code_system,
        diagnosis_code,
        -- X12 sends codes without the dot, which goes after the 3rd character (ICD-9-CM E codes: the 4th)
        case
            when diagnosis_code like '%.%' or length(diagnosis_code) <= 3 then diagnosis_code
            when diagnosis_code_system = 'ICD-9-CM' and diagnosis_code like 'E%'
                then
                    case
                        when length(diagnosis_code) > 4
                            then substr(diagnosis_code, 1, 4) || '.' || substr(diagnosis_code, 5)
                        else diagnosis_code
                    end
            else substr(diagnosis_code, 1, 3) || '.' || substr(diagnosis_code, 4)
        end as diagnosis_code_with_dot,
        diagnosis_qualifier in ('ABK', 'BK') as is_principal,
        present_on_admission_indicator
    from diagnoses_ordered
)

select * from renamed
