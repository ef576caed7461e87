-- Question: are factor VIIa lines (the per-microgram codes, J7189 NovoSeven RT and J7212 Sevenfact)
-- billed in the units the administration record stands for, and where they are not, is the slip a
-- mcg/mg magnitude error, a split that was not made, or a JW/JZ problem? Covers every factor VIIa
-- 837 line (denied, paid or not yet remitted), not only the denials, so it also measures how often
-- a wrong line still got paid.
-- The drug class comes from the drug_reference seed, and units go through its billing unit: nothing
-- here names a code or assumes a unit.
-- Run: dbt compile --select analysis:factor_viia_unit_audit, then run the compiled SQL.

with

drug_lines as (
    select * from {{ ref('int_drug_line_facts') }}
),

factor_viia_codes as (
    select hcpcs_code
    from {{ ref('drug_reference') }}
    where drug_class = 'factor_viia'
),

adjudicated as (
    select
        claim_line_id,
        final_status,
        denial_category,
        denied_amount,
        paid_amount
    from {{ ref('fct_adjudicated_lines') }}
),

audited as (
    select
        drug_lines.hcpcs_code,
        {{ marts_unit_root_cause('drug_lines') }} as root_cause,
        coalesce(adjudicated.final_status, 'not_remitted') as final_status,
        drug_lines.billed_units,
        drug_lines.expected_billed_units,
        drug_lines.billed_to_expected_ratio,
        drug_lines.line_charge_amount,
        adjudicated.denied_amount,
        adjudicated.paid_amount
    from drug_lines
    inner join factor_viia_codes
        on drug_lines.hcpcs_code = factor_viia_codes.hcpcs_code
    left join adjudicated
        on drug_lines.claim_line_id = adjudicated.claim_line_id
)

select
    hcpcs_code,
    coalesce(root_cause, 'consistent') as unit_finding,
    final_status,
    count(*) as line_count,
    sum(line_charge_amount) as billed_amount,
    sum(coalesce(denied_amount, 0)) as denied_amount,
    sum(coalesce(paid_amount, 0)) as paid_amount,
    min(billed_to_expected_ratio) as min_billed_to_expected_ratio,
    max(billed_to_expected_ratio) as max_billed_to_expected_ratio
from audited
group by
    hcpcs_code,
    coalesce(root_cause, 'consistent'),
    final_status
order by
    hcpcs_code,
    unit_finding,
    final_status
