{{ config(**partitioned_by('claim_control_number')) }}

-- One row per fct_denials line in the medical_necessity category, with the diagnoses the line is checked
-- against (its SV107-pointed ones, else the claim's), whether it is off-label and on which basis
-- (int_drug_lines_off_label: label_indication, label_age or payer_coverage; null when on-label or when the
-- code has no label in drug_labels) and the documentation signals a reviewer looks for before appealing:
-- a claim or line note (NTE) and documentation remarks (RARCs the category map files under
-- documentation) on the denying remit.
-- A denial, its claim, lines, diagnoses, label checks and the remit that denied it share CLM01 = CLP01:
-- partitioned by claim_control_number.

with

denials as {{ read_in_place() }} (
    select
        denial_id,
        claim_line_id,
        claim_id,
        claim_control_number,
        line_control_number,
        payer_id,
        payer_name,
        payer_type,
        procedure_code,
        procedure_modifiers,
        is_drug_line,
        product_name,
        service_date,
        billed_amount,
        paid_amount,
        denied_amount,
        initial_denied_amount,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        rarc_codes,
        final_status,
        is_overturned,
        is_open_denial,
        denial_remit_claim_id,
        denial_remit_line_id,
        remit_file_id,
        remit_segment_position,
        claim_file_id,
        claim_segment_position
    from {{ ref('fct_denials') }}
    where denial_category = 'medical_necessity' {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

claims as (
    select
        {{ x12_key_label('claims_837.claim_id', 3) }} as claim_id,
        claims_837.has_claim_note
    from {{ ref('stg_x12_837__claims') }} as claims_837
    {{ affected_only('claims_837.claim_id', 'claim_id') }}
),

service_lines as (
    select
        {{ x12_key_label('lines_837.claim_line_id', 4) }} as claim_line_id,
        lines_837.line_note_text
    from {{ ref('stg_x12_837__service_lines') }} as lines_837
    {{ affected_only('lines_837.claim_id', 'claim_id') }}
),

remarks as {{ read_in_place() }} (
    select
        {{ x12_key_label('remit_remarks.remit_line_id', 4) }} as remit_line_id,
        {{ x12_key_label('remit_remarks.remit_claim_id', 3) }} as remit_claim_id,
        remit_remarks.remark_level,
        remit_remarks.remark_code
    from {{ ref('stg_x12_835__remarks') }} as remit_remarks
    where
        remit_remarks.remark_code_qualifier = 'HE'
    {{ affected_only('remit_remarks.remit_claim_id', 'remit_claim_id', 'and') }}
),

documentation_rarcs as (
    select code as rarc_code
    from {{ ref('denial_category_map') }}
    where
        code_type = 'RARC'
        and denial_category = 'documentation'
),

principal_diagnoses as (
    select
        {{ x12_key_label('diagnoses.claim_id', 3) }} as claim_id,
        min(diagnoses.diagnosis_code_with_dot) as principal_diagnosis_code
    from {{ ref('stg_x12_837__diagnoses') }} as diagnoses
    where diagnoses.is_principal {{ affected_only('diagnoses.claim_id', 'claim_id', 'and') }}
    group by diagnoses.claim_id
),

off_label_checks as (
    select
        line_key,
        diagnosis_source,
        diagnosis_count,
        diagnosis_codes,
        labeled_diagnosis_codes,
        off_label_diagnosis_codes,
        has_labeled_diagnosis,
        is_off_label_indication,
        is_off_label_age,
        is_not_payer_covered,
        is_off_label,
        off_label_basis
    from {{ ref('int_drug_lines_off_label') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

-- A union of two equi-joins, not one join with `or` (which defeats hash joins at scale).
documentation_remarks as (
    select
        denials.denial_id,
        remarks.remark_code
    from denials
    inner join remarks
        on denials.denial_remit_line_id = remarks.remit_line_id
    inner join documentation_rarcs
        on remarks.remark_code = documentation_rarcs.rarc_code
    where remarks.remark_level = 'line'
    union
    select
        denials.denial_id,
        remarks.remark_code
    from denials
    inner join remarks
        on denials.denial_remit_claim_id = remarks.remit_claim_id
    inner join documentation_rarcs
        on remarks.remark_code = documentation_rarcs.rarc_code
    where remarks.remark_level = 'claim'
),

documentation_remark_lists as (
    select
        denial_id,
        {{ dbt.listagg('remark_code', "'|'", 'order by remark_code') }} as documentation_rarc_codes
    from documentation_remarks
    group by denial_id
),

final as (
    select
        ---------- ids
        cast(denials.denial_id as {{ api.Column.translate_type('string') }}) as denial_id,
        cast(denials.claim_line_id as {{ api.Column.translate_type('string') }}) as claim_line_id,
        cast(denials.claim_control_number as {{ api.Column.translate_type('string') }}) as claim_control_number,
        cast(denials.line_control_number as {{ api.Column.translate_type('string') }}) as line_control_number,

        ---------- payer and line
        cast(denials.payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(denials.payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(denials.payer_type as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(denials.procedure_code as {{ api.Column.translate_type('string') }}) as procedure_code,
        cast(denials.procedure_modifiers as {{ api.Column.translate_type('string') }}) as procedure_modifiers,
        denials.is_drug_line,
        cast(denials.product_name as {{ api.Column.translate_type('string') }}) as product_name,
        cast(denials.service_date as date) as service_date,

        ---------- diagnoses and off-label checks
        cast(coalesce(off_label_checks.diagnosis_source, 'none') as {{ api.Column.translate_type('string') }})
            as diagnosis_source,
        cast(coalesce(off_label_checks.diagnosis_count, 0) as integer) as diagnosis_count,
        cast(principal_diagnoses.principal_diagnosis_code as {{ api.Column.translate_type('string') }})
            as principal_diagnosis_code,
        cast(off_label_checks.diagnosis_codes as {{ api.Column.translate_type('string') }}) as diagnosis_codes,
        cast(off_label_checks.labeled_diagnosis_codes as {{ api.Column.translate_type('string') }})
            as labeled_diagnosis_codes,
        cast(off_label_checks.off_label_diagnosis_codes as {{ api.Column.translate_type('string') }})
            as off_label_diagnosis_codes,
        coalesce(off_label_checks.has_labeled_diagnosis, false) as has_labeled_diagnosis,
        off_label_checks.off_label_diagnosis_codes is not null as has_off_label_diagnosis,
        coalesce(off_label_checks.is_off_label_indication, false) as is_off_label_indication,
        coalesce(off_label_checks.is_off_label_age, false) as is_off_label_age,
        coalesce(off_label_checks.is_not_payer_covered, false) as is_not_payer_covered,
        coalesce(off_label_checks.is_off_label, false) as is_off_label,
        cast(off_label_checks.off_label_basis as {{ api.Column.translate_type('string') }}) as off_label_basis,
        cast(
            case
                when off_label_checks.has_labeled_diagnosis then 'labeled'
                when off_label_checks.is_off_label_indication then 'off_label'
                else 'unknown'
            end
            as {{ api.Column.translate_type('string') }}
        ) as diagnosis_label_status,

        ---------- documentation signals
        coalesce(claims.has_claim_note, false) as has_claim_note,
        service_lines.line_note_text is not null as has_line_note,
        coalesce(claims.has_claim_note, false) or service_lines.line_note_text is not null as has_note,
        documentation_remark_lists.denial_id is not null as has_documentation_rarc,
        cast(documentation_remark_lists.documentation_rarc_codes as {{ api.Column.translate_type('string') }})
            as documentation_rarc_codes,

        ---------- the denial
        cast(denials.billed_amount as decimal(18, 2)) as billed_amount,
        cast(denials.paid_amount as decimal(18, 2)) as paid_amount,
        cast(denials.denied_amount as decimal(18, 2)) as denied_amount,
        cast(denials.initial_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(denials.primary_group_code as {{ api.Column.translate_type('string') }}) as primary_group_code,
        cast(denials.primary_carc_code as {{ api.Column.translate_type('string') }}) as primary_carc_code,
        cast(denials.primary_rarc_code as {{ api.Column.translate_type('string') }}) as primary_rarc_code,
        cast(denials.rarc_codes as {{ api.Column.translate_type('string') }}) as rarc_codes,
        cast(denials.final_status as {{ api.Column.translate_type('string') }}) as final_status,
        denials.is_overturned,
        denials.is_open_denial,

        ---------- lineage
        cast(denials.remit_file_id as bigint) as remit_file_id,
        cast(denials.remit_segment_position as bigint) as remit_segment_position,
        cast(denials.claim_file_id as bigint) as claim_file_id,
        cast(denials.claim_segment_position as bigint) as claim_segment_position
    from denials
    left join off_label_checks
        on
            {{ billed_line_key('denials.claim_line_id', 'denials.claim_id', 'denials.procedure_code',
                keys_are_text=true) }} = off_label_checks.line_key
    left join principal_diagnoses
        on denials.claim_id = principal_diagnoses.claim_id
    left join claims
        on denials.claim_id = claims.claim_id
    left join service_lines
        on denials.claim_line_id = service_lines.claim_line_id
    left join documentation_remark_lists
        on denials.denial_id = documentation_remark_lists.denial_id
)

select * from final
