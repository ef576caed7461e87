{{ config(**partitioned_by('claim_control_number')) }}

-- One row per fct_denials line in the missing_auth category, with whether the payer's policy in force on
-- the service date requires prior authorization for the code (payer_policies), where the claim carried an
-- authorization number (837 REF*G1 on the claim or the line; the 835 echo when there is no 837), the
-- authorization CARC/RARC and the payer type. auth_issue separates "nothing was sent" (fix the front end)
-- from "a number was sent and still refused" (exceeded, expired or not matching: fix the authorization).
-- A denial, its claim and lines and the remit that denied it share CLM01 = CLP01: partitioned by
-- claim_control_number. The payer policies are global.

with

denials as (
    select
        denial_id,
        claim_line_id,
        claim_id,
        claim_control_number,
        line_control_number,
        payer_id,
        payer_name,
        payer_type,
        procedure_code as hcpcs_code,
        procedure_modifiers,
        is_drug_line,
        product_name,
        service_date,
        billed_amount,
        paid_amount,
        denied_amount,
        initial_denied_amount,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        denial_carc_codes,
        rarc_codes,
        final_status,
        is_overturned,
        is_open_denial,
        denial_remit_claim_id,
        denial_remit_line_id,
        remit_file_id,
        remit_segment_position,
        claim_file_id,
        claim_segment_position
    from {{ ref('fct_denials') }}
    where denial_category = 'missing_auth' {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

claims as (
    select
        {{ x12_key_label('claims_837.claim_id', 3) }} as claim_id,
        claims_837.prior_authorization_number
    from {{ ref('stg_x12_837__claims') }} as claims_837
    {{ affected_only('claims_837.claim_id', 'claim_id') }}
),

service_lines as (
    select
        {{ x12_key_label('lines_837.claim_line_id', 4) }} as claim_line_id,
        lines_837.line_prior_authorization_number
    from {{ ref('stg_x12_837__service_lines') }} as lines_837
    {{ affected_only('lines_837.claim_id', 'claim_id') }}
),

remit_claims as (
    select
        {{ x12_key_label('claims_835.remit_claim_id', 3) }} as remit_claim_id,
        claims_835.prior_authorization_number
    from {{ ref('stg_x12_835__claims') }} as claims_835
    {{ affected_only('claims_835.remit_claim_id', 'remit_claim_id') }}
),

remit_lines as (
    select
        {{ x12_key_label('lines_835.remit_line_id', 4) }} as remit_line_id,
        lines_835.prior_authorization_number
    from {{ ref('stg_x12_835__service_lines') }} as lines_835
    {{ affected_only('lines_835.remit_claim_id', 'remit_claim_id') }}
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

denials_with_auth as (
    select
        denials.*,
        policies.requires_prior_auth as policy_requires_auth,
        policies.effective_from as policy_effective_from,
        claims.prior_authorization_number as claim_authorization_number,
        service_lines.line_prior_authorization_number as line_authorization_number,
        coalesce(remit_lines.prior_authorization_number, remit_claims.prior_authorization_number)
            as remit_authorization_number,
        case
            when denials.claim_id is null
                then case
                    when
                        coalesce(remit_lines.prior_authorization_number, remit_claims.prior_authorization_number)
                        is not null then 'remit_only'
                    else 'unknown'
                end
            when
                claims.prior_authorization_number is not null
                and service_lines.line_prior_authorization_number is not null then 'claim_and_line'
            when claims.prior_authorization_number is not null then 'claim'
            when service_lines.line_prior_authorization_number is not null then 'line'
            else 'absent'
        end as auth_number_location
    from denials
    left join policies
        on {{ marts_policy_in_force('policies', 'denials') }}
    left join claims
        on denials.claim_id = claims.claim_id
    left join service_lines
        on denials.claim_line_id = service_lines.claim_line_id
    left join remit_claims
        on denials.denial_remit_claim_id = remit_claims.remit_claim_id
    left join remit_lines
        on denials.denial_remit_line_id = remit_lines.remit_line_id
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
        cast(hcpcs_code as {{ api.Column.translate_type('string') }}) as procedure_code,
        cast(procedure_modifiers as {{ api.Column.translate_type('string') }}) as procedure_modifiers,
        is_drug_line,
        cast(product_name as {{ api.Column.translate_type('string') }}) as product_name,
        cast(service_date as date) as service_date,

        ---------- policy and authorization
        policy_requires_auth,
        cast(policy_effective_from as date) as policy_effective_from,
        cast(auth_number_location as {{ api.Column.translate_type('string') }}) as auth_number_location,
        auth_number_location in ('claim', 'line', 'claim_and_line', 'remit_only') as has_authorization_number,
        cast(claim_authorization_number as {{ api.Column.translate_type('string') }}) as claim_authorization_number,
        cast(line_authorization_number as {{ api.Column.translate_type('string') }}) as line_authorization_number,
        cast(remit_authorization_number as {{ api.Column.translate_type('string') }}) as remit_authorization_number,
        cast(
            case
                when auth_number_location in ('absent', 'unknown') then 'no_authorization_sent'
                else 'authorization_not_accepted'
            end
            as {{ api.Column.translate_type('string') }}
        ) as auth_issue,
        coalesce(policy_requires_auth, false) and auth_number_location = 'absent' as is_expected_by_policy,

        ---------- the denial
        cast(primary_group_code as {{ api.Column.translate_type('string') }}) as auth_group_code,
        cast(primary_carc_code as {{ api.Column.translate_type('string') }}) as auth_carc_code,
        cast(primary_rarc_code as {{ api.Column.translate_type('string') }}) as auth_rarc_code,
        cast(denial_carc_codes as {{ api.Column.translate_type('string') }}) as denial_carc_codes,
        cast(rarc_codes as {{ api.Column.translate_type('string') }}) as rarc_codes,
        cast(billed_amount as decimal(18, 2)) as billed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(denied_amount as decimal(18, 2)) as denied_amount,
        cast(initial_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(final_status as {{ api.Column.translate_type('string') }}) as final_status,
        is_overturned,
        is_open_denial,

        ---------- lineage
        cast(remit_file_id as bigint) as remit_file_id,
        cast(remit_segment_position as bigint) as remit_segment_position,
        cast(claim_file_id as bigint) as claim_file_id,
        cast(claim_segment_position as bigint) as claim_segment_position
    from denials_with_auth
)

select * from final
