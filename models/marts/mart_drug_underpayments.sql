{{ config(**partitioned_by('claim_control_number')) }}

-- One row per paid drug line (fct_adjudicated_lines: a drug_reference code, paid dollars and paid units)
-- whose payment falls short of the payment expected for its paid units, by more than the seed's tolerance.
-- Expected payment, by basis (payment_basis):
--   - medicare_asp: for payer types with an asp_payment_limit rule in seed drug_payment_rules (Medicare
--     Part B): the quarter's ASP payment limit (drug_asp_prices, already ASP + 6%) x paid units, less the
--     line's deductible (PR on the rule's CARC), less coinsurance, less sequestration, at the rates in force
--     on the service date (sequestration comes off after the deductible and coinsurance);
--   - contracted_rate: for any payer with a row for the code in the user-edited seed
--     payer_drug_contract_rates: the contracted allowed per unit x paid units, less the patient's share
--     the remit assigned (PR), which is the member's plan, not the contract.
-- A line with neither basis is never flagged, nor is a line its payer paid after a prior payer (a
-- prior_payer_adjustment such as OA-23 on its final version): a secondary payer owes what the primary left
-- (coordination of benefits), not its contract or the ASP formula. The shortfall is expected less paid,
-- in dollars; the unit evidence of the line (int_drug_line_facts) is shown beside it.
-- Partitioned by claim_control_number: a line's remit versions share its CLM01 = CLP01; the seeds are global.

{%- set string = api.Column.translate_type("string") %}

with

paid_drug_lines as {{ read_in_place() }} (
    select
        adjudicated_line_id,
        claim_line_id,
        claim_control_number,
        line_control_number,
        payer_id,
        payer_name,
        payer_type,
        procedure_code,
        product_name,
        service_date,
        paid_date,
        units_billed,
        units_paid,
        billed_amount,
        allowed_amount,
        paid_amount,
        final_status,
        cast({{ dbt.date_trunc('quarter', 'service_date') }} as date) as service_quarter
    from {{ ref('fct_adjudicated_lines') }}
    where
        is_drug_line
        and paid_amount > 0
        and units_paid > 0
    {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

payment_rules as (
    select
        rule_name,
        payer_type,
        rate,
        carc_code,
        effective_from,
        effective_to,
        source
    from {{ ref('drug_payment_rules') }}
),

asp_prices as (
    select
        hcpcs_code,
        quarter_start_date,
        payment_limit_per_unit,
        source,
        notes
    from {{ ref('drug_asp_prices') }}
),

contract_rates as (
    select
        payer_id,
        hcpcs_code,
        effective_from,
        effective_to,
        allowed_per_unit
    from {{ ref('payer_drug_contract_rates') }}
),

---------- the patient's share on the line's final remit version (PR adjustments)
final_versions as (
    select
        adjudicated_line_id,
        remit_claim_id
    from {{ ref('int_line_versions_valued') }}
    where final_rank = 1 {{ affected_only('patient_control_number', 'pcn', 'and') }}
),

patient_shares as (
    select
        final_versions.adjudicated_line_id,
        adjustments.carc_code,
        sum(adjustments.adjustment_amount) as patient_amount
    from final_versions
    inner join {{ ref('int_line_version_adjustments') }} as adjustments
        on
            final_versions.adjudicated_line_id = adjustments.adjudicated_line_id
            and final_versions.remit_claim_id = adjustments.remit_claim_id
    where
        adjustments.adjustment_group_code = 'PR'
    {{ affected_only('adjustments.remit_claim_id', 'remit_claim_id', 'and') }}
    group by
        final_versions.adjudicated_line_id,
        adjustments.carc_code
),

---------- lines paid after a prior payer: no basis applies to them
secondary_lines as (
    select distinct final_versions.adjudicated_line_id
    from final_versions
    inner join {{ ref('int_line_version_adjustments') }} as adjustments
        on
            final_versions.adjudicated_line_id = adjustments.adjudicated_line_id
            and final_versions.remit_claim_id = adjustments.remit_claim_id
    where
        adjustments.denial_category = 'prior_payer_adjustment'
    {{ affected_only('adjustments.remit_claim_id', 'remit_claim_id', 'and') }}
),

---------- the rules in force on each line's service date
line_rules as (
    select
        paid_drug_lines.adjudicated_line_id,
        max(case when payment_rules.rule_name = 'asp_payment_limit' then payment_rules.rate end)
            as asp_payment_limit_multiplier,
        max(case when payment_rules.rule_name = 'deductible' then payment_rules.carc_code end)
            as deductible_carc_code,
        max(case when payment_rules.rule_name = 'coinsurance' then payment_rules.rate end) as coinsurance_rate,
        max(case when payment_rules.rule_name = 'sequestration' then payment_rules.rate end)
            as sequestration_rate
    from paid_drug_lines
    inner join payment_rules
        on
            paid_drug_lines.payer_type = payment_rules.payer_type
            and paid_drug_lines.service_date >= payment_rules.effective_from
            and (payment_rules.effective_to is null or paid_drug_lines.service_date < payment_rules.effective_to)
    group by paid_drug_lines.adjudicated_line_id
),

shortfall_tolerance as (
    select max(rate) as tolerance_amount
    from payment_rules
    where rule_name = 'shortfall_tolerance'
),

line_contracts as (
    select
        paid_drug_lines.adjudicated_line_id,
        max(contract_rates.allowed_per_unit) as contracted_allowed_per_unit
    from paid_drug_lines
    inner join contract_rates
        on
            paid_drug_lines.payer_id = contract_rates.payer_id
            and paid_drug_lines.procedure_code = contract_rates.hcpcs_code
            and paid_drug_lines.service_date >= contract_rates.effective_from
            and (contract_rates.effective_to is null or paid_drug_lines.service_date < contract_rates.effective_to)
    group by paid_drug_lines.adjudicated_line_id
),

line_patient_shares as (
    select
        patient_shares.adjudicated_line_id,
        sum(patient_shares.patient_amount) as patient_responsibility_amount,
        sum(
            case when patient_shares.carc_code = line_rules.deductible_carc_code then patient_shares.patient_amount end
        ) as deductible_amount
    from patient_shares
    left join line_rules
        on patient_shares.adjudicated_line_id = line_rules.adjudicated_line_id
    group by patient_shares.adjudicated_line_id
),

---------- expected payment: the contract where the user filed one, else Medicare's ASP formula
expected_payments as (
    select
        paid_drug_lines.*,
        line_rules.coinsurance_rate,
        line_rules.sequestration_rate,
        coalesce(line_patient_shares.deductible_amount, 0) as deductible_amount,
        coalesce(line_patient_shares.patient_responsibility_amount, 0) as patient_responsibility_amount,
        asp_prices.source as asp_price_source,
        asp_prices.notes as asp_price_notes,
        case
            when secondary_lines.adjudicated_line_id is not null then null
            when line_contracts.contracted_allowed_per_unit is not null then 'contracted_rate'
            when line_rules.asp_payment_limit_multiplier is not null and asp_prices.payment_limit_per_unit is not null
                then 'medicare_asp'
        end as payment_basis,
        coalesce(
            line_contracts.contracted_allowed_per_unit,
            asp_prices.payment_limit_per_unit * line_rules.asp_payment_limit_multiplier
        ) as expected_allowed_per_unit
    from paid_drug_lines
    left join line_rules
        on paid_drug_lines.adjudicated_line_id = line_rules.adjudicated_line_id
    left join line_contracts
        on paid_drug_lines.adjudicated_line_id = line_contracts.adjudicated_line_id
    left join line_patient_shares
        on paid_drug_lines.adjudicated_line_id = line_patient_shares.adjudicated_line_id
    left join secondary_lines
        on paid_drug_lines.adjudicated_line_id = secondary_lines.adjudicated_line_id
    left join asp_prices
        on
            paid_drug_lines.procedure_code = asp_prices.hcpcs_code
            and paid_drug_lines.service_quarter = asp_prices.quarter_start_date
),

expected_amounts as (
    select
        expected_payments.*,
        case expected_payments.payment_basis
            when 'contracted_rate'
                then
                    expected_payments.expected_allowed_per_unit * expected_payments.units_paid
                    - expected_payments.patient_responsibility_amount
            when 'medicare_asp'
                then
                    (
                        expected_payments.expected_allowed_per_unit * expected_payments.units_paid
                        - expected_payments.deductible_amount
                    )
                    * (1 - coalesce(expected_payments.coinsurance_rate, 0))
                    * (1 - coalesce(expected_payments.sequestration_rate, 0))
        end as expected_paid_amount
    from expected_payments
    where expected_payments.payment_basis is not null
),

drug_line_facts as (
    select
        {{ x12_key_label('claim_line_id', 4) }} as claim_line_id,
        expected_units,
        expected_units_evidence,
        expected_units_confidence
    from {{ ref('int_drug_line_facts') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

final as (
    select
        ---------- ids
        cast(expected_amounts.adjudicated_line_id as {{ string }}) as adjudicated_line_id,
        cast(expected_amounts.claim_line_id as {{ string }}) as claim_line_id,
        cast(expected_amounts.claim_control_number as {{ string }}) as claim_control_number,
        cast(expected_amounts.line_control_number as {{ string }}) as line_control_number,
        cast(expected_amounts.payer_id as {{ string }}) as payer_id,
        cast(expected_amounts.payer_name as {{ string }}) as payer_name,
        cast(expected_amounts.payer_type as {{ string }}) as payer_type,

        ---------- the line
        cast(expected_amounts.procedure_code as {{ string }}) as procedure_code,
        cast(expected_amounts.product_name as {{ string }}) as product_name,
        cast(expected_amounts.service_date as date) as service_date,
        cast(expected_amounts.paid_date as date) as paid_date,
        cast(expected_amounts.final_status as {{ string }}) as final_status,
        cast(expected_amounts.units_billed as decimal(18, 4)) as units_billed,
        cast(expected_amounts.units_paid as decimal(18, 4)) as units_paid,
        cast(expected_amounts.billed_amount as decimal(18, 2)) as billed_amount,
        cast(expected_amounts.allowed_amount as decimal(18, 2)) as allowed_amount,
        cast(expected_amounts.paid_amount as decimal(18, 2)) as paid_amount,
        cast(expected_amounts.deductible_amount as decimal(18, 2)) as deductible_amount,
        cast(expected_amounts.patient_responsibility_amount as decimal(18, 2)) as patient_responsibility_amount,

        ---------- the expected payment and its basis
        cast(expected_amounts.payment_basis as {{ string }}) as payment_basis,
        cast(expected_amounts.expected_allowed_per_unit as decimal(18, 6)) as expected_allowed_per_unit,
        cast(expected_amounts.coinsurance_rate as decimal(6, 4)) as coinsurance_rate,
        cast(expected_amounts.sequestration_rate as decimal(6, 4)) as sequestration_rate,
        cast(
            case when expected_amounts.payment_basis = 'medicare_asp' then expected_amounts.asp_price_source end
            as {{ string }}
        ) as price_source,
        cast(
            case when expected_amounts.payment_basis = 'medicare_asp' then expected_amounts.asp_price_notes end
            as {{ string }}
        ) as price_notes,
        cast(expected_amounts.expected_paid_amount / expected_amounts.units_paid as decimal(18, 6))
            as expected_paid_per_unit,
        cast(expected_amounts.paid_amount / expected_amounts.units_paid as decimal(18, 6)) as paid_per_unit,
        cast(expected_amounts.expected_paid_amount as decimal(18, 2)) as expected_paid_amount,
        cast(expected_amounts.expected_paid_amount - expected_amounts.paid_amount as decimal(18, 2))
            as shortfall_amount,

        ---------- unit evidence of the line (int_drug_line_facts)
        cast(drug_line_facts.expected_units as decimal(18, 4)) as expected_units,
        cast(drug_line_facts.expected_units_evidence as {{ string }}) as expected_units_evidence,
        cast(drug_line_facts.expected_units_confidence as decimal(4, 2)) as expected_units_confidence
    from expected_amounts
    cross join shortfall_tolerance
    left join drug_line_facts
        on expected_amounts.claim_line_id = drug_line_facts.claim_line_id
    where
        expected_amounts.expected_paid_amount - expected_amounts.paid_amount
        > coalesce(shortfall_tolerance.tolerance_amount, 0)
)

select * from final
