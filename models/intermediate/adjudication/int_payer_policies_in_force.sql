-- One row per payer policy (payer_policies seed: payer, HCPCS code, effective_from) with the period it is in
-- force: from its effective_from up to, not including, the next effective_from of the same payer and code;
-- open-ended (effective_to null) for the latest. A service date falls in at most one period; join with the
-- macro marts_policy_in_force (a row without a service date gets the latest policy).

with

payer_policies as (
    select
        payer_id,
        hcpcs_code,
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz,
        effective_from
    from {{ ref('payer_policies') }}
),

policy_periods as (
    select
        payer_id,
        hcpcs_code,
        effective_from,
        lead(effective_from) over (
            partition by payer_id, hcpcs_code
            order by effective_from
        ) as effective_to,
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz
    from payer_policies
)

select * from policy_periods
