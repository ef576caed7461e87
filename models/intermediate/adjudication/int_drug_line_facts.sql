{{ config(**partitioned_by('claim_control_number')) }}

-- One row per 837 drug line (int_drug_lines_with_administrations) with what its dose group, the payer's
-- policy and the drug seeds add: whether the dose group (same claim, HCPCS and service date) has a JW waste
-- line or a 76 line; the payer's per-line unit limit, JW/JZ and prior-authorization requirements in force
-- on the service date (int_payer_policies_in_force); the units the line should have billed from the best
-- evidence there is, the billed/expected ratio and the unit slip it matches (int_drug_line_units_expected:
-- administration record, NDC quantity, labeled dose x PAT weight, vial size); and the quarter's ASP
-- payment limit per unit (drug_asp_prices). The input of the unit root-cause rules (macro marts_unit_root_cause).
-- Table: read by two marts, and it stands on a view that reads every 837 drug line.

with

drug_lines as {{ read_in_place() }} (
    select
        claim_line_id,
        claim_id,
        claim_control_number,
        line_control_number,
        payer_id,
        hcpcs_code,
        service_from_date as service_date,
        has_jw,
        has_jz,
        has_76,
        billed_units,
        line_charge_amount,
        billing_unit_size,
        billing_unit_measure,
        per_line_unit_cap,
        ndc,
        ndc_quantity,
        ndc_unit_code,
        ndc_quantity_billing_units,
        dose_group_key,
        dose_role,
        administration_match_method,
        administration_count,
        administered_unit,
        administered_amount,
        wasted_amount,
        administered_billing_units,
        wasted_billing_units,
        expected_billed_units,
        role_billed_units,
        role_line_count,
        billed_to_expected_ratio,
        is_ndc_of_hcpcs,
        ndc_hcpcs_code
    from {{ ref('int_drug_lines_with_administrations') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

units_expected as (
    select
        claim_line_id,
        dose_group_billed_units,
        expected_units_evidence,
        expected_units_confidence,
        expected_units,
        evidence_billed_to_expected_ratio,
        unit_slip_root_cause
    from {{ ref('int_drug_line_units_expected') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

asp_prices as (
    select
        hcpcs_code,
        quarter_start_date,
        payment_limit_per_unit
    from {{ ref('drug_asp_prices') }}
),

policies as (
    select
        payer_id,
        hcpcs_code,
        effective_from,
        effective_to,
        max_units_per_line,
        requires_jw_jz,
        requires_prior_auth
    from {{ ref('int_payer_policies_in_force') }}
),

dose_group_flags as (
    select
        dose_group_key,
        max(case when has_jw and not has_jz then 1 else 0 end) = 1 as dose_group_has_waste_line,
        max(case when has_76 then 1 else 0 end) = 1 as dose_group_has_76
    from drug_lines
    group by dose_group_key
),

drug_line_facts as (
    select
        drug_lines.claim_line_id,
        drug_lines.claim_id,
        drug_lines.claim_control_number,
        drug_lines.line_control_number,
        drug_lines.payer_id,
        drug_lines.hcpcs_code,
        drug_lines.service_date,
        drug_lines.has_jw,
        drug_lines.has_jz,
        drug_lines.has_76,
        drug_lines.billed_units,
        drug_lines.line_charge_amount,
        drug_lines.billing_unit_size,
        drug_lines.billing_unit_measure,
        drug_lines.per_line_unit_cap,
        drug_lines.ndc,
        drug_lines.ndc_quantity,
        drug_lines.ndc_unit_code,
        drug_lines.ndc_quantity_billing_units,
        drug_lines.dose_group_key,
        drug_lines.dose_role,
        drug_lines.administration_match_method,
        drug_lines.administration_count,
        drug_lines.administered_unit,
        drug_lines.administered_amount,
        drug_lines.wasted_amount,
        drug_lines.administered_billing_units,
        drug_lines.wasted_billing_units,
        drug_lines.expected_billed_units,
        drug_lines.role_billed_units,
        drug_lines.role_line_count,
        drug_lines.billed_to_expected_ratio,
        coalesce(dose_group_flags.dose_group_has_waste_line, false) as dose_group_has_waste_line,
        coalesce(dose_group_flags.dose_group_has_76, false) as dose_group_has_76,
        policies.max_units_per_line as payer_max_units_per_line,
        policies.requires_jw_jz,
        policies.requires_prior_auth,
        drug_lines.is_ndc_of_hcpcs,
        drug_lines.ndc_hcpcs_code,
        units_expected.dose_group_billed_units,
        units_expected.expected_units_evidence,
        units_expected.expected_units_confidence,
        units_expected.expected_units,
        units_expected.evidence_billed_to_expected_ratio,
        units_expected.unit_slip_root_cause,
        asp_prices.payment_limit_per_unit as asp_payment_limit_per_unit
    from drug_lines
    left join units_expected
        on drug_lines.claim_line_id = units_expected.claim_line_id
    left join asp_prices
        on
            drug_lines.hcpcs_code = asp_prices.hcpcs_code
            and asp_prices.quarter_start_date = cast({{ dbt.date_trunc('quarter', 'drug_lines.service_date') }} as date)
    left join dose_group_flags
        on drug_lines.dose_group_key = dose_group_flags.dose_group_key
    left join policies
        on {{ marts_policy_in_force('policies', 'drug_lines') }}
)

select * from drug_line_facts
