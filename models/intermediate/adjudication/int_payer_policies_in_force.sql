-- One row per payer policy (payer, HCPCS code, effective_from) with the period it is in force: from its
-- effective_from up to, not including, the next effective_from of the same payer and code; open-ended
-- (effective_to null) for the latest. A payer the payer_policies seed lists has its own rows; every other
-- payer seen (int_payers_resolved) gets the defaults of its payer type (payer_type_policy_defaults), so no
-- payer runs without a policy. The user's override file (stg_raw__payer_overrides) wins over both: its
-- rows for a payer and code replace every seed or default row of that payer and code. A service date
-- falls in at most one period; join with the macro marts_policy_in_force (a row without a service date
-- gets the latest policy).

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

payers_on_defaults as (
    select
        payer_id,
        payer_type
    from {{ ref('int_payers_resolved') }}
    where not has_own_policies
),

default_policies as (
    select
        payers_on_defaults.payer_id,
        type_defaults.hcpcs_code,
        type_defaults.requires_prior_auth,
        type_defaults.max_units_per_line,
        type_defaults.requires_jw_jz,
        type_defaults.effective_from
    from payers_on_defaults
    inner join {{ ref('payer_type_policy_defaults') }} as type_defaults
        on payers_on_defaults.payer_type = type_defaults.payer_type
),

seed_and_default_policies as (
    select * from payer_policies
    union all
    select * from default_policies
),

override_policies as (
    select
        payer_id,
        hcpcs_code,
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz,
        effective_from
    from {{ ref('stg_raw__payer_overrides') }}
    where hcpcs_code is not null
),

overridden_codes as (
    select distinct
        payer_id,
        hcpcs_code
    from override_policies
),

all_policies as (
    select
        seed_and_default_policies.payer_id,
        seed_and_default_policies.hcpcs_code,
        seed_and_default_policies.requires_prior_auth,
        seed_and_default_policies.max_units_per_line,
        seed_and_default_policies.requires_jw_jz,
        seed_and_default_policies.effective_from
    from seed_and_default_policies
    left join overridden_codes
        on
            seed_and_default_policies.payer_id = overridden_codes.payer_id
            and seed_and_default_policies.hcpcs_code = overridden_codes.hcpcs_code
    where overridden_codes.payer_id is null
    union all
    select
        payer_id,
        hcpcs_code,
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz,
        effective_from
    from override_policies
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
    from all_policies
)

select * from policy_periods
