{{ config(**partitioned_by('claim_control_number')) }}

-- One row per 837 drug line (a service line whose procedure code is in the drug_reference seed), with the
-- administration records behind it and the unit arithmetic to compare them.
--
-- Built in steps: int_drug_lines_grouped puts each drug line in its dose group (the drug lines of one
-- claim with the same HCPCS and service date) with its role, administered or waste (JW without JZ);
-- int_drug_administrations_linked attaches the administration records to dose groups (by the line
-- control number of a line of the group, else by CLM01 + HCPCS + date) in billing units. This model sums
-- the records per group and compares them with what the lines of the same role billed, so a 9,999 +
-- 2,024 split both show the ratio of 12,023 billed to 12,023 administered.
-- Partitioned by the claim's CLM01: one pass over the 837 drug lines of the affected claims, read by the
-- unit-error marts.

with

drug_ndcs as (
    select
        ndc,
        hcpcs_code,
        vial_size,
        vial_measure
    from {{ ref('drug_ndcs') }}
),

drug_identification as (
    select
        claim_line_id,
        ndc,
        ndc_quantity,
        ndc_unit_code
    from {{ ref('stg_x12_837__drug_identification') }}
    where drug_seq = 1 {{ affected_only('claim_id', 'claim_id', 'and') }}
),

drug_lines_with_role as {{ read_in_place() }} (
    select
        claim_line_id,
        claim_id,
        line_seq,
        claim_control_number,
        payer_id,
        line_control_number,
        hcpcs_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        has_jw,
        has_jz,
        has_76,
        service_from_date,
        billed_units,
        line_charge_amount,
        billing_unit_size,
        billing_unit_measure,
        per_line_unit_cap,
        dose_group_key,
        dose_role
    from {{ ref('int_drug_lines_grouped') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

-- factors from every measure (and X12 unit code) to every other of its dimension
unit_ratios as (
    select
        from_measure_key,
        to_measure_key,
        from_x12_unit_code,
        conversion_factor
    from {{ ref('int_measure_unit_ratios') }}
),

administrations_in_billing_units as {{ read_in_place() }} (
    select
        dose_group_key,
        link_method,
        drug_administration_id,
        administration_id,
        line_control_number,
        administered_unit,
        administered_amount,
        wasted_amount,
        patient_weight_kg,
        dose_group_count,
        administered_billing_units,
        wasted_billing_units
    from {{ ref('int_drug_administrations_linked') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

---------- the administrations behind each dose group
dose_group_administrations as (
    select
        dose_group_key,
        count(*) as administration_count,
        min(administration_id) as first_administration_id,
        case
            when sum(case when link_method = 'line_control_number' then 1 else 0 end) > 0 then 'line_control_number'
            else 'claim_hcpcs_date'
        end as administration_match_method,
        min(administered_unit) as administered_unit,
        count(distinct administered_unit) as administered_unit_count,
        cast(sum(administered_amount) as decimal(18, 4)) as administered_amount,
        cast(sum(wasted_amount) as decimal(18, 4)) as wasted_amount,
        max(patient_weight_kg) as patient_weight_kg,
        cast(sum(administered_billing_units) as decimal(18, 4)) as administered_billing_units,
        cast(sum(wasted_billing_units) as decimal(18, 4)) as wasted_billing_units,
        sum(case when administered_billing_units is null then 1 else 0 end) as unconvertible_count,
        max(dose_group_count) as max_dose_group_count
    from administrations_in_billing_units
    group by dose_group_key
),

-- the lines a record names by its line control number (REF*6R)
administration_lines as (
    select distinct drug_lines_with_role.claim_line_id
    from drug_lines_with_role
    inner join administrations_in_billing_units as line_links
        on
            drug_lines_with_role.dose_group_key = line_links.dose_group_key
            and drug_lines_with_role.line_control_number = line_links.line_control_number
    where line_links.link_method = 'line_control_number'
),

---------- billed units per dose group and role
role_billed_units as (
    select
        dose_group_key,
        dose_role,
        cast(sum(billed_units) as decimal(18, 4)) as role_billed_units,
        count(*) as role_line_count
    from drug_lines_with_role
    group by
        dose_group_key,
        dose_role
),

final as (
    select
        ---------- ids
        drug_lines_with_role.claim_line_id,
        drug_lines_with_role.claim_id,
        drug_lines_with_role.claim_control_number,
        drug_lines_with_role.line_control_number,
        drug_lines_with_role.payer_id,

        ---------- the billed line
        drug_lines_with_role.hcpcs_code,
        drug_lines_with_role.procedure_modifier_1,
        drug_lines_with_role.procedure_modifier_2,
        drug_lines_with_role.procedure_modifier_3,
        drug_lines_with_role.procedure_modifier_4,
        drug_lines_with_role.has_jw,
        drug_lines_with_role.has_jz,
        drug_lines_with_role.has_76,
        drug_lines_with_role.service_from_date,
        drug_lines_with_role.billed_units,
        drug_lines_with_role.line_charge_amount,
        drug_lines_with_role.billing_unit_size,
        drug_lines_with_role.billing_unit_measure,
        drug_lines_with_role.per_line_unit_cap,
        drug_lines_with_role.billed_units > drug_lines_with_role.per_line_unit_cap as exceeds_per_line_unit_cap,

        ---------- NDC (2410 LIN/CTP), with the CTP quantity in billing units when its unit allows
        drug_identification.ndc,
        drug_identification.ndc_quantity,
        drug_identification.ndc_unit_code,
        drug_ndcs.ndc is not null and drug_ndcs.hcpcs_code = drug_lines_with_role.hcpcs_code as is_ndc_of_hcpcs,
        drug_ndcs.hcpcs_code as ndc_hcpcs_code,
        cast(
            case
                when upper(drug_identification.ndc_unit_code) = 'UN'
                    then
                        drug_identification.ndc_quantity * drug_ndcs.vial_size
                        * vial_ratios.conversion_factor
                        / drug_lines_with_role.billing_unit_size
                else
                    drug_identification.ndc_quantity
                    * ctp_ratios.conversion_factor
                    / drug_lines_with_role.billing_unit_size
            end
            as decimal(18, 4)
        ) as ndc_quantity_billing_units,

        ---------- dose group and the administrations behind it
        drug_lines_with_role.dose_group_key,
        drug_lines_with_role.dose_role,
        role_billed_units.role_line_count,
        administration_lines.claim_line_id is not null as is_administration_line,
        coalesce(dose_group_administrations.administration_match_method, 'unmatched') as administration_match_method,
        coalesce(dose_group_administrations.administration_count, 0) as administration_count,
        dose_group_administrations.first_administration_id,
        coalesce(dose_group_administrations.max_dose_group_count, 0) > 1 as is_administration_shared,
        case
            when dose_group_administrations.administered_unit_count > 1 then 'mixed'
            else dose_group_administrations.administered_unit
        end as administered_unit,
        dose_group_administrations.administered_amount,
        dose_group_administrations.wasted_amount,
        dose_group_administrations.patient_weight_kg,
        case
            when
                dose_group_administrations.unconvertible_count = 0
                then dose_group_administrations.administered_billing_units
        end
            as administered_billing_units,
        case
            when dose_group_administrations.unconvertible_count = 0 then dose_group_administrations.wasted_billing_units
        end
            as wasted_billing_units,

        ---------- billed vs expected, for the line's role in its dose group
        case
            when dose_group_administrations.unconvertible_count > 0 then null
            when drug_lines_with_role.dose_role = 'waste' then dose_group_administrations.wasted_billing_units
            else dose_group_administrations.administered_billing_units
        end as expected_billed_units,
        role_billed_units.role_billed_units,
        cast(
            case
                when dose_group_administrations.unconvertible_count > 0 then null
                when drug_lines_with_role.dose_role = 'waste'
                    then
                        role_billed_units.role_billed_units / nullif(dose_group_administrations.wasted_billing_units, 0)
                else
                    role_billed_units.role_billed_units
                    / nullif(dose_group_administrations.administered_billing_units, 0)
            end
            as decimal(18, 6)
        ) as billed_to_expected_ratio
    from drug_lines_with_role
    left join drug_identification
        on drug_lines_with_role.claim_line_id = drug_identification.claim_line_id
    left join drug_ndcs
        on drug_identification.ndc = drug_ndcs.ndc
    left join unit_ratios as vial_ratios
        on
            lower(drug_ndcs.vial_measure) = vial_ratios.from_measure_key
            and lower(drug_lines_with_role.billing_unit_measure) = vial_ratios.to_measure_key
    left join unit_ratios as ctp_ratios
        on
            upper(drug_identification.ndc_unit_code) = ctp_ratios.from_x12_unit_code
            and lower(drug_lines_with_role.billing_unit_measure) = ctp_ratios.to_measure_key
    left join role_billed_units
        on
            drug_lines_with_role.dose_group_key = role_billed_units.dose_group_key
            and drug_lines_with_role.dose_role = role_billed_units.dose_role
    left join dose_group_administrations
        on drug_lines_with_role.dose_group_key = dose_group_administrations.dose_group_key
    left join administration_lines
        on drug_lines_with_role.claim_line_id = administration_lines.claim_line_id
)

select * from final
