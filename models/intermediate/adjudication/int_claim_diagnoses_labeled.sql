{{
    config(
        materialized='table'
    )
}}

-- One row per 837 claim and HCPCS code billed on it (the codes of its 837 lines, and for an 835 line matched
-- to the claim but to none of its lines, the code the payer adjudicated: SVC06, else SVC01), with the
-- claim's diagnoses (837 HI, principal first) and what the labeled_diagnoses seed says about them for that
-- code. A diagnosis absent from the seed for the code is unknown, not off-label: is_off_label needs a known
-- off-label diagnosis and no labeled one (the readers decide it from the two flags).
-- Table: read by the medical-necessity and pre-bill marts.

with

claim_lines as (
    select
        claim_id,
        procedure_code
    from {{ ref('stg_x12_837__service_lines') }}
),

line_matches as (
    select
        claim_id,
        remit_line_id
    from {{ ref('int_service_lines_matched') }}
    where
        claim_id is not null
        and claim_line_id is null
        and remit_line_id is not null
),

remit_lines as (
    select
        remit_line_id,
        procedure_code,
        original_procedure_code
    from {{ ref('stg_x12_835__service_lines') }}
),

diagnoses as (
    select
        claim_id,
        diagnosis_ordinal,
        diagnosis_code,
        diagnosis_code_with_dot,
        is_principal
    from {{ ref('stg_x12_837__diagnoses') }}
),

labeled_diagnoses as (
    select
        hcpcs_code,
        icd10_code,
        is_labeled
    from {{ ref('labeled_diagnoses') }}
),

claim_codes as (
    select
        claim_id,
        procedure_code as hcpcs_code
    from claim_lines
    union
    select
        line_matches.claim_id,
        coalesce(remit_lines.original_procedure_code, remit_lines.procedure_code) as hcpcs_code
    from line_matches
    inner join remit_lines
        on line_matches.remit_line_id = remit_lines.remit_line_id
),

claim_diagnoses_labeled as (
    select
        claim_codes.claim_id,
        claim_codes.hcpcs_code,
        count(diagnoses.diagnosis_code) as diagnosis_count,
        max(case when diagnoses.is_principal then diagnoses.diagnosis_code_with_dot end) as principal_diagnosis_code,
        {{ dbt.listagg('diagnoses.diagnosis_code_with_dot', "'|'", 'order by diagnoses.diagnosis_ordinal') }}
            as diagnosis_codes,
        {{ dbt.listagg(
            'case when labeled_diagnoses.is_labeled then diagnoses.diagnosis_code_with_dot end',
            "'|'", 'order by diagnoses.diagnosis_ordinal') }} as labeled_diagnosis_codes,
        {{ dbt.listagg(
            'case when not labeled_diagnoses.is_labeled then diagnoses.diagnosis_code_with_dot end',
            "'|'", 'order by diagnoses.diagnosis_ordinal') }} as off_label_diagnosis_codes,
        max(case when labeled_diagnoses.is_labeled then 1 else 0 end) = 1 as has_labeled_diagnosis,
        max(case when not labeled_diagnoses.is_labeled then 1 else 0 end) = 1 as has_off_label_diagnosis
    from claim_codes
    left join diagnoses
        on claim_codes.claim_id = diagnoses.claim_id
    left join labeled_diagnoses
        on
            claim_codes.hcpcs_code = labeled_diagnoses.hcpcs_code
            and diagnoses.diagnosis_code_with_dot = labeled_diagnoses.icd10_code
    group by
        claim_codes.claim_id,
        claim_codes.hcpcs_code
)

select * from claim_diagnoses_labeled
