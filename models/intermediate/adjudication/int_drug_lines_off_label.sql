{{ config(**partitioned_by('claim_id', 'claim_id')) }}

-- One row per billed line of a drug whose FDA label the drug_labels seed holds (an 837 line, or, with
-- claim_line_id null, the claim and code of an 835 line matched to the claim but to none of its lines),
-- checked on three bases, each from its own seed:
--   label_indication  none of the diagnoses the line is checked against (int_line_diagnoses_considered:
--                     pointed ones, else the claim's) is on the drug's allow-list (labeled_diagnoses);
--                     anything not listed is off-label, and a labeled diagnosis the line does not point
--                     at does not help it;
--   label_age         the patient's age on the service date (837 DMG birth date) is below the label's
--                     minimum or above its maximum (drug_labels);
--   payer_coverage    the payer has a coverage list for the code (payer_drug_coverage: its own rows, else
--                     its type's) and none of the line's diagnoses is on it.
-- off_label_basis names the first basis that holds, in that order; each basis also has its own flag.
-- Partitioned by the 837 claim_id (kind claim_id); payers, payer identity and the seeds are global.

with

claim_lines as (
    select
        claim_line_id,
        claim_id,
        procedure_code,
        service_from_date
    from {{ ref('stg_x12_837__service_lines') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

remit_only_matches as (
    select
        matches.claim_id,
        coalesce(remit_lines.original_procedure_code, remit_lines.procedure_code) as procedure_code,
        remit_lines.service_date
    from {{ ref('int_service_lines_matched') }} as matches
    inner join {{ ref('stg_x12_835__service_lines') }} as remit_lines
        on matches.remit_line_id = remit_lines.remit_line_id
    where
        matches.claim_id is not null
        and matches.claim_line_id is null
    {{ affected_only('matches.claim_id', 'claim_id', 'and') }}
    {{ affected_only('remit_lines.remit_claim_id', 'remit_claim_id', 'and') }}
),

claims as (
    select
        claims.claim_id,
        coalesce(identifiers.payer_key, claims.payer_id) as payer_id
    from {{ ref('stg_x12_837__claims') }} as claims
    left join {{ ref('int_payer_identifiers_resolved') }} as identifiers
        on
            identifiers.side = '837'
            and identifiers.identifier_type = 'NM1_PR_ID'
            and claims.payer_id = identifiers.identifier_value
    {{ affected_only('claims.claim_id', 'claim_id') }}
),

patients as {{ read_in_place() }} (
    select
        claim_id,
        patient_birth_date
    from {{ ref('stg_x12_837__patients') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

payers as (
    select
        payer_id,
        payer_type
    from {{ ref('int_payers_resolved') }}
),

drug_labels as (
    select
        hcpcs_code,
        labeled_min_age_years,
        labeled_max_age_years
    from {{ ref('drug_labels') }}
),

labeled_diagnoses as (
    select
        hcpcs_code,
        icd10_code
    from {{ ref('labeled_diagnoses') }}
),

-- a blank payer_id means every payer of the type, however the seed loader spells blank
coverage as (
    select
        payer_type,
        nullif(trim(payer_id), '') as payer_id,
        hcpcs_code,
        icd10_code
    from {{ ref('payer_drug_coverage') }}
),

diagnoses_considered as (
    select
        line_key,
        diagnosis_source,
        diagnosis_ordinal,
        diagnosis_code_with_dot
    from {{ ref('int_line_diagnoses_considered') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

---------- the payer's own coverage rows for a code replace its type's
payer_own_lists as (
    select distinct
        payer_id,
        hcpcs_code
    from coverage
    where payer_id is not null
),

coverage_by_payer as (
    select
        payer_id,
        hcpcs_code,
        icd10_code
    from coverage
    where payer_id is not null
    union
    select
        payers.payer_id,
        coverage.hcpcs_code,
        coverage.icd10_code
    from coverage
    inner join payers
        on coverage.payer_type = payers.payer_type
    left join payer_own_lists
        on
            payers.payer_id = payer_own_lists.payer_id
            and coverage.hcpcs_code = payer_own_lists.hcpcs_code
    where
        coverage.payer_id is null
        and payer_own_lists.payer_id is null
),

coverage_lists as (
    select distinct
        payer_id,
        hcpcs_code
    from coverage_by_payer
),

---------- the billed drug lines, with their payer, service date and patient age
billed_lines as (
    select
        claim_id,
        claim_line_id,
        procedure_code as hcpcs_code,
        service_from_date as service_date
    from claim_lines
    union all
    select
        claim_id,
        cast(null as {{ x12_key_type() }}) as claim_line_id,
        procedure_code as hcpcs_code,
        min(service_date) as service_date
    from remit_only_matches
    group by
        claim_id,
        procedure_code
),

drug_lines as (
    select
        {{ billed_line_key('billed_lines.claim_line_id', 'billed_lines.claim_id', 'billed_lines.hcpcs_code') }}
            as line_key,
        billed_lines.claim_id,
        billed_lines.claim_line_id,
        billed_lines.hcpcs_code,
        billed_lines.service_date,
        claims.payer_id,
        payers.payer_type,
        drug_labels.labeled_min_age_years,
        drug_labels.labeled_max_age_years,
        extract(year from billed_lines.service_date)
        - extract(year from patients.patient_birth_date)
        - case
            when
                extract(month from billed_lines.service_date) * 100
                + extract(day from billed_lines.service_date)
                < extract(month from patients.patient_birth_date) * 100
                + extract(day from patients.patient_birth_date)
                then 1
            else 0
        end as patient_age_years,
        coverage_lists.payer_id is not null as has_coverage_list
    from billed_lines
    inner join drug_labels
        on billed_lines.hcpcs_code = drug_labels.hcpcs_code
    left join claims
        on billed_lines.claim_id = claims.claim_id
    left join payers
        on claims.payer_id = payers.payer_id
    left join patients
        on billed_lines.claim_id = patients.claim_id
    left join coverage_lists
        on
            claims.payer_id = coverage_lists.payer_id
            and billed_lines.hcpcs_code = coverage_lists.hcpcs_code
),

---------- each line's diagnoses against the label's allow-list and the payer's coverage list
line_diagnoses as (
    select
        drug_lines.line_key,
        max(diagnoses_considered.diagnosis_source) as diagnosis_source,
        count(diagnoses_considered.diagnosis_code_with_dot) as diagnosis_count,
        {{ ordinal_items(
            'diagnoses_considered.diagnosis_ordinal',
            'diagnoses_considered.diagnosis_code_with_dot',
            'labeled_diagnoses.icd10_code is not null'
        ) }} as diagnosis_items,
        max(case when labeled_diagnoses.icd10_code is not null then 1 else 0 end) = 1 as has_labeled_diagnosis,
        max(case when coverage_by_payer.icd10_code is not null then 1 else 0 end) = 1 as has_covered_diagnosis
    from drug_lines
    inner join diagnoses_considered
        on drug_lines.line_key = diagnoses_considered.line_key
    left join labeled_diagnoses
        on
            drug_lines.hcpcs_code = labeled_diagnoses.hcpcs_code
            and diagnoses_considered.diagnosis_code_with_dot = labeled_diagnoses.icd10_code
    left join coverage_by_payer
        on
            drug_lines.payer_id = coverage_by_payer.payer_id
            and drug_lines.hcpcs_code = coverage_by_payer.hcpcs_code
            and diagnoses_considered.diagnosis_code_with_dot = coverage_by_payer.icd10_code
    group by drug_lines.line_key
),

lines_checked as (
    select
        drug_lines.*,
        coalesce(line_diagnoses.diagnosis_source, 'none') as diagnosis_source,
        coalesce(line_diagnoses.diagnosis_count, 0) as diagnosis_count,
        {{ joined_items('line_diagnoses.diagnosis_items', "'|'") }} as diagnosis_codes,
        {{ joined_items('line_diagnoses.diagnosis_items', "'|'", keep='true') }} as labeled_diagnosis_codes,
        {{ joined_items('line_diagnoses.diagnosis_items', "'|'", keep='false') }} as off_label_diagnosis_codes,
        coalesce(line_diagnoses.has_labeled_diagnosis, false) as has_labeled_diagnosis,
        not coalesce(line_diagnoses.has_labeled_diagnosis, false) as is_off_label_indication,
        coalesce(
            drug_lines.patient_age_years < drug_lines.labeled_min_age_years
            or drug_lines.patient_age_years > drug_lines.labeled_max_age_years,
            false
        ) as is_off_label_age,
        drug_lines.has_coverage_list and not coalesce(line_diagnoses.has_covered_diagnosis, false)
            as is_not_payer_covered
    from drug_lines
    left join line_diagnoses
        on drug_lines.line_key = line_diagnoses.line_key
)

select
    line_key,
    claim_id,
    claim_line_id,
    hcpcs_code,
    service_date,
    payer_id,
    payer_type,
    diagnosis_source,
    diagnosis_count,
    diagnosis_codes,
    labeled_diagnosis_codes,
    off_label_diagnosis_codes,
    has_labeled_diagnosis,
    patient_age_years,
    labeled_min_age_years,
    labeled_max_age_years,
    has_coverage_list,
    is_off_label_indication,
    is_off_label_age,
    is_not_payer_covered,
    is_off_label_indication or is_off_label_age or is_not_payer_covered as is_off_label,
    case
        when is_off_label_indication then 'label_indication'
        when is_off_label_age then 'label_age'
        when is_not_payer_covered then 'payer_coverage'
    end as off_label_basis
from lines_checked
