{{ config(**partitioned_by('claim_control_number')) }}

-- One row per administration record and dose group it is attached to, with how it was attached and its
-- amounts in billing units. The administrations CSV links each dose to the FIRST line that billed it
-- (REF*6R); the other lines of the dose (the 76-split remainder lines, the JW waste line) share that
-- record, so records attach to the dose group (int_drug_lines_grouped), not to a single line:
--   1. line_control_number: the record's line_control_number and claim_control_number name a line of
--      the group;
--   2. claim_hcpcs_date: a record linked to no line that way attaches to every group of a claim with its
--      claim_control_number (CLM01), HCPCS and administered date. A record already linked by line control
--      number is never reused, so a duplicate claim that bills the same dose again gets no administration.
-- Amounts go to billing units through the seed: amount x measure factor (administered_unit ->
-- billing_unit_measure, mcg/mg/g by mass, IU only to IU; int_measure_unit_ratios) / billing_unit_size.
-- A step of int_drug_lines_with_administrations; partitioned by CLM01, the claim_control_number both the
-- record and its dose group carry (every link requires them equal).

with

drug_lines as {{ read_in_place() }} (
    select
        claim_line_id,
        claim_control_number,
        line_control_number,
        hcpcs_code,
        service_from_date,
        billing_unit_size,
        billing_unit_measure,
        dose_group_key
    from {{ ref('int_drug_lines_grouped') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

administrations as {{ read_in_place() }} (
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
    {{ affected_only('claim_control_number', 'pcn') }}
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

administrations_linked_by_line as (
    select distinct drug_administration_id
    from administrations_by_line
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
    left join administrations_linked_by_line
        on administrations.drug_administration_id = administrations_linked_by_line.drug_administration_id
    where administrations_linked_by_line.drug_administration_id is null
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

-- factors from every measure to every other of its dimension (int_measure_unit_ratios)
unit_ratios as (
    select
        from_measure_key,
        to_measure_key,
        conversion_factor
    from {{ ref('int_measure_unit_ratios') }}
),

administration_group_counts as (
    select
        drug_administration_id,
        count(*) as dose_group_count
    from administration_links
    group by drug_administration_id
),

final as (
    select
        administration_links.dose_group_key,
        administration_links.link_method,
        administrations.drug_administration_id,
        administrations.administration_id,
        administrations.claim_control_number,
        administrations.line_control_number,
        administrations.administered_unit,
        administrations.administered_amount,
        administrations.wasted_amount,
        administrations.patient_weight_kg,
        administration_group_counts.dose_group_count,
        cast(
            administrations.administered_amount
            * unit_ratios.conversion_factor
            / dose_groups.billing_unit_size
            as decimal(18, 4)
        ) as administered_billing_units,
        cast(
            administrations.wasted_amount
            * unit_ratios.conversion_factor
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
    left join unit_ratios
        on
            lower(administrations.administered_unit) = unit_ratios.from_measure_key
            and lower(dose_groups.billing_unit_measure) = unit_ratios.to_measure_key
)

select * from final
