{{ config(**partitioned_by('claim_control_number')) }}

-- One row per 837 drug line (int_drug_lines_with_administrations) with the units it should have billed
-- from the best evidence there is, in the order of seed drug_unit_evidence_levels: the administration
-- record; else the CTP quantity of an NDC of the code; else the labeled dose range per kg (drug_reference)
-- times the patient's PAT weight (stg_x12_837__patients, converted to kg through
-- int_measure_unit_ratios); else vial-size plausibility. With the evidence, its confidence, the
-- billed/expected ratio and the unit slip (drug_unit_slips, by the code's billing unit) the ratio falls in.
-- A step of int_drug_line_facts; partitioned by the claim's CLM01 (claim_control_number).

with

drug_lines as (
    select
        claim_line_id,
        claim_id,
        claim_control_number,
        hcpcs_code,
        billed_units,
        billing_unit_size,
        billing_unit_measure,
        dose_group_key,
        dose_role,
        expected_billed_units,
        role_billed_units,
        billed_to_expected_ratio,
        is_ndc_of_hcpcs,
        ndc_quantity_billing_units,
        sum(billed_units) over (partition by dose_group_key) as dose_group_billed_units
    from {{ ref('int_drug_lines_with_administrations') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

drug_reference as (
    select
        hcpcs_code,
        billing_unit_size,
        billing_unit_measure,
        labeled_dose_per_kg_min,
        labeled_dose_per_kg_max
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
        confidence,
        plausible_range_band
    from {{ ref('drug_unit_evidence_levels') }}
),

-- the patient's weight in kg (the unit labeled doses are per), from the PAT07 unit through the seed
patient_weights as (
    select
        patients.claim_id,
        patients.patient_weight * unit_ratios.conversion_factor as patient_weight_kg
    from {{ ref('stg_x12_837__patients') }} as patients
    inner join {{ ref('int_measure_unit_ratios') }} as unit_ratios
        on
            patients.weight_unit_code = unit_ratios.from_x12_unit_code
            and unit_ratios.to_measure_key = 'kg'
    where patients.patient_weight > 0 {{ affected_only('patients.claim_id', 'claim_id', 'and') }}
),

label_band as (
    select plausible_range_band
    from evidence_levels
    where evidence = 'label'
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

-- label evidence: the labeled dose range per kg x the patient's weight, in billing units, widened by the
-- seed's band, against what the administered lines of the dose group billed (waste lines have no label)
label_ranges as (
    select
        drug_lines.claim_line_id,
        drug_lines.billing_unit_measure,
        drug_lines.billing_unit_size,
        drug_lines.role_billed_units,
        drug_reference.labeled_dose_per_kg_min * patient_weights.patient_weight_kg
        / drug_reference.billing_unit_size / label_level.plausible_range_band as plausible_low_units,
        drug_reference.labeled_dose_per_kg_max * patient_weights.patient_weight_kg
        / drug_reference.billing_unit_size * label_level.plausible_range_band as plausible_high_units
    from drug_lines
    inner join drug_reference
        on drug_lines.hcpcs_code = drug_reference.hcpcs_code
    inner join patient_weights
        on drug_lines.claim_id = patient_weights.claim_id
    cross join label_band as label_level
    where
        drug_lines.dose_role = 'administered'
        and drug_lines.role_billed_units > 0
),

-- within the range the billed units stand (ratio 1); outside it, the slip that brings them into the range
-- and is closest to 1 (bands of one billing unit never hold a slip on each side of 1 that both fit)
label_slips as (
    select
        label_ranges.claim_line_id,
        max(
            case
                when
                    label_ranges.role_billed_units >= label_ranges.plausible_low_units
                    and label_ranges.role_billed_units <= label_ranges.plausible_high_units
                    then 1
                when unit_slips.billed_to_expected_ratio < 1 then unit_slips.billed_to_expected_ratio
            end
        ) as below_one_ratio,
        min(case when unit_slips.billed_to_expected_ratio > 1 then unit_slips.billed_to_expected_ratio end)
            as above_one_ratio
    from label_ranges
    left join unit_slips
        on
            label_ranges.billing_unit_measure = unit_slips.billing_unit_measure
            and (unit_slips.billing_unit_size is null or label_ranges.billing_unit_size = unit_slips.billing_unit_size)
            and label_ranges.role_billed_units / unit_slips.billed_to_expected_ratio
            between label_ranges.plausible_low_units and label_ranges.plausible_high_units
    group by label_ranges.claim_line_id
),

label_evidence as (
    select
        claim_line_id,
        coalesce(below_one_ratio, above_one_ratio) as billed_to_expected_ratio
    from label_slips
    where coalesce(below_one_ratio, above_one_ratio) is not null
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
        drug_lines.claim_control_number,
        drug_lines.hcpcs_code,
        drug_lines.billing_unit_measure,
        drug_lines.billing_unit_size,
        drug_lines.dose_group_billed_units,
        coalesce(
            point_evidence.evidence,
            case when label_evidence.claim_line_id is not null then 'label' end,
            case when vial_slips.claim_line_id is not null then 'vial' end
        ) as expected_units_evidence,
        coalesce(
            point_evidence.expected_units,
            drug_lines.billed_units / label_evidence.billed_to_expected_ratio,
            drug_lines.billed_units / vial_slips.billed_to_expected_ratio
        ) as expected_units,
        coalesce(
            point_evidence.billed_to_expected_ratio,
            label_evidence.billed_to_expected_ratio,
            vial_slips.billed_to_expected_ratio
        ) as evidence_billed_to_expected_ratio
    from drug_lines
    left join point_evidence
        on drug_lines.claim_line_id = point_evidence.claim_line_id
    left join label_evidence
        on drug_lines.claim_line_id = label_evidence.claim_line_id
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
    left join smallest_vials
        on unit_evidence.hcpcs_code = smallest_vials.hcpcs_code
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
                    or unit_evidence.dose_group_billed_units < smallest_vials.smallest_vial_billing_units
                )
            )
        )
    group by unit_evidence.claim_line_id
),

final as (
    select
        unit_evidence.claim_line_id,
        unit_evidence.claim_control_number,
        unit_evidence.dose_group_billed_units,
        unit_evidence.expected_units_evidence,
        evidence_levels.confidence as expected_units_confidence,
        unit_evidence.expected_units,
        unit_evidence.evidence_billed_to_expected_ratio,
        slip_matches.unit_slip_root_cause
    from unit_evidence
    left join evidence_levels
        on unit_evidence.expected_units_evidence = evidence_levels.evidence
    left join slip_matches
        on unit_evidence.claim_line_id = slip_matches.claim_line_id
)

select * from final
