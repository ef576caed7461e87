{{ config(**partitioned_by('claim_id', 'claim_id')) }}

-- One row per billed line and diagnosis the line is checked against: the diagnoses its SV107 pointers name
-- when it has any (837P), else every diagnosis of its claim (837I has no pointers, and a line that sends
-- none speaks for the whole claim). A billed line is an 837 service line, or, for an 835 line matched to
-- a claim but to none of its lines, the claim and the code the payer adjudicated (SVC06, else SVC01),
-- with claim_line_id null: such a line has no pointers. line_key is the claim_line_id, else claim_id|code, as
-- text (keys as the marts show them).
-- A pointer to no diagnosis of the claim is dropped.
-- Partitioned by the 837 claim_id (kind claim_id): read for every drug line by int_drug_lines_off_label.

with

claim_lines as {{ read_in_place() }} (
    select
        claim_line_id,
        claim_id,
        procedure_code,
        diagnosis_pointer_1,
        diagnosis_pointer_2,
        diagnosis_pointer_3,
        diagnosis_pointer_4
    from {{ ref('stg_x12_837__service_lines') }}
    {{ affected_only('claim_id', 'claim_id') }}
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
    {{ affected_only('claim_id', 'claim_id', 'and') }}
),

remit_lines as (
    select
        remit_line_id,
        procedure_code,
        original_procedure_code
    from {{ ref('stg_x12_835__service_lines') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

diagnoses as {{ read_in_place() }} (
    select
        claim_id,
        diagnosis_ordinal,
        diagnosis_code_with_dot,
        is_principal
    from {{ ref('stg_x12_837__diagnoses') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

---------- one row per pointer a line sends (SV107-1..4)
line_pointers as (
    {% for pointer in range(1, 5) -%}
        select
            claim_line_id,
            diagnosis_pointer_{{ pointer }} as diagnosis_ordinal
        from claim_lines
        where diagnosis_pointer_{{ pointer }} is not null
        {% if not loop.last %}union{% endif %}
    {% endfor %}
),

pointed_lines as (
    select distinct claim_line_id
    from line_pointers
),

remit_only_lines as (
    select distinct
        line_matches.claim_id,
        coalesce(remit_lines.original_procedure_code, remit_lines.procedure_code) as procedure_code
    from line_matches
    inner join remit_lines
        on line_matches.remit_line_id = remit_lines.remit_line_id
),

---------- the pointed diagnoses of lines with pointers, every claim diagnosis for the others
diagnoses_considered as (
    select
        claim_lines.claim_id,
        claim_lines.claim_line_id,
        claim_lines.procedure_code,
        'pointer' as diagnosis_source,
        diagnoses.diagnosis_ordinal,
        diagnoses.diagnosis_code_with_dot,
        diagnoses.is_principal
    from claim_lines
    inner join line_pointers
        on claim_lines.claim_line_id = line_pointers.claim_line_id
    inner join diagnoses
        on
            claim_lines.claim_id = diagnoses.claim_id
            and line_pointers.diagnosis_ordinal = diagnoses.diagnosis_ordinal
    union all
    select
        claim_lines.claim_id,
        claim_lines.claim_line_id,
        claim_lines.procedure_code,
        'claim' as diagnosis_source,
        diagnoses.diagnosis_ordinal,
        diagnoses.diagnosis_code_with_dot,
        diagnoses.is_principal
    from claim_lines
    left join pointed_lines
        on claim_lines.claim_line_id = pointed_lines.claim_line_id
    inner join diagnoses
        on claim_lines.claim_id = diagnoses.claim_id
    where pointed_lines.claim_line_id is null
    union all
    select
        remit_only_lines.claim_id,
        cast(null as {{ x12_key_type() }}) as claim_line_id,
        remit_only_lines.procedure_code,
        'claim' as diagnosis_source,
        diagnoses.diagnosis_ordinal,
        diagnoses.diagnosis_code_with_dot,
        diagnoses.is_principal
    from remit_only_lines
    inner join diagnoses
        on remit_only_lines.claim_id = diagnoses.claim_id
)

select
    {{ billed_line_key('claim_line_id', 'claim_id', 'procedure_code') }} as line_key,
    claim_id,
    claim_line_id,
    procedure_code,
    diagnosis_source,
    diagnosis_ordinal,
    diagnosis_code_with_dot,
    is_principal
from diagnoses_considered
