-- One row per service line adjudicated at least once: an 837 line with a remit, an 835 line no 837 line
-- matched, or an 835 claim without service lines and without an 837 claim (one row for the claim).
-- Reads every version of the line's remit chain, valued (int_line_versions_valued), and keeps:
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

line_versions as (
    select
        adjudicated_line_id,
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        match_method,
        line_control_number,
        remit_transaction_id,
        remit_payer_id,
        patient_control_number,
        remit_date,
        claim_received_date,
        is_reversal,
        is_final,
        is_standing,
        line_number,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        service_date,
        units_billed,
        version_charge_amount,
        remit_allowed_amount,
        remit_units_paid,
        claim_line_charge_amount,
        remit_file_id,
        claim_file_id,
        claim_segment_position,
        paid_amount,
        denied_amount,
        denial_adjustment_count,
        remit_segment_position,
        primary_remit_adjustment_id,
        primary_adjustment_level,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        denial_category,
        is_avoidable,
        classification_rule,
        first_adjudication_rank,
        final_rank,
        denying_rank
    from {{ ref('int_line_versions_valued') }}
),

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id,
        billing_provider_npi
    from {{ ref('stg_x12_837__claims') }}
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
    from {{ ref('payers') }}
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

---------- one row per line: chain totals, and its first, final and denying versions
line_chain_totals as (
    select
        adjudicated_line_id,
        count(*) as version_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        max(case when is_final then 1 else 0 end) = 1 as has_final_version,
        sum(case when is_standing then paid_amount else 0 end) as paid_amount,
        greatest(sum(case when is_standing then denied_amount else 0 end), 0) as denied_amount,
        max(case when not is_reversal and denied_amount > 0 then 1 else 0 end) = 1 as was_ever_denied
    from line_versions
    group by adjudicated_line_id
),

first_versions as (
    select * from line_versions
    where first_adjudication_rank = 1
),

final_versions as (
    select * from line_versions
    where final_rank = 1
),

denying_versions as (
    select * from line_versions
    where denying_rank = 1 and denied_amount > 0 and not is_reversal
),

lines_netted as (
    select
        first_versions.adjudicated_line_id,
        coalesce(first_versions.claim_id, final_versions.claim_id) as claim_id,
        line_chain_totals.version_count,
        line_chain_totals.reversal_count,
        line_chain_totals.has_final_version,
        line_chain_totals.was_ever_denied,
        line_chain_totals.paid_amount,
        line_chain_totals.denied_amount,
        first_versions.denied_amount > 0 as is_initially_denied,
        line_chain_totals.was_ever_denied
        and first_versions.denied_amount > 0
        and line_chain_totals.version_count > 1
        and line_chain_totals.has_final_version
        and line_chain_totals.denied_amount < first_versions.denied_amount as is_overturned
    from first_versions
    inner join final_versions
        on first_versions.adjudicated_line_id = final_versions.adjudicated_line_id
    inner join line_chain_totals
        on first_versions.adjudicated_line_id = line_chain_totals.adjudicated_line_id
),

final as (
    select
        ---------- ids
        cast(lines_netted.adjudicated_line_id as {{ string }}) as adjudicated_line_id,
        cast(first_versions.claim_line_id as {{ string }}) as claim_line_id,
        cast(lines_netted.claim_id as {{ string }}) as claim_id,
        cast(coalesce(claims.claim_control_number, first_versions.patient_control_number) as {{ string }})
            as claim_control_number,
        cast(first_versions.line_control_number as {{ string }}) as line_control_number,
        cast(first_versions.line_number as integer) as line_number,
        cast(first_versions.match_method as {{ string }}) as match_method,

        ---------- payer and provider
        cast(coalesce(claims.payer_id, first_versions.remit_payer_id) as {{ string }}) as payer_id,
        cast(coalesce(payers.payer_name, remit_payments.payer_name) as {{ string }}) as payer_name,
        cast(coalesce(payers.payer_type, 'unknown') as {{ string }}) as payer_type,
        cast(coalesce(
            claims.billing_provider_npi,
            case when remit_payments.payee_id_qualifier = 'XX' then remit_payments.payee_id end
        ) as {{ string }}) as billing_provider_npi,

        ---------- service
        cast(first_versions.procedure_code as {{ string }}) as procedure_code,
        cast(first_versions.procedure_modifier_1 as {{ string }}) as procedure_modifier_1,
        cast(first_versions.procedure_modifier_2 as {{ string }}) as procedure_modifier_2,
        cast(first_versions.procedure_modifier_3 as {{ string }}) as procedure_modifier_3,
        cast(first_versions.procedure_modifier_4 as {{ string }}) as procedure_modifier_4,
        drug_reference.hcpcs_code is not null as is_drug_line,
        cast(drug_reference.drug_class as {{ string }}) as drug_class,
        cast(drug_reference.product_name as {{ string }}) as product_name,
        cast(first_versions.units_billed as decimal(18, 4)) as units_billed,
        cast(final_versions.remit_units_paid as decimal(18, 4)) as units_paid,

        ---------- dates
        cast(first_versions.service_date as date) as service_date,
        cast(first_versions.claim_received_date as date) as claim_received_date,
        cast(first_versions.remit_date as date) as first_remit_date,
        cast(final_versions.remit_date as date) as final_remit_date,
        cast(case when lines_netted.paid_amount > 0 then final_versions.remit_date end as date) as paid_date,
        cast(case when lines_netted.paid_amount > 0 then {{ dbt.datediff(
            'first_versions.service_date', 'final_versions.remit_date', 'day') }} end as integer)
            as days_service_to_payment,
        cast(case when lines_netted.paid_amount > 0 then {{ dbt.datediff(
            'first_versions.claim_received_date', 'final_versions.remit_date', 'day') }} end as integer)
            as days_received_to_payment,

        ---------- amounts (paid and denied = netted over the reversal chain)
        cast(
            coalesce(first_versions.claim_line_charge_amount, abs(first_versions.version_charge_amount))
            as decimal(18, 2)
        ) as billed_amount,
        cast(final_versions.remit_allowed_amount as decimal(18, 2)) as allowed_amount,
        cast(first_versions.paid_amount as decimal(18, 2)) as initial_paid_amount,
        cast(first_versions.denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(lines_netted.paid_amount as decimal(18, 2)) as paid_amount,
        cast(lines_netted.denied_amount as decimal(18, 2)) as denied_amount,

        ---------- first adjudication
        lines_netted.is_initially_denied,
        lines_netted.is_initially_denied and first_versions.paid_amount <= 0 as is_initial_zero_pay_denial,
        lines_netted.is_initially_denied and first_versions.paid_amount > 0 as is_initial_partial_pay_denial,
        not lines_netted.is_initially_denied
        and lines_netted.version_count = 1
        and first_versions.paid_amount > 0 as is_first_pass_paid,
        cast(first_versions.denial_category as {{ string }}) as initial_denial_category,
        coalesce(first_versions.is_avoidable, false) and lines_netted.is_initially_denied
            as is_initial_denial_avoidable,

        ---------- chain and final status
        cast(lines_netted.version_count as integer) as version_count,
        cast(lines_netted.reversal_count as integer) as reversal_count,
        lines_netted.was_ever_denied,
        lines_netted.is_overturned,
        cast(
            case
                when not lines_netted.has_final_version then 'reversed'
                when lines_netted.is_overturned and lines_netted.denied_amount = 0 then 'overturned'
                when lines_netted.is_overturned then 'partially_overturned'
                when lines_netted.denied_amount > 0 and lines_netted.paid_amount <= 0 then 'denied'
                when lines_netted.denied_amount > 0 then 'partially_denied'
                when lines_netted.paid_amount > 0 then 'paid'
                else 'zero_paid'
            end
            as {{ string }}
        ) as final_status,

        ---------- denial (the denying version's largest denial adjustment)
        cast(denying_versions.remit_claim_id as {{ string }}) as denial_remit_claim_id,
        cast(denying_versions.remit_line_id as {{ string }}) as denial_remit_line_id,
        cast(denying_versions.remit_date as date) as denial_remit_date,
        cast(denying_versions.primary_remit_adjustment_id as {{ string }}) as primary_remit_adjustment_id,
        cast(denying_versions.primary_group_code as {{ string }}) as primary_group_code,
        cast(denying_versions.primary_carc_code as {{ string }}) as primary_carc_code,
        cast(denying_versions.primary_rarc_code as {{ string }}) as primary_rarc_code,
        cast(denying_versions.denial_category as {{ string }}) as denial_category,
        cast(denial_categories.responsible_team as {{ string }}) as responsible_team,
        coalesce(denying_versions.is_avoidable, false) as is_avoidable,
        coalesce(denying_versions.primary_adjustment_level = 'claim', false) as is_claim_level_denial,
        cast(denying_versions.classification_rule as {{ string }}) as denial_classification_rule,
        cast(coalesce(denying_versions.denial_adjustment_count, 0) as integer) as denial_adjustment_count,

        ---------- lineage
        cast(coalesce(denying_versions.remit_file_id, final_versions.remit_file_id) as bigint) as remit_file_id,
        cast(coalesce(denying_versions.remit_segment_position, final_versions.remit_segment_position) as bigint)
            as remit_segment_position,
        cast(first_versions.remit_claim_id as {{ string }}) as first_remit_claim_id,
        cast(final_versions.remit_claim_id as {{ string }}) as final_remit_claim_id,
        cast(first_versions.claim_file_id as bigint) as claim_file_id,
        cast(first_versions.claim_segment_position as bigint) as claim_segment_position
    from lines_netted
    inner join first_versions
        on lines_netted.adjudicated_line_id = first_versions.adjudicated_line_id
    inner join final_versions
        on lines_netted.adjudicated_line_id = final_versions.adjudicated_line_id
    left join denying_versions
        on lines_netted.adjudicated_line_id = denying_versions.adjudicated_line_id
    left join claims
        on lines_netted.claim_id = claims.claim_id
    left join remit_payments
        on first_versions.remit_transaction_id = remit_payments.remit_transaction_id
    left join payers
        on coalesce(claims.payer_id, first_versions.remit_payer_id) = payers.payer_id
    left join drug_reference
        on first_versions.procedure_code = drug_reference.hcpcs_code
    left join denial_categories
        on denying_versions.denial_category = denial_categories.denial_category
)

select * from final
