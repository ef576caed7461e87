{{ config(**partitioned_by('claim_control_number')) }}

-- One row per 837 drug line (a service line whose procedure code is in the drug_reference seed) with its
-- seed row, its JW/JZ/76 modifiers, its dose group and its role in the group.
-- Dose group: the drug lines of one claim with the same HCPCS and service date. Lines with JW (and not JZ)
-- bill the group's waste (role waste); all other lines bill what was administered (role administered).
-- A step of int_drug_lines_with_administrations; partitioned by the claim's CLM01 (a dose group is within
-- one claim).

with

drug_reference as (
    select
        hcpcs_code,
        billing_unit_size,
        billing_unit_measure,
        per_line_unit_cap
    from {{ ref('drug_reference') }}
),

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id
    from {{ ref('stg_x12_837__claims') }}
    {{ affected_only('claim_control_number', 'pcn') }}
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
    {{ affected_only('claim_id', 'claim_id') }}
),

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
            x12_key_label("service_lines.claim_id", 3), "':'", "service_lines.procedure_code", "':'",
            "coalesce("
            ~ dbt.safe_cast("service_lines.service_from_date", api.Column.translate_type("string"))
            ~ ", '')"
        ]) }} as dose_group_key
    from service_lines
    inner join drug_reference
        on service_lines.procedure_code = drug_reference.hcpcs_code
    inner join claims
        on service_lines.claim_id = claims.claim_id
),

final as (
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
)

select * from final
