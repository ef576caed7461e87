{{ config(**partitioned_by('claim_control_number')) }}

-- One row per fct_denials line in the unit_error category, with the billed units against the units the
-- administration record stands for (through drug_reference billing_unit_size and billing_unit_measure),
-- the ratio, the JW/JZ/76 and NDC facts (int_drug_line_facts), and ONE root cause chosen by the precedence
-- in macros/marts.sql (marts_unit_root_cause), and the dollars at stake: the expected units (best evidence)
-- times a unit price whose basis is stated (payer's allowed per unit, else the quarter's ASP payment limit,
-- else the charge per expected unit; marts_unit_price) less what was paid. Lines that are not 837 drug
-- lines keep their row with null unit facts, a null root cause and their denied dollars at stake.

with

denials as (
    select
        denial_id,
        claim_line_id,
        claim_control_number,
        line_control_number,
        payer_id,
        payer_name,
        payer_type,
        procedure_code,
        procedure_modifiers,
        service_date,
        billed_amount,
        paid_amount,
        allowed_amount,
        units_paid,
        denied_amount,
        initial_denied_amount,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        final_status,
        is_overturned,
        is_open_denial,
        remit_file_id,
        remit_segment_position,
        claim_file_id,
        claim_segment_position
    from {{ ref('fct_denials') }}
    where denial_category = 'unit_error' {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

drug_line_facts as (
    select
        {{ x12_key_label('claim_line_id', 4) }} as claim_line_id,
        has_jw,
        has_jz,
        has_76,
        billed_units,
        billing_unit_size,
        billing_unit_measure,
        per_line_unit_cap,
        payer_max_units_per_line,
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
        dose_group_has_waste_line,
        dose_group_has_76,
        ndc,
        ndc_quantity,
        ndc_unit_code,
        ndc_quantity_billing_units,
        ndc_hcpcs_code,
        is_ndc_of_hcpcs,
        requires_jw_jz,
        expected_units,
        expected_units_evidence,
        expected_units_confidence,
        unit_slip_root_cause,
        asp_payment_limit_per_unit
    from {{ ref('int_drug_line_facts') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

denials_with_facts as (
    select
        denials.denial_id,
        denials.claim_line_id,
        denials.claim_control_number,
        denials.line_control_number,
        denials.payer_id,
        denials.payer_name,
        denials.payer_type,
        denials.procedure_code,
        denials.procedure_modifiers,
        denials.service_date,
        denials.billed_amount,
        denials.paid_amount,
        denials.allowed_amount,
        denials.units_paid,
        denials.denied_amount,
        denials.initial_denied_amount,
        denials.primary_group_code,
        denials.primary_carc_code,
        denials.primary_rarc_code,
        denials.final_status,
        denials.is_overturned,
        denials.is_open_denial,
        denials.remit_file_id,
        denials.remit_segment_position,
        denials.claim_file_id,
        denials.claim_segment_position,
        drug_line_facts.claim_line_id is not null as is_drug_line,
        drug_line_facts.has_jw,
        drug_line_facts.has_jz,
        drug_line_facts.has_76,
        drug_line_facts.billed_units,
        drug_line_facts.billing_unit_size,
        drug_line_facts.billing_unit_measure,
        drug_line_facts.per_line_unit_cap,
        drug_line_facts.payer_max_units_per_line,
        drug_line_facts.dose_role,
        drug_line_facts.administration_match_method,
        drug_line_facts.administration_count,
        drug_line_facts.administered_unit,
        drug_line_facts.administered_amount,
        drug_line_facts.wasted_amount,
        drug_line_facts.administered_billing_units,
        drug_line_facts.wasted_billing_units,
        drug_line_facts.expected_billed_units,
        drug_line_facts.role_billed_units,
        drug_line_facts.role_line_count,
        drug_line_facts.billed_to_expected_ratio,
        drug_line_facts.dose_group_has_waste_line,
        drug_line_facts.dose_group_has_76,
        drug_line_facts.ndc,
        drug_line_facts.ndc_quantity,
        drug_line_facts.ndc_unit_code,
        drug_line_facts.ndc_quantity_billing_units,
        drug_line_facts.ndc_hcpcs_code,
        drug_line_facts.is_ndc_of_hcpcs,
        drug_line_facts.requires_jw_jz,
        drug_line_facts.expected_units,
        drug_line_facts.expected_units_evidence,
        drug_line_facts.expected_units_confidence,
        drug_line_facts.unit_slip_root_cause,
        drug_line_facts.asp_payment_limit_per_unit
    from denials
    left join drug_line_facts
        on denials.claim_line_id = drug_line_facts.claim_line_id
),

root_causes as (
    select
        denials_with_facts.*,
        case
            when denials_with_facts.is_drug_line then {{ marts_unit_root_cause('denials_with_facts') }}
        end as root_cause,
        denials_with_facts.billed_amount / nullif(denials_with_facts.billed_units, 0) as unit_charge_amount,
        {{ marts_unit_price(
            'denials_with_facts.allowed_amount', 'denials_with_facts.units_paid',
            'denials_with_facts.asp_payment_limit_per_unit', 'denials_with_facts.billed_amount',
            'denials_with_facts.expected_units'
        ) }} as unit_price,
        {{ marts_unit_price(
            'denials_with_facts.allowed_amount', 'denials_with_facts.units_paid',
            'denials_with_facts.asp_payment_limit_per_unit', 'denials_with_facts.billed_amount',
            'denials_with_facts.expected_units', basis=true
        ) }} as price_basis,
        -- units the dose should have billed and did not, put on the line when it is its role's only line
        case
            when
                denials_with_facts.role_line_count = 1
                and denials_with_facts.expected_billed_units > denials_with_facts.role_billed_units
                then denials_with_facts.expected_billed_units - denials_with_facts.role_billed_units
        end as underbilled_units
    from denials_with_facts
),

final as (
    select
        ---------- ids
        cast(denial_id as {{ api.Column.translate_type('string') }}) as denial_id,
        cast(claim_line_id as {{ api.Column.translate_type('string') }}) as claim_line_id,
        cast(claim_control_number as {{ api.Column.translate_type('string') }}) as claim_control_number,
        cast(line_control_number as {{ api.Column.translate_type('string') }}) as line_control_number,

        ---------- payer and line
        cast(payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(payer_type as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(procedure_code as {{ api.Column.translate_type('string') }}) as procedure_code,
        cast(procedure_modifiers as {{ api.Column.translate_type('string') }}) as procedure_modifiers,
        cast(service_date as date) as service_date,
        coalesce(is_drug_line, false) as is_drug_line,
        has_jw,
        has_jz,
        has_76,

        ---------- units: billed against the administration record, in billing units
        cast(billed_units as decimal(18, 4)) as billed_units,
        cast(billing_unit_size as decimal(18, 4)) as billing_unit_size,
        cast(billing_unit_measure as {{ api.Column.translate_type('string') }}) as billing_unit_measure,
        cast(per_line_unit_cap as integer) as per_line_unit_cap,
        cast(payer_max_units_per_line as integer) as payer_max_units_per_line,
        cast(dose_role as {{ api.Column.translate_type('string') }}) as dose_role,
        cast(administration_match_method as {{ api.Column.translate_type('string') }}) as administration_match_method,
        cast(administration_count as integer) as administration_count,
        cast(administered_unit as {{ api.Column.translate_type('string') }}) as administered_unit,
        cast(administered_amount as decimal(18, 4)) as administered_amount,
        cast(wasted_amount as decimal(18, 4)) as wasted_amount,
        cast(administered_billing_units as decimal(18, 4)) as administered_billing_units,
        cast(wasted_billing_units as decimal(18, 4)) as wasted_billing_units,
        cast(expected_billed_units as decimal(18, 4)) as expected_billed_units,
        cast(role_billed_units as decimal(18, 4)) as role_billed_units,
        cast(billed_to_expected_ratio as decimal(18, 6)) as billed_to_expected_ratio,
        cast(underbilled_units as decimal(18, 4)) as underbilled_units,
        cast(expected_units as decimal(18, 4)) as expected_units,
        cast(expected_units_evidence as {{ api.Column.translate_type('string') }}) as expected_units_evidence,
        cast(expected_units_confidence as decimal(4, 2)) as expected_units_confidence,
        dose_group_has_waste_line,
        dose_group_has_76,

        ---------- NDC (837 2410)
        cast(ndc as {{ api.Column.translate_type('string') }}) as ndc,
        cast(ndc_quantity as decimal(18, 4)) as ndc_quantity,
        cast(ndc_unit_code as {{ api.Column.translate_type('string') }}) as ndc_unit_code,
        cast(ndc_quantity_billing_units as decimal(18, 4)) as ndc_quantity_billing_units,

        ---------- root cause
        cast(root_cause as {{ api.Column.translate_type('string') }}) as root_cause,
        cast({{ marts_unit_root_cause_precedence('root_cause') }} as integer) as root_cause_precedence,
        cast({{ marts_prebill_rule_for_root_cause('root_cause') }} as {{ api.Column.translate_type('string') }})
            as prebill_rule,

        ---------- dollars at stake and the denial
        cast(unit_charge_amount as decimal(18, 4)) as unit_charge_amount,
        cast(unit_price as decimal(18, 4)) as unit_price,
        cast(price_basis as {{ api.Column.translate_type('string') }}) as price_basis,
        cast(underbilled_units * unit_price as decimal(18, 2)) as underbilled_amount,
        cast(
            case
                when expected_units > 0 and unit_price is not null
                    then
                        case
                            when expected_units * unit_price > coalesce(paid_amount, 0)
                                then expected_units * unit_price - coalesce(paid_amount, 0)
                            else 0
                        end
                else denied_amount
            end
            as decimal(18, 2)
        ) as dollars_at_stake,
        cast(billed_amount as decimal(18, 2)) as billed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(denied_amount as decimal(18, 2)) as denied_amount,
        cast(initial_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(primary_group_code as {{ api.Column.translate_type('string') }}) as primary_group_code,
        cast(primary_carc_code as {{ api.Column.translate_type('string') }}) as primary_carc_code,
        cast(primary_rarc_code as {{ api.Column.translate_type('string') }}) as primary_rarc_code,
        cast(final_status as {{ api.Column.translate_type('string') }}) as final_status,
        is_overturned,
        is_open_denial,

        ---------- lineage
        cast(remit_file_id as bigint) as remit_file_id,
        cast(remit_segment_position as bigint) as remit_segment_position,
        cast(claim_file_id as bigint) as claim_file_id,
        cast(claim_segment_position as bigint) as claim_segment_position
    from root_causes
)

select * from final
