-- One row per 837 drug line (a service line whose procedure code is in the drug_reference seed), with the
-- administration records behind it and the unit arithmetic to compare them.
--
-- Dose group: the drug lines of one claim with the same HCPCS and service date. The administrations CSV
-- links each dose to the FIRST line that billed it (REF*6R); the other lines of the dose (the 76-split
-- remainder lines, the JW waste line) share that record. So administrations are attached to the dose
-- group, not to a single line:
--   1. line_control_number: the record's line_control_number and claim_control_number name a line of
--      the group;
--   2. claim_hcpcs_date: a record linked to no line that way attaches to every group of a claim with its
--      claim_control_number (CLM01), HCPCS and administered date. A record already linked by line control
--      number is never reused, so a duplicate claim that bills the same dose again gets no administration.
-- Amounts go to billing units through the seed: amount x measure factor (administered_unit ->
-- billing_unit_measure, mcg/mg/g by mass, IU only to IU) / billing_unit_size. Lines with JW (and not JZ)
-- bill the group's waste; all other lines bill what was administered, so expected_billed_units and
-- role_billed_units compare the group's totals for the line's role (a 9,999 + 2,024 split both show the
-- ratio of 12,023 billed to 12,023 administered).
-- View: one pass over the 837 drug lines, read by the unit-error marts.

with

drug_reference as (
    select
        hcpcs_code,
        billing_unit_size,
        billing_unit_measure,
        per_line_unit_cap
    from {{ ref('drug_reference') }}
),

drug_ndcs as (
    select
        ndc,
        hcpcs_code,
        vial_size,
        vial_measure
    from {{ ref('drug_ndcs') }}
),

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id
    from {{ ref('stg_x12_837__claims') }}
),

service_lines as (
    select
        claim_line_id,
        claim_id,
        line_seq,
        line_control_number,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        service_from_date,
        service_unit_count,
        line_charge_amount
    from {{ ref('stg_x12_837__service_lines') }}
),

drug_identification as (
    select
        claim_line_id,
        ndc,
        ndc_quantity,
        ndc_unit_code
    from {{ ref('stg_x12_837__drug_identification') }}
    where drug_seq = 1
),

administrations as (
    select
        drug_administration_id,
        administration_id,
        claim_control_number,
        line_control_number,
        hcpcs_code,
        administered_amount,
        wasted_amount,
        administered_unit,
        patient_weight_kg,
        administered_at
    from {{ ref('stg_administrations__drug_administrations') }}
),

---------- drug lines with their seed row, modifiers and dose group
drug_lines as (
    select
        service_lines.claim_line_id,
        service_lines.claim_id,
        service_lines.line_seq,
        claims.claim_control_number,
        claims.payer_id,
        service_lines.line_control_number,
        service_lines.procedure_code as hcpcs_code,
        service_lines.procedure_modifier_1,
        service_lines.procedure_modifier_2,
        service_lines.procedure_modifier_3,
        service_lines.procedure_modifier_4,
        {{ has_procedure_modifier('JW', 'service_lines.') }} as has_jw,
        {{ has_procedure_modifier('JZ', 'service_lines.') }} as has_jz,
        {{ has_procedure_modifier('76', 'service_lines.') }} as has_76,
        service_lines.service_from_date,
        service_lines.service_unit_count as billed_units,
        service_lines.line_charge_amount,
        drug_reference.billing_unit_size,
        drug_reference.billing_unit_measure,
        drug_reference.per_line_unit_cap,
        {{ dbt.concat([
            "service_lines.claim_id", "':'", "service_lines.procedure_code", "':'",
            "coalesce(" ~ dbt.safe_cast("service_lines.service_from_date", api.Column.translate_type("string")) ~ ", '')"
        ]) }} as dose_group_key
    from service_lines
    inner join drug_reference
        on service_lines.procedure_code = drug_reference.hcpcs_code
    inner join claims
        on service_lines.claim_id = claims.claim_id
),

drug_lines_with_role as (
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
        case when has_jw and not has_jz then 'waste' else 'administered' end as dose_role
    from drug_lines
),

dose_groups as (
    select distinct
        dose_group_key,
        claim_control_number,
        hcpcs_code,
        service_from_date,
        billing_unit_size,
        billing_unit_measure
    from drug_lines
),

---------- administrations attached to dose groups
administrations_by_line as (
    select distinct
        drug_lines.dose_group_key,
        drug_lines.claim_line_id,
        administrations.drug_administration_id
    from administrations
    inner join drug_lines
        on
            administrations.line_control_number = drug_lines.line_control_number
            and administrations.claim_control_number = drug_lines.claim_control_number
),

administrations_by_claim_hcpcs_date as (
    select
        dose_groups.dose_group_key,
        administrations.drug_administration_id
    from administrations
    inner join dose_groups
        on
            administrations.claim_control_number = dose_groups.claim_control_number
            and administrations.hcpcs_code = dose_groups.hcpcs_code
            and cast(administrations.administered_at as date) = dose_groups.service_from_date
    left join (select distinct drug_administration_id from administrations_by_line) as linked_by_line
        on administrations.drug_administration_id = linked_by_line.drug_administration_id
    where linked_by_line.drug_administration_id is null
),

administration_links as (
    select distinct
        dose_group_key,
        drug_administration_id,
        'line_control_number' as link_method
    from administrations_by_line
    union all
    select
        dose_group_key,
        drug_administration_id,
        'claim_hcpcs_date' as link_method
    from administrations_by_claim_hcpcs_date
),

administration_group_counts as (
    select
        drug_administration_id,
        count(*) as dose_group_count
    from administration_links
    group by drug_administration_id
),

administrations_in_billing_units as (
    select
        administration_links.dose_group_key,
        administration_links.link_method,
        administrations.drug_administration_id,
        administrations.administration_id,
        administrations.administered_unit,
        administrations.administered_amount,
        administrations.wasted_amount,
        administrations.patient_weight_kg,
        administration_group_counts.dose_group_count,
        cast(
            administrations.administered_amount
            * {{ measure_conversion_factor('administrations.administered_unit', 'dose_groups.billing_unit_measure') }}
            / dose_groups.billing_unit_size
            as decimal(18, 4)
        ) as administered_billing_units,
        cast(
            administrations.wasted_amount
            * {{ measure_conversion_factor('administrations.administered_unit', 'dose_groups.billing_unit_measure') }}
            / dose_groups.billing_unit_size
            as decimal(18, 4)
        ) as wasted_billing_units
    from administration_links
    inner join administrations
        on administration_links.drug_administration_id = administrations.drug_administration_id
    inner join dose_groups
        on administration_links.dose_group_key = dose_groups.dose_group_key
    inner join administration_group_counts
        on administration_links.drug_administration_id = administration_group_counts.drug_administration_id
),

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

administration_lines as (
    select distinct claim_line_id
    from administrations_by_line
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
        cast(
            case
                when upper(drug_identification.ndc_unit_code) = 'UN'
                    then
                        drug_identification.ndc_quantity * drug_ndcs.vial_size
                        * {{ measure_conversion_factor('drug_ndcs.vial_measure', 'drug_lines_with_role.billing_unit_measure') }}
                        / drug_lines_with_role.billing_unit_size
                else
                    drug_identification.ndc_quantity
                    * {{ measure_conversion_factor(ctp_unit_measure('drug_identification.ndc_unit_code'), 'drug_lines_with_role.billing_unit_measure') }}
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
        case when dose_group_administrations.unconvertible_count = 0 then dose_group_administrations.administered_billing_units end
            as administered_billing_units,
        case when dose_group_administrations.unconvertible_count = 0 then dose_group_administrations.wasted_billing_units end
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
                    then role_billed_units.role_billed_units / nullif(dose_group_administrations.wasted_billing_units, 0)
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
