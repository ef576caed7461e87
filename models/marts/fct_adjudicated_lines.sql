{{ config(**partitioned_by('claim_control_number')) }}

-- One row per service line adjudicated at least once: an 837 line with a remit, an 835 line no 837 line
-- matched, or an 835 claim without service lines and without an 837 claim (one row for the claim).
-- Reads each line's remit chain as int_line_versions_picked sums it and picks its versions (its CTEs, taken
-- in here so that the affected numbers' filter reaches the versions they read), and keeps:
--   - initial_* columns: the first adjudication (first non-reversal version, remit order);
--   - paid_amount, denied_amount: netted over the versions the payer still stands by (the final version,
--     every reversal and every version a reversal cancels), so a reversal and the version it reverses
--     cancel out; denied dollars after netting are floored at 0;
--   - denial_* columns: the denying version, the final version when it denies, else the latest version that
--     denied (an overturned denial keeps its original reason);
-- then adds the claim, payer, provider, drug and responsible team, and casts every column.
-- Base of fct_denials and of the KPI marts.

{%- set string = api.Column.translate_type("string") %}

with

{{ line_versions_picked_ctes(ref('int_line_versions_valued'), affected_only('patient_control_number', 'pcn')) }},

lines as (
    select
        {% for version, columns in line_version_picks().items() -%}
            {% for column in columns -%}
                {{ version }}_{{ column }},
            {% endfor -%}
        {% endfor -%}
        adjudicated_line_id,
        version_count,
        reversal_count,
        has_final_version,
        paid_amount,
        denied_amount,
        was_ever_denied,
        is_initially_denied,
        is_overturned
    from lines_netted
),

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id,
        billing_provider_npi
    from {{ ref('stg_x12_837__claims') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

remit_payments as (
    select
        remit_transaction_id,
        payer_name,
        payee_id_qualifier,
        payee_id
    from {{ ref('stg_x12_835__payments') }}
),

payers as (
    select
        payer_id,
        payer_name,
        payer_type
    from {{ ref('int_payers_resolved') }}
),

drug_reference as (
    select
        hcpcs_code,
        product_name,
        drug_class
    from {{ ref('drug_reference') }}
),

denial_categories as (
    select
        denial_category,
        responsible_team
    from {{ ref('denial_categories') }}
),

final as (
    select
        ---------- ids
        cast(lines.adjudicated_line_id as {{ string }}) as adjudicated_line_id,
        {{ x12_key_label('lines.first_claim_line_id', 4) }} as claim_line_id,
        {{ x12_key_label('coalesce(lines.first_claim_id, lines.final_claim_id)', 3) }} as claim_id,
        cast(coalesce(claims.claim_control_number, lines.first_patient_control_number) as {{ string }})
            as claim_control_number,
        cast(lines.first_line_control_number as {{ string }}) as line_control_number,
        cast(lines.first_line_number as integer) as line_number,
        cast(lines.first_match_method as {{ string }}) as match_method,

        ---------- payer and provider
        cast(coalesce(claims.payer_id, lines.first_remit_payer_id) as {{ string }}) as payer_id,
        cast(coalesce(payers.payer_name, remit_payments.payer_name) as {{ string }}) as payer_name,
        cast(coalesce(payers.payer_type, 'unknown') as {{ string }}) as payer_type,
        cast(coalesce(
            claims.billing_provider_npi,
            case when remit_payments.payee_id_qualifier = 'XX' then remit_payments.payee_id end
        ) as {{ string }}) as billing_provider_npi,

        ---------- service
        cast(lines.first_procedure_code as {{ string }}) as procedure_code,
        cast(lines.first_procedure_modifier_1 as {{ string }}) as procedure_modifier_1,
        cast(lines.first_procedure_modifier_2 as {{ string }}) as procedure_modifier_2,
        cast(lines.first_procedure_modifier_3 as {{ string }}) as procedure_modifier_3,
        cast(lines.first_procedure_modifier_4 as {{ string }}) as procedure_modifier_4,
        drug_reference.hcpcs_code is not null as is_drug_line,
        cast(drug_reference.drug_class as {{ string }}) as drug_class,
        cast(drug_reference.product_name as {{ string }}) as product_name,
        cast(lines.first_units_billed as decimal(18, 4)) as units_billed,
        cast(lines.final_remit_units_paid as decimal(18, 4)) as units_paid,

        ---------- dates
        cast(lines.first_service_date as date) as service_date,
        cast(lines.first_claim_received_date as date) as claim_received_date,
        cast(lines.first_remit_date as date) as first_remit_date,
        cast(lines.final_remit_date as date) as final_remit_date,
        cast(case when lines.paid_amount > 0 then lines.final_remit_date end as date) as paid_date,
        cast(case when lines.paid_amount > 0 then {{ dbt.datediff(
            'lines.first_service_date', 'lines.final_remit_date', 'day') }} end as integer)
            as days_service_to_payment,
        cast(case when lines.paid_amount > 0 then {{ dbt.datediff(
            'lines.first_claim_received_date', 'lines.final_remit_date', 'day') }} end as integer)
            as days_received_to_payment,

        ---------- amounts (paid and denied = netted over the reversal chain)
        cast(
            coalesce(lines.first_claim_line_charge_amount, abs(lines.first_version_charge_amount))
            as decimal(18, 2)
        ) as billed_amount,
        cast(lines.final_remit_allowed_amount as decimal(18, 2)) as allowed_amount,
        cast(lines.first_paid_amount as decimal(18, 2)) as initial_paid_amount,
        cast(lines.first_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(lines.paid_amount as decimal(18, 2)) as paid_amount,
        cast(lines.denied_amount as decimal(18, 2)) as denied_amount,

        ---------- first adjudication
        lines.is_initially_denied,
        lines.is_initially_denied and lines.first_paid_amount <= 0 as is_initial_zero_pay_denial,
        lines.is_initially_denied and lines.first_paid_amount > 0 as is_initial_partial_pay_denial,
        not lines.is_initially_denied
        and lines.version_count = 1
        and lines.first_paid_amount > 0 as is_first_pass_paid,
        cast(lines.first_denial_category as {{ string }}) as initial_denial_category,
        coalesce(lines.first_is_avoidable, false) and lines.is_initially_denied
            as is_initial_denial_avoidable,

        ---------- chain and final status
        cast(lines.version_count as integer) as version_count,
        cast(lines.reversal_count as integer) as reversal_count,
        lines.was_ever_denied,
        lines.is_overturned,
        cast(
            case
                when not lines.has_final_version then 'reversed'
                when lines.is_overturned and lines.denied_amount = 0 then 'overturned'
                when lines.is_overturned then 'partially_overturned'
                when lines.denied_amount > 0 and lines.paid_amount <= 0 then 'denied'
                when lines.denied_amount > 0 then 'partially_denied'
                when lines.paid_amount > 0 then 'paid'
                else 'zero_paid'
            end
            as {{ string }}
        ) as final_status,

        ---------- denial (the denying version's largest denial adjustment)
        {{ x12_key_label('lines.denying_remit_claim_id', 3) }} as denial_remit_claim_id,
        {{ x12_key_label('lines.denying_remit_line_id', 4) }} as denial_remit_line_id,
        cast(lines.denying_remit_date as date) as denial_remit_date,
        {{ x12_key_label('lines.denying_primary_remit_adjustment_id', 3) }} as primary_remit_adjustment_id,
        cast(lines.denying_primary_group_code as {{ string }}) as primary_group_code,
        cast(lines.denying_primary_carc_code as {{ string }}) as primary_carc_code,
        cast(lines.denying_primary_rarc_code as {{ string }}) as primary_rarc_code,
        cast(lines.denying_denial_category as {{ string }}) as denial_category,
        cast(denial_categories.responsible_team as {{ string }}) as responsible_team,
        coalesce(lines.denying_is_avoidable, false) as is_avoidable,
        coalesce(lines.denying_primary_adjustment_level = 'claim', false) as is_claim_level_denial,
        cast(lines.denying_classification_rule as {{ string }}) as denial_classification_rule,
        cast(coalesce(lines.denying_denial_adjustment_count, 0) as integer) as denial_adjustment_count,

        ---------- lineage
        cast(coalesce(lines.denying_remit_file_id, lines.final_remit_file_id) as bigint) as remit_file_id,
        cast(coalesce(lines.denying_remit_segment_position, lines.final_remit_segment_position) as bigint)
            as remit_segment_position,
        {{ x12_key_label('lines.first_remit_claim_id', 3) }} as first_remit_claim_id,
        {{ x12_key_label('lines.final_remit_claim_id', 3) }} as final_remit_claim_id,
        cast(lines.first_claim_file_id as bigint) as claim_file_id,
        cast(lines.first_claim_segment_position as bigint) as claim_segment_position
    from lines
    left join claims
        on coalesce(lines.first_claim_id, lines.final_claim_id) = claims.claim_id
    left join remit_payments
        on lines.first_remit_transaction_id = remit_payments.remit_transaction_id
    left join payers
        on coalesce(claims.payer_id, lines.first_remit_payer_id) = payers.payer_id
    left join drug_reference
        on lines.first_procedure_code = drug_reference.hcpcs_code
    left join denial_categories
        on lines.denying_denial_category = denial_categories.denial_category
)

select * from final
