{{ config(**partitioned_by('claim_control_number')) }}

-- One row per 837 service line of a claim with no remittance yet and per rule it breaks: the rules that
-- explain past denials, applied before the payer answers.
--   unit_error           a unit-error root cause (unit slip against the best evidence, NDC of another code,
--                        over the per-line cap or the payer's per-line limit, split without 76, NDC quantity
--                        inconsistent with the HCPCS units), same SQL as mart_denials_unit_errors
--                        (marts_unit_root_cause);
--   modifier_error       a JW/JZ root cause (waste without a JW line, JZ with waste, JW and JZ on one line,
--                        JW/JZ required and missing);
--   missing_auth         the payer's policy in force requires prior authorization for the code and neither
--                        the claim (REF*G1) nor the line carries an authorization number;
--   off_label            the drug is off-label for the line (int_drug_lines_off_label): none of the line's
--                        diagnoses (pointed, else the claim's) on the label's allow-list, the patient's age
--                        outside the label's limits, or none on the payer's coverage list; the detail names
--                        the first basis (label_indication, label_age, payer_coverage).
-- Dollars at risk: for unit and modifier errors, the expected units (best evidence) times the unit price
-- (the quarter's ASP payment limit, else the charge per expected unit; price_basis says which); else the
-- line charge.
-- Whether a claim has a remit yet, its lines, drug facts and label checks all stay within its CLM01:
-- partitioned by claim_control_number. Payers and payer policies are global.

with

unremitted_claims as (
    select distinct claim_id
    from {{ ref('int_claims_matched_to_remits') }}
    where
        unmatched_side = '837'
        and claim_id is not null
    {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id,
        billing_provider_npi,
        prior_authorization_number
    from {{ ref('stg_x12_837__claims') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

service_lines as (
    select
        claim_line_id,
        claim_id,
        file_id,
        segment_position,
        line_seq,
        line_control_number,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        service_from_date,
        service_unit_count,
        line_charge_amount,
        line_prior_authorization_number
    from {{ ref('stg_x12_837__service_lines') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

payers as (
    select
        payer_id,
        payer_name,
        payer_type
    from {{ ref('payers') }}
),

unremitted_lines as (
    select
        service_lines.claim_line_id,
        service_lines.claim_id,
        service_lines.file_id,
        service_lines.segment_position,
        service_lines.line_seq,
        service_lines.line_control_number,
        claims.claim_control_number,
        claims.payer_id,
        claims.billing_provider_npi,
        claims.prior_authorization_number as claim_prior_authorization_number,
        service_lines.line_prior_authorization_number,
        service_lines.procedure_code as hcpcs_code,
        service_lines.procedure_modifier_1,
        service_lines.procedure_modifier_2,
        service_lines.procedure_modifier_3,
        service_lines.procedure_modifier_4,
        service_lines.service_from_date as service_date,
        service_lines.service_unit_count,
        service_lines.line_charge_amount
    from service_lines
    inner join unremitted_claims
        on service_lines.claim_id = unremitted_claims.claim_id
    inner join claims
        on service_lines.claim_id = claims.claim_id
),

drug_line_facts as (
    select
        claim_line_id,
        has_jw,
        has_jz,
        billed_units,
        per_line_unit_cap,
        payer_max_units_per_line,
        dose_role,
        wasted_billing_units,
        billed_to_expected_ratio,
        dose_group_has_waste_line,
        ndc_quantity_billing_units,
        ndc,
        ndc_hcpcs_code,
        is_ndc_of_hcpcs,
        role_line_count,
        dose_group_has_76,
        unit_slip_root_cause,
        expected_units,
        asp_payment_limit_per_unit,
        requires_jw_jz
    from {{ ref('int_drug_line_facts') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

policies as (
    select
        payer_id,
        hcpcs_code,
        effective_from,
        effective_to,
        requires_prior_auth
    from {{ ref('int_payer_policies_in_force') }}
),

off_label_lines as (
    select
        claim_line_id,
        off_label_basis
    from {{ ref('int_drug_lines_off_label') }}
    where
        is_off_label
        and claim_line_id is not null
    {{ affected_only('claim_id', 'claim_id', 'and') }}
),

---------- rule hits, one row per line and rule
unit_rule_hits as (
    select
        unremitted_lines.claim_line_id,
        {{ marts_unit_root_cause('drug_line_facts') }} as root_cause,
        {{ marts_unit_price(
            'null', 'null', 'drug_line_facts.asp_payment_limit_per_unit',
            'unremitted_lines.line_charge_amount', 'drug_line_facts.expected_units'
        ) }} * drug_line_facts.expected_units as expected_amount,
        {{ marts_unit_price(
            'null', 'null', 'drug_line_facts.asp_payment_limit_per_unit',
            'unremitted_lines.line_charge_amount', 'drug_line_facts.expected_units', basis=true
        ) }} as price_basis
    from unremitted_lines
    inner join drug_line_facts
        on unremitted_lines.claim_line_id = drug_line_facts.claim_line_id
),

rule_hits as (
    select
        claim_line_id,
        {{ marts_prebill_rule_for_root_cause('root_cause') }} as rule_name,
        root_cause as rule_detail,
        expected_amount,
        price_basis
    from unit_rule_hits
    where root_cause is not null
    union all
    select
        unremitted_lines.claim_line_id,
        'missing_auth' as rule_name,
        'no_authorization_number' as rule_detail,
        cast(null as decimal(18, 4)) as expected_amount,
        cast(null as {{ api.Column.translate_type('string') }}) as price_basis
    from unremitted_lines
    inner join policies
        on {{ marts_policy_in_force('policies', 'unremitted_lines') }}
    where
        policies.requires_prior_auth
        and unremitted_lines.claim_prior_authorization_number is null
        and unremitted_lines.line_prior_authorization_number is null
    union all
    select
        unremitted_lines.claim_line_id,
        'off_label' as rule_name,
        off_label_lines.off_label_basis as rule_detail,
        cast(null as decimal(18, 4)) as expected_amount,
        cast(null as {{ api.Column.translate_type('string') }}) as price_basis
    from unremitted_lines
    inner join off_label_lines
        on unremitted_lines.claim_line_id = off_label_lines.claim_line_id
),

final as (
    select
        ---------- ids
        cast(
            {{ dbt.concat([x12_key_label('unremitted_lines.claim_line_id', 4), "':'", 'rule_hits.rule_name']) }}
            as {{ api.Column.translate_type('string') }}
        ) as prebill_risk_id,
        {{ x12_key_label('unremitted_lines.claim_line_id', 4) }} as claim_line_id,
        {{ x12_key_label('unremitted_lines.claim_id', 3) }} as claim_id,
        cast(unremitted_lines.claim_control_number as {{ api.Column.translate_type('string') }})
            as claim_control_number,
        cast(unremitted_lines.line_control_number as {{ api.Column.translate_type('string') }}) as line_control_number,
        cast(unremitted_lines.line_seq as integer) as line_number,

        ---------- payer and provider
        cast(unremitted_lines.payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(payers.payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(coalesce(payers.payer_type, 'unknown') as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(unremitted_lines.billing_provider_npi as {{ api.Column.translate_type('string') }})
            as billing_provider_npi,

        ---------- line
        cast(unremitted_lines.hcpcs_code as {{ api.Column.translate_type('string') }}) as procedure_code,
        cast({{ marts_modifier_text('unremitted_lines.') }} as {{ api.Column.translate_type('string') }})
            as procedure_modifiers,
        cast(unremitted_lines.service_date as date) as service_date,
        cast(unremitted_lines.service_unit_count as decimal(18, 4)) as units_billed,

        ---------- rule
        cast(rule_hits.rule_name as {{ api.Column.translate_type('string') }}) as rule_name,
        cast(rule_hits.rule_detail as {{ api.Column.translate_type('string') }}) as rule_detail,
        cast(coalesce(rule_hits.expected_amount, unremitted_lines.line_charge_amount) as decimal(18, 2))
            as dollars_at_risk,
        cast(coalesce(rule_hits.price_basis, 'line_charge') as {{ api.Column.translate_type('string') }})
            as price_basis,

        ---------- lineage
        cast(unremitted_lines.file_id as bigint) as claim_file_id,
        cast(unremitted_lines.segment_position as bigint) as claim_segment_position
    from rule_hits
    inner join unremitted_lines
        on rule_hits.claim_line_id = unremitted_lines.claim_line_id
    left join payers
        on unremitted_lines.payer_id = payers.payer_id
)

select * from final
