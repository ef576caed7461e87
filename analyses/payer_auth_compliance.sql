-- Question: for each payer and drug whose policy requires prior authorization, how often do our claims
-- carry an authorization number (837 REF*G1 on the claim or the line), and what does a missing one
-- cost? Compares claims sent with and without authorization: their missing_auth denial rate and
-- dollars, and the unremitted lines still at risk. A high denial rate WITH an authorization number
-- points at authorizations exceeded, expired or not matching the service (CARC 198, RARC N54), not at
-- the front desk.

with

service_lines as (
    select
        claim_line_id,
        claim_id,
        procedure_code as hcpcs_code,
        service_from_date as service_date,
        line_charge_amount,
        line_prior_authorization_number
    from {{ ref('stg_x12_837__service_lines') }}
),

claims as (
    select
        claim_id,
        payer_id,
        prior_authorization_number
    from {{ ref('stg_x12_837__claims') }}
),

lines as (
    select
        service_lines.claim_line_id,
        claims.payer_id,
        service_lines.hcpcs_code,
        service_lines.service_date,
        service_lines.line_charge_amount,
        coalesce(claims.prior_authorization_number, service_lines.line_prior_authorization_number) is not null
            as has_authorization_number
    from service_lines
    inner join claims
        on service_lines.claim_id = claims.claim_id
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

outcomes as (
    select
        claim_line_id,
        final_status,
        denial_category,
        initial_denied_amount
    from {{ ref('fct_adjudicated_lines') }}
),

prebill as (
    select distinct claim_line_id
    from {{ ref('mart_prebill_risk') }}
    where rule_name = 'missing_auth'
)

select
    lines.payer_id,
    lines.hcpcs_code,
    lines.has_authorization_number,
    count(*) as line_count,
    sum(case when outcomes.claim_line_id is not null then 1 else 0 end) as adjudicated_lines,
    sum(case when outcomes.denial_category = 'missing_auth' then 1 else 0 end) as missing_auth_denials,
    sum(case when outcomes.denial_category = 'missing_auth' then outcomes.initial_denied_amount else 0 end)
        as missing_auth_denied_amount,
    cast(sum(case when outcomes.denial_category = 'missing_auth' then 1 else 0 end) as decimal(18, 6))
    / nullif(sum(case when outcomes.claim_line_id is not null then 1 else 0 end), 0) as missing_auth_denial_rate,
    sum(case when prebill.claim_line_id is not null then 1 else 0 end) as unremitted_lines_at_risk,
    sum(case when prebill.claim_line_id is not null then lines.line_charge_amount else 0 end) as dollars_at_risk
from lines
inner join policies
    on {{ marts_policy_in_force('policies', 'lines') }}
left join outcomes
    on lines.claim_line_id = outcomes.claim_line_id
left join prebill
    on lines.claim_line_id = prebill.claim_line_id
where policies.requires_prior_auth
group by
    lines.payer_id,
    lines.hcpcs_code,
    lines.has_authorization_number
order by
    lines.payer_id,
    lines.hcpcs_code,
    lines.has_authorization_number
