{{
    config(
        materialized='table'
    )
}}

-- One row per 837 drug line (int_drug_lines_with_administrations) with what its dose group, the payer's
-- policy and the drug seeds add: whether the dose group (same claim, HCPCS and service date) has a JW waste
-- line or a 76 line; the payer's per-line unit limit, JW/JZ and prior-authorization requirements in force
-- on the service date (int_payer_policies_in_force); the units the line should have billed from the best
-- evidence there is (drug_unit_evidence_levels: the administration record, else the CTP quantity of an NDC
-- of the code, else vial-size plausibility), the billed/expected ratio and the unit slip it matches
-- (drug_unit_slips, by the code's billing unit); and the quarter's ASP payment limit per unit
-- (drug_asp_prices). The input of the unit root-cause rules (macro marts_unit_root_cause).
-- Table: read by two marts, and it stands on a view that reads every 837 drug line.

with

drug_lines as (
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
        ndc_hcpcs_code,
        sum(billed_units) over (partition by dose_group_key) as dose_group_billed_units
    from {{ ref('int_drug_lines_with_administrations') }}
),

drug_reference as (
    select
        hcpcs_code,
        billing_unit_size,
        billing_unit_measure
    from {{ ref('drug_reference') }}
),

-- the smallest single-dose vial of each code, in billing units
smallest_vials as (
    select
        drug_reference.hcpcs_code,
        min(drug_ndcs.vial_size / drug_reference.billing_unit_size) as smallest_vial_billing_units
    from {{ ref('drug_ndcs') }} as drug_ndcs
    inner join drug_reference
        on
            drug_ndcs.hcpcs_code = drug_reference.hcpcs_code
            and drug_ndcs.vial_measure = drug_reference.billing_unit_measure
    group by drug_reference.hcpcs_code
),

unit_slips as (
    select
        root_cause,
        billing_unit_measure,
        billing_unit_size,
        billed_to_expected_ratio,
        ratio_band,
        needs_dose_below_smallest_vial
    from {{ ref('drug_unit_slips') }}
),

evidence_levels as (
    select
        evidence,
        confidence
    from {{ ref('drug_unit_evidence_levels') }}
),

asp_prices as (
    select
        hcpcs_code,
        quarter_start_date,
        payment_limit_per_unit
    from {{ ref('drug_asp_prices') }}
),

---------- expected units from the best evidence
-- point evidence: the administration record (the line's share of its role's units), else the NDC quantity
point_evidence as (
    select
        claim_line_id,
        case
            when expected_billed_units > 0 then 'administration'
            when is_ndc_of_hcpcs and ndc_quantity_billing_units > 0 then 'ndc'
        end as evidence,
        case
            when expected_billed_units > 0
                then expected_billed_units * billed_units / nullif(role_billed_units, 0)
            when is_ndc_of_hcpcs and ndc_quantity_billing_units > 0 then ndc_quantity_billing_units
        end as expected_units,
        case
            when expected_billed_units > 0 then billed_to_expected_ratio
            when is_ndc_of_hcpcs and ndc_quantity_billing_units > 0
                then billed_units / ndc_quantity_billing_units
        end as billed_to_expected_ratio
    from drug_lines
),

-- vial evidence: the dose group bills less than one vial, and a slip that under-bills (ratio below 1)
-- brings it to at least one vial; the slip closest to 1 wins
vial_slips as (
    select
        drug_lines.claim_line_id,
        max(unit_slips.billed_to_expected_ratio) as billed_to_expected_ratio
    from drug_lines
    inner join smallest_vials
        on drug_lines.hcpcs_code = smallest_vials.hcpcs_code
    inner join unit_slips
        on
            drug_lines.billing_unit_measure = unit_slips.billing_unit_measure
            and (unit_slips.billing_unit_size is null or drug_lines.billing_unit_size = unit_slips.billing_unit_size)
    where
        drug_lines.dose_group_billed_units > 0
        and drug_lines.dose_group_billed_units < smallest_vials.smallest_vial_billing_units
        and unit_slips.billed_to_expected_ratio < 1
        and drug_lines.dose_group_billed_units / unit_slips.billed_to_expected_ratio
        >= smallest_vials.smallest_vial_billing_units
    group by drug_lines.claim_line_id
),

unit_evidence as (
    select
        drug_lines.claim_line_id,
        drug_lines.billing_unit_measure,
        drug_lines.billing_unit_size,
        coalesce(point_evidence.evidence, case when vial_slips.claim_line_id is not null then 'vial' end)
            as expected_units_evidence,
        coalesce(point_evidence.expected_units, drug_lines.billed_units / vial_slips.billed_to_expected_ratio)
            as expected_units,
        coalesce(point_evidence.billed_to_expected_ratio, vial_slips.billed_to_expected_ratio)
            as evidence_billed_to_expected_ratio
    from drug_lines
    left join point_evidence
        on drug_lines.claim_line_id = point_evidence.claim_line_id
    left join vial_slips
        on drug_lines.claim_line_id = vial_slips.claim_line_id
),

-- the slip the ratio falls in, for the code's billing unit (bands do not overlap). From the NDC quantity
-- a slip is believed only when the CTP quantity is at least one vial (else the CTP is the wrong figure,
-- e.g. the vial count keyed as the quantity: ndc_quantity_mismatch), and a slip flagged
-- needs_dose_below_smallest_vial (a 1000x under-billing) only when the dose group bills less than one
-- vial (else the billed units are plausible and the CTP is wrong)
slip_matches as (
    select
        unit_evidence.claim_line_id,
        min(unit_slips.root_cause) as unit_slip_root_cause
    from unit_evidence
    inner join drug_lines
        on unit_evidence.claim_line_id = drug_lines.claim_line_id
    left join smallest_vials
        on drug_lines.hcpcs_code = smallest_vials.hcpcs_code
    inner join unit_slips
        on
            unit_evidence.billing_unit_measure = unit_slips.billing_unit_measure
            and (unit_slips.billing_unit_size is null or unit_evidence.billing_unit_size = unit_slips.billing_unit_size)
    where
        unit_evidence.evidence_billed_to_expected_ratio
        >= unit_slips.billed_to_expected_ratio / unit_slips.ratio_band
        and unit_evidence.evidence_billed_to_expected_ratio
        <= unit_slips.billed_to_expected_ratio * unit_slips.ratio_band
        and (
            unit_evidence.expected_units_evidence != 'ndc'
            or (
                unit_evidence.expected_units >= smallest_vials.smallest_vial_billing_units
                and (
                    not unit_slips.needs_dose_below_smallest_vial
                    or drug_lines.dose_group_billed_units < smallest_vials.smallest_vial_billing_units
                )
            )
        )
    group by unit_evidence.claim_line_id
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
        drug_lines.dose_group_billed_units,
        unit_evidence.expected_units_evidence,
        evidence_levels.confidence as expected_units_confidence,
        unit_evidence.expected_units,
        unit_evidence.evidence_billed_to_expected_ratio,
        slip_matches.unit_slip_root_cause,
        asp_prices.payment_limit_per_unit as asp_payment_limit_per_unit
    from drug_lines
    left join unit_evidence
        on drug_lines.claim_line_id = unit_evidence.claim_line_id
    left join evidence_levels
        on unit_evidence.expected_units_evidence = evidence_levels.evidence
    left join slip_matches
        on drug_lines.claim_line_id = slip_matches.claim_line_id
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
