-- One row per service line adjudicated at least once: an 837 line with a remit, an 835 line no 837 line
-- matched, or an 835 claim without service lines and without an 837 claim (one row for the claim).
-- Every version of the line's remit chain (original, reversal, correction) is read, then:
--   - initial_* columns describe the first adjudication (first non-reversal version, remit order);
--   - final_* columns net the chain: the sum over the versions the payer still stands by (the final
--     version, every reversal and every version a reversal cancels), so a reversal and the version it
--     reverses cancel out; denied dollars after netting are floored at 0;
--   - denial_* columns describe the denying version: the final version when it denies, else the latest
--     version that denied (an overturned denial keeps its original reason).
-- Claim-level CAS is attributed to the lines of its remit version (the SVC lines, or the 837 lines when
-- the payer sent none) in proportion to line charge: each line's share is truncated to whole cents and
-- the rounding remainder goes on the last line (highest line number), so the shares add up exactly.
-- Base of fct_denials and of the KPI marts.

with

---------- inputs
service_line_matches as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        match_method,
        line_control_number
    from {{ ref('int_service_lines_matched') }}
    where remit_claim_id is not null
),

claim_matches as (
    select
        claim_id,
        remit_claim_id,
        match_method
    from {{ ref('int_claims_matched_to_remits') }}
    where remit_claim_id is not null
),

remit_versions as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        payer_id,
        patient_control_number,
        payer_claim_control_number,
        chain_key,
        claim_key_sequence,
        remit_date,
        claim_status_code,
        is_reversal,
        is_reversed,
        is_final,
        is_latest,
        claim_charge_amount,
        claim_paid_amount
    from {{ ref('int_remit_claim_versions') }}
),

remit_claims as (
    select
        remit_claim_id,
        claim_received_date,
        statement_from_date
    from {{ ref('stg_x12_835__claims') }}
),

remit_payments as (
    select
        remit_transaction_id,
        payer_name,
        payee_id_qualifier,
        payee_id
    from {{ ref('stg_x12_835__payments') }}
),

remit_lines as (
    select
        remit_line_id,
        file_id,
        segment_position,
        line_seq,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        original_procedure_code,
        line_charge_amount,
        line_paid_amount,
        allowed_amount,
        units_paid,
        original_units,
        service_date,
        service_from_date
    from {{ ref('stg_x12_835__service_lines') }}
),

claim_lines as (
    select
        claim_line_id,
        file_id,
        segment_position,
        line_seq,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        service_from_date,
        service_unit_count,
        line_charge_amount
    from {{ ref('stg_x12_837__service_lines') }}
),

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id,
        billing_provider_npi
    from {{ ref('stg_x12_837__claims') }}
),

adjustments as (
    select
        remit_adjustment_id,
        remit_line_id,
        remit_claim_id,
        segment_position,
        triplet_ordinal,
        adjustment_level,
        adjustment_group_code,
        carc_code,
        adjustment_amount,
        denial_category,
        is_denial,
        is_avoidable,
        classification_rule,
        deciding_rarc_code
    from {{ ref('int_adjustments_classified') }}
),

remarks as (
    select
        remit_line_id,
        remit_claim_id,
        remark_level,
        segment_position,
        remark_ordinal,
        remark_code
    from {{ ref('stg_x12_835__remarks') }}
    where remark_code_qualifier = 'HE'
),

rarc_codes as (
    select
        rarc_code,
        is_alert
    from {{ ref('rarc_codes') }}
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

---------- remit claims without SVC and without an 837 claim: one pseudo-line for the claim
remit_claims_with_lines as (
    select distinct remit_claim_id
    from {{ ref('stg_x12_835__service_lines') }}
),

lone_remit_claims as (
    select
        cast(null as {{ api.Column.translate_type('string') }}) as claim_line_id,
        cast(null as {{ api.Column.translate_type('string') }}) as claim_id,
        cast(null as {{ api.Column.translate_type('string') }}) as remit_line_id,
        claim_matches.remit_claim_id,
        'unmatched' as match_method,
        cast(null as {{ api.Column.translate_type('string') }}) as line_control_number
    from claim_matches
    left join remit_claims_with_lines
        on claim_matches.remit_claim_id = remit_claims_with_lines.remit_claim_id
    where
        claim_matches.claim_id is null
        and remit_claims_with_lines.remit_claim_id is null
),

line_version_rows as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        match_method,
        line_control_number
    from service_line_matches
    union all
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        match_method,
        line_control_number
    from lone_remit_claims
),

---------- one row per line and remit version, with the line's key across versions
line_versions as (
    select
        coalesce(
            line_version_rows.claim_line_id,
            {{ dbt.concat([
                "remit_versions.chain_key", "'|'",
                "coalesce(line_version_rows.line_control_number, "
                ~ dbt.concat(["'#'", dbt.safe_cast("remit_lines.line_seq", api.Column.translate_type("string"))])
                ~ ", 'claim')"
            ]) }}
        ) as adjudicated_line_id,
        line_version_rows.claim_line_id,
        line_version_rows.claim_id,
        line_version_rows.remit_line_id,
        line_version_rows.remit_claim_id,
        line_version_rows.match_method,
        line_version_rows.line_control_number,
        remit_versions.remit_transaction_id,
        remit_versions.chain_key,
        remit_versions.claim_key_sequence,
        remit_versions.remit_date,
        remit_versions.claim_status_code,
        remit_versions.is_reversal,
        remit_versions.is_reversed,
        remit_versions.is_final,
        remit_versions.is_latest,
        remit_versions.is_final or remit_versions.is_reversal or remit_versions.is_reversed as is_standing,
        case
            when line_version_rows.remit_line_id is not null then 'line'
            when line_version_rows.claim_line_id is not null then 'claim_to_837_lines'
            else 'claim'
        end as version_line_source,
        coalesce(claim_lines.line_seq, remit_lines.line_seq, 1) as line_order,
        -- signed charge of the line in this version (a reversal's is negative)
        case
            when line_version_rows.remit_line_id is not null then remit_lines.line_charge_amount
            when line_version_rows.claim_line_id is not null
                then case
                    when remit_versions.claim_charge_amount < 0 then -claim_lines.line_charge_amount
                    else claim_lines.line_charge_amount
                end
            else remit_versions.claim_charge_amount
        end as version_charge_amount,
        remit_lines.line_paid_amount as remit_line_paid_amount,
        remit_versions.claim_paid_amount,
        remit_lines.allowed_amount as remit_allowed_amount,
        remit_lines.units_paid as remit_units_paid,
        remit_lines.original_units as remit_original_units,
        remit_lines.file_id as remit_line_file_id,
        remit_lines.segment_position as remit_line_segment_position,
        remit_versions.file_id as remit_claim_file_id,
        remit_versions.segment_position as remit_claim_segment_position
    from line_version_rows
    inner join remit_versions
        on line_version_rows.remit_claim_id = remit_versions.remit_claim_id
    left join remit_lines
        on line_version_rows.remit_line_id = remit_lines.remit_line_id
    left join claim_lines
        on line_version_rows.claim_line_id = claim_lines.claim_line_id
),

---------- attribution basis of each remit version: its lines' charges, last line gets the remainder
line_versions_weighted as (
    select
        adjudicated_line_id,
        remit_claim_id,
        line_order,
        abs(coalesce(version_charge_amount, 0)) as attribution_weight,
        sum(abs(coalesce(version_charge_amount, 0))) over (partition by remit_claim_id) as attribution_total,
        row_number() over (
            partition by remit_claim_id
            order by line_order desc, adjudicated_line_id desc
        ) = 1 as is_last_line
    from line_versions
),

claim_paid_shares_raw as (
    select
        line_versions_weighted.adjudicated_line_id,
        line_versions_weighted.remit_claim_id,
        line_versions_weighted.is_last_line,
        coalesce(
            {{ marts_allocate_cents(
                'line_versions.claim_paid_amount',
                'line_versions_weighted.attribution_weight',
                'line_versions_weighted.attribution_total'
            ) }},
            0
        ) as raw_share,
        line_versions.claim_paid_amount
    from line_versions_weighted
    inner join line_versions
        on
            line_versions_weighted.adjudicated_line_id = line_versions.adjudicated_line_id
            and line_versions_weighted.remit_claim_id = line_versions.remit_claim_id
    where line_versions.remit_line_id is null
),

claim_paid_shares as (
    select
        adjudicated_line_id,
        remit_claim_id,
        case
            when is_last_line
                then claim_paid_amount
                - sum(case when is_last_line then 0 else raw_share end) over (partition by remit_claim_id)
            else raw_share
        end as paid_share
    from claim_paid_shares_raw
),

---------- adjustments per line version: its own line CAS, plus its share of each claim-level CAS
line_adjustments as (
    select
        line_versions.adjudicated_line_id,
        line_versions.remit_claim_id,
        adjustments.remit_adjustment_id,
        adjustments.adjustment_level,
        adjustments.segment_position,
        adjustments.triplet_ordinal,
        adjustments.adjustment_group_code,
        adjustments.carc_code,
        adjustments.denial_category,
        adjustments.is_denial,
        adjustments.is_avoidable,
        adjustments.classification_rule,
        adjustments.deciding_rarc_code,
        adjustments.adjustment_amount
    from line_versions
    inner join adjustments
        on line_versions.remit_line_id = adjustments.remit_line_id
    where adjustments.adjustment_level = 'line'
),

claim_adjustment_shares_raw as (
    select
        line_versions_weighted.adjudicated_line_id,
        line_versions_weighted.remit_claim_id,
        line_versions_weighted.is_last_line,
        adjustments.remit_adjustment_id,
        adjustments.adjustment_level,
        adjustments.segment_position,
        adjustments.triplet_ordinal,
        adjustments.adjustment_group_code,
        adjustments.carc_code,
        adjustments.denial_category,
        adjustments.is_denial,
        adjustments.is_avoidable,
        adjustments.classification_rule,
        adjustments.deciding_rarc_code,
        adjustments.adjustment_amount as claim_adjustment_amount,
        coalesce(
            {{ marts_allocate_cents(
                'adjustments.adjustment_amount',
                'line_versions_weighted.attribution_weight',
                'line_versions_weighted.attribution_total'
            ) }},
            0
        ) as raw_share
    from line_versions_weighted
    inner join adjustments
        on line_versions_weighted.remit_claim_id = adjustments.remit_claim_id
    where adjustments.adjustment_level = 'claim'
),

claim_adjustment_shares as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        segment_position,
        triplet_ordinal,
        adjustment_group_code,
        carc_code,
        denial_category,
        is_denial,
        is_avoidable,
        classification_rule,
        deciding_rarc_code,
        case
            when is_last_line
                then claim_adjustment_amount
                - sum(case when is_last_line then 0 else raw_share end) over (partition by remit_adjustment_id)
            else raw_share
        end as adjustment_amount
    from claim_adjustment_shares_raw
),

all_line_adjustments as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        segment_position,
        triplet_ordinal,
        adjustment_group_code,
        carc_code,
        denial_category,
        is_denial,
        is_avoidable,
        classification_rule,
        deciding_rarc_code,
        adjustment_amount
    from line_adjustments
    union all
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        segment_position,
        triplet_ordinal,
        adjustment_group_code,
        carc_code,
        denial_category,
        is_denial,
        is_avoidable,
        classification_rule,
        deciding_rarc_code,
        adjustment_amount
    from claim_adjustment_shares
),

line_version_denials as (
    select
        adjudicated_line_id,
        remit_claim_id,
        sum(case when is_denial then adjustment_amount else 0 end) as denied_amount,
        sum(case when is_denial then 1 else 0 end) as denial_adjustment_count
    from all_line_adjustments
    group by
        adjudicated_line_id,
        remit_claim_id
),

-- the largest denial adjustment of each line version (ties: line level first, then CAS order)
primary_denials_ranked as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        adjustment_group_code,
        carc_code,
        denial_category,
        is_avoidable,
        classification_rule,
        deciding_rarc_code,
        row_number() over (
            partition by adjudicated_line_id, remit_claim_id
            order by
                adjustment_amount desc,
                case when adjustment_level = 'line' then 0 else 1 end,
                segment_position,
                triplet_ordinal
        ) as denial_rank
    from all_line_adjustments
    where is_denial and adjustment_amount > 0
),

primary_denials as (
    select
        adjudicated_line_id,
        remit_claim_id,
        remit_adjustment_id,
        adjustment_level,
        adjustment_group_code,
        carc_code,
        denial_category,
        is_avoidable,
        classification_rule,
        deciding_rarc_code
    from primary_denials_ranked
    where denial_rank = 1
),

-- first non-alert RARC in each scope (line LQ, claim MOA/MIA), for denials no remark decided
first_remarks_ranked as (
    select
        remarks.remark_level,
        case when remarks.remark_level = 'line' then remarks.remit_line_id else remarks.remit_claim_id end
            as scope_id,
        remarks.remark_code,
        row_number() over (
            partition by
                remarks.remark_level,
                case when remarks.remark_level = 'line' then remarks.remit_line_id else remarks.remit_claim_id end
            order by remarks.segment_position, remarks.remark_ordinal
        ) as remark_rank
    from remarks
    left join rarc_codes
        on remarks.remark_code = rarc_codes.rarc_code
    where not coalesce(rarc_codes.is_alert, false)
),

first_remarks as (
    select
        remark_level,
        scope_id,
        remark_code
    from first_remarks_ranked
    where remark_rank = 1
),

---------- each line version with its amounts and primary denial
line_versions_valued as (
    select
        line_versions.adjudicated_line_id,
        line_versions.claim_line_id,
        line_versions.claim_id,
        line_versions.remit_line_id,
        line_versions.remit_claim_id,
        line_versions.remit_transaction_id,
        line_versions.match_method,
        line_versions.line_control_number,
        line_versions.chain_key,
        line_versions.claim_key_sequence,
        line_versions.remit_date,
        line_versions.is_reversal,
        line_versions.is_final,
        line_versions.is_latest,
        line_versions.is_standing,
        line_versions.version_line_source,
        line_versions.version_charge_amount,
        coalesce(line_versions.remit_line_paid_amount, claim_paid_shares.paid_share, 0) as paid_amount,
        line_versions.remit_allowed_amount,
        line_versions.remit_units_paid,
        line_versions.remit_original_units,
        coalesce(line_version_denials.denied_amount, 0) as denied_amount,
        coalesce(line_version_denials.denial_adjustment_count, 0) as denial_adjustment_count,
        coalesce(line_versions.remit_line_file_id, line_versions.remit_claim_file_id) as remit_file_id,
        case
            when primary_denials.adjustment_level = 'claim' or line_versions.remit_line_id is null
                then line_versions.remit_claim_segment_position
            else line_versions.remit_line_segment_position
        end as remit_segment_position,
        primary_denials.remit_adjustment_id as primary_remit_adjustment_id,
        primary_denials.adjustment_level as primary_adjustment_level,
        primary_denials.adjustment_group_code as primary_group_code,
        primary_denials.carc_code as primary_carc_code,
        coalesce(
            primary_denials.deciding_rarc_code,
            case when primary_denials.adjustment_level = 'line' then line_remarks.remark_code end,
            claim_remarks.remark_code
        ) as primary_rarc_code,
        primary_denials.denial_category,
        primary_denials.is_avoidable,
        primary_denials.classification_rule,
        row_number() over (
            partition by line_versions.adjudicated_line_id
            order by line_versions.claim_key_sequence
        ) as line_version_number,
        row_number() over (
            partition by line_versions.adjudicated_line_id
            order by
                case when line_versions.is_reversal then 1 else 0 end,
                line_versions.claim_key_sequence
        ) as first_adjudication_rank,
        row_number() over (
            partition by line_versions.adjudicated_line_id
            order by
                case when line_versions.is_final then 0 else 1 end,
                line_versions.claim_key_sequence desc
        ) as final_rank,
        row_number() over (
            partition by line_versions.adjudicated_line_id
            order by
                case when coalesce(line_version_denials.denied_amount, 0) > 0 and not line_versions.is_reversal
                    then 0 else 1 end,
                case when line_versions.is_final then 0 else 1 end,
                line_versions.claim_key_sequence desc
        ) as denying_rank
    from line_versions
    left join claim_paid_shares
        on
            line_versions.adjudicated_line_id = claim_paid_shares.adjudicated_line_id
            and line_versions.remit_claim_id = claim_paid_shares.remit_claim_id
    left join line_version_denials
        on
            line_versions.adjudicated_line_id = line_version_denials.adjudicated_line_id
            and line_versions.remit_claim_id = line_version_denials.remit_claim_id
    left join primary_denials
        on
            line_versions.adjudicated_line_id = primary_denials.adjudicated_line_id
            and line_versions.remit_claim_id = primary_denials.remit_claim_id
    left join first_remarks as line_remarks
        on
            line_remarks.remark_level = 'line'
            and line_versions.remit_line_id = line_remarks.scope_id
    left join first_remarks as claim_remarks
        on
            claim_remarks.remark_level = 'claim'
            and line_versions.remit_claim_id = claim_remarks.scope_id
),

---------- one row per line: chain totals, first, final and denying versions
line_chain_totals as (
    select
        adjudicated_line_id,
        count(*) as version_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        max(case when is_final then 1 else 0 end) = 1 as has_final_version,
        sum(case when is_standing then paid_amount else 0 end) as net_paid_amount,
        sum(case when is_standing then denied_amount else 0 end) as net_denied_amount,
        max(case when not is_reversal and denied_amount > 0 then 1 else 0 end) = 1 as was_ever_denied
    from line_versions_valued
    group by adjudicated_line_id
),

first_versions as (
    select * from line_versions_valued where first_adjudication_rank = 1
),

final_versions as (
    select * from line_versions_valued where final_rank = 1
),

denying_versions as (
    select * from line_versions_valued where denying_rank = 1 and denied_amount > 0 and not is_reversal
),

lines_joined as (
    select
        first_versions.adjudicated_line_id,
        first_versions.claim_line_id,
        coalesce(first_versions.claim_id, final_versions.claim_id) as claim_id,
        first_versions.match_method,
        coalesce(claim_lines.line_seq, remit_lines.line_seq) as line_number,
        first_versions.line_control_number,
        coalesce(claims.claim_control_number, first_remit_versions.patient_control_number) as claim_control_number,
        coalesce(claims.payer_id, first_remit_versions.payer_id) as payer_id,
        coalesce(payers.payer_name, remit_payments.payer_name) as payer_name,
        coalesce(payers.payer_type, 'unknown') as payer_type,
        coalesce(
            claims.billing_provider_npi,
            case when remit_payments.payee_id_qualifier = 'XX' then remit_payments.payee_id end
        ) as billing_provider_npi,

        ---------- service
        coalesce(claim_lines.procedure_code, remit_lines.original_procedure_code, remit_lines.procedure_code)
            as procedure_code,
        case
            when claim_lines.claim_line_id is not null then claim_lines.procedure_modifier_1
            else remit_lines.procedure_modifier_1
        end as procedure_modifier_1,
        case
            when claim_lines.claim_line_id is not null then claim_lines.procedure_modifier_2
            else remit_lines.procedure_modifier_2
        end as procedure_modifier_2,
        case
            when claim_lines.claim_line_id is not null then claim_lines.procedure_modifier_3
            else remit_lines.procedure_modifier_3
        end as procedure_modifier_3,
        case
            when claim_lines.claim_line_id is not null then claim_lines.procedure_modifier_4
            else remit_lines.procedure_modifier_4
        end as procedure_modifier_4,
        coalesce(
            claim_lines.service_from_date,
            remit_lines.service_date,
            remit_lines.service_from_date,
            remit_claims.statement_from_date
        ) as service_date,
        coalesce(claim_lines.service_unit_count, first_versions.remit_original_units, first_versions.remit_units_paid)
            as units_billed,
        final_versions.remit_units_paid as units_paid,

        ---------- dates
        remit_claims.claim_received_date,
        first_versions.remit_date as first_remit_date,
        final_versions.remit_date as final_remit_date,

        ---------- amounts
        coalesce(claim_lines.line_charge_amount, abs(first_versions.version_charge_amount)) as billed_amount,
        final_versions.remit_allowed_amount as allowed_amount,
        first_versions.paid_amount as initial_paid_amount,
        first_versions.denied_amount as initial_denied_amount,
        line_chain_totals.net_paid_amount as paid_amount,
        case when line_chain_totals.net_denied_amount > 0 then line_chain_totals.net_denied_amount else 0 end
            as denied_amount,

        ---------- chain
        line_chain_totals.version_count,
        line_chain_totals.reversal_count,
        line_chain_totals.has_final_version,
        line_chain_totals.was_ever_denied,
        first_versions.denial_category as initial_denial_category,
        first_versions.is_avoidable as is_initial_denial_avoidable,

        ---------- denying version
        denying_versions.remit_claim_id as denial_remit_claim_id,
        denying_versions.remit_line_id as denial_remit_line_id,
        denying_versions.remit_date as denial_remit_date,
        denying_versions.primary_remit_adjustment_id,
        denying_versions.primary_adjustment_level,
        denying_versions.primary_group_code,
        denying_versions.primary_carc_code,
        denying_versions.primary_rarc_code,
        denying_versions.denial_category,
        denying_versions.is_avoidable,
        denying_versions.classification_rule as denial_classification_rule,
        denying_versions.denial_adjustment_count,

        ---------- lineage
        coalesce(denying_versions.remit_file_id, final_versions.remit_file_id) as remit_file_id,
        coalesce(denying_versions.remit_segment_position, final_versions.remit_segment_position)
            as remit_segment_position,
        first_versions.remit_claim_id as first_remit_claim_id,
        final_versions.remit_claim_id as final_remit_claim_id,
        claim_lines.file_id as claim_file_id,
        claim_lines.segment_position as claim_segment_position
    from first_versions
    inner join final_versions
        on first_versions.adjudicated_line_id = final_versions.adjudicated_line_id
    inner join line_chain_totals
        on first_versions.adjudicated_line_id = line_chain_totals.adjudicated_line_id
    left join denying_versions
        on first_versions.adjudicated_line_id = denying_versions.adjudicated_line_id
    left join remit_versions as first_remit_versions
        on first_versions.remit_claim_id = first_remit_versions.remit_claim_id
    left join remit_claims
        on first_versions.remit_claim_id = remit_claims.remit_claim_id
    left join remit_payments
        on first_versions.remit_transaction_id = remit_payments.remit_transaction_id
    left join remit_lines
        on first_versions.remit_line_id = remit_lines.remit_line_id
    left join claim_lines
        on first_versions.claim_line_id = claim_lines.claim_line_id
    left join claims
        on coalesce(first_versions.claim_id, final_versions.claim_id) = claims.claim_id
    left join payers
        on coalesce(claims.payer_id, first_remit_versions.payer_id) = payers.payer_id
),

lines_classified as (
    select
        lines_joined.*,
        lines_joined.initial_denied_amount > 0 as is_initially_denied,
        lines_joined.was_ever_denied
        and lines_joined.initial_denied_amount > 0
        and lines_joined.version_count > 1
        and lines_joined.has_final_version
        and lines_joined.denied_amount < lines_joined.initial_denied_amount as is_overturned
    from lines_joined
),

final as (
    select
        ---------- ids
        cast(lines_classified.adjudicated_line_id as {{ api.Column.translate_type('string') }}) as adjudicated_line_id,
        cast(lines_classified.claim_line_id as {{ api.Column.translate_type('string') }}) as claim_line_id,
        cast(lines_classified.claim_id as {{ api.Column.translate_type('string') }}) as claim_id,
        cast(lines_classified.claim_control_number as {{ api.Column.translate_type('string') }}) as claim_control_number,
        cast(lines_classified.line_control_number as {{ api.Column.translate_type('string') }}) as line_control_number,
        cast(lines_classified.line_number as integer) as line_number,
        cast(lines_classified.match_method as {{ api.Column.translate_type('string') }}) as match_method,

        ---------- payer and provider
        cast(lines_classified.payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(lines_classified.payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(lines_classified.payer_type as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(lines_classified.billing_provider_npi as {{ api.Column.translate_type('string') }}) as billing_provider_npi,

        ---------- service
        cast(lines_classified.procedure_code as {{ api.Column.translate_type('string') }}) as procedure_code,
        cast(lines_classified.procedure_modifier_1 as {{ api.Column.translate_type('string') }}) as procedure_modifier_1,
        cast(lines_classified.procedure_modifier_2 as {{ api.Column.translate_type('string') }}) as procedure_modifier_2,
        cast(lines_classified.procedure_modifier_3 as {{ api.Column.translate_type('string') }}) as procedure_modifier_3,
        cast(lines_classified.procedure_modifier_4 as {{ api.Column.translate_type('string') }}) as procedure_modifier_4,
        drug_reference.hcpcs_code is not null as is_drug_line,
        cast(drug_reference.drug_class as {{ api.Column.translate_type('string') }}) as drug_class,
        cast(drug_reference.product_name as {{ api.Column.translate_type('string') }}) as product_name,
        cast(lines_classified.units_billed as decimal(18, 4)) as units_billed,
        cast(lines_classified.units_paid as decimal(18, 4)) as units_paid,

        ---------- dates
        cast(lines_classified.service_date as date) as service_date,
        cast(lines_classified.claim_received_date as date) as claim_received_date,
        cast(lines_classified.first_remit_date as date) as first_remit_date,
        cast(lines_classified.final_remit_date as date) as final_remit_date,
        cast(case when lines_classified.paid_amount > 0 then lines_classified.final_remit_date end as date)
            as paid_date,
        cast(case when lines_classified.paid_amount > 0 then {{ dbt.datediff(
            'lines_classified.service_date', 'lines_classified.final_remit_date', 'day') }} end as integer)
            as days_service_to_payment,
        cast(case when lines_classified.paid_amount > 0 then {{ dbt.datediff(
            'lines_classified.claim_received_date', 'lines_classified.final_remit_date', 'day') }} end as integer)
            as days_received_to_payment,

        ---------- amounts (final = netted over the reversal chain)
        cast(lines_classified.billed_amount as decimal(18, 2)) as billed_amount,
        cast(lines_classified.allowed_amount as decimal(18, 2)) as allowed_amount,
        cast(lines_classified.initial_paid_amount as decimal(18, 2)) as initial_paid_amount,
        cast(lines_classified.initial_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(lines_classified.paid_amount as decimal(18, 2)) as paid_amount,
        cast(lines_classified.denied_amount as decimal(18, 2)) as denied_amount,

        ---------- first adjudication
        lines_classified.is_initially_denied,
        lines_classified.is_initially_denied and lines_classified.initial_paid_amount <= 0
            as is_initial_zero_pay_denial,
        lines_classified.is_initially_denied and lines_classified.initial_paid_amount > 0
            as is_initial_partial_pay_denial,
        not lines_classified.is_initially_denied
        and lines_classified.version_count = 1
        and lines_classified.initial_paid_amount > 0 as is_first_pass_paid,
        cast(lines_classified.initial_denial_category as {{ api.Column.translate_type('string') }})
            as initial_denial_category,
        coalesce(lines_classified.is_initial_denial_avoidable, false) and lines_classified.is_initially_denied
            as is_initial_denial_avoidable,

        ---------- chain and final status
        cast(lines_classified.version_count as integer) as version_count,
        cast(lines_classified.reversal_count as integer) as reversal_count,
        lines_classified.was_ever_denied,
        lines_classified.is_overturned,
        cast(
            case
                when not lines_classified.has_final_version then 'reversed'
                when lines_classified.is_overturned and lines_classified.denied_amount = 0 then 'overturned'
                when lines_classified.is_overturned then 'partially_overturned'
                when lines_classified.denied_amount > 0 and lines_classified.paid_amount <= 0 then 'denied'
                when lines_classified.denied_amount > 0 then 'partially_denied'
                when lines_classified.paid_amount > 0 then 'paid'
                else 'zero_paid'
            end
            as {{ api.Column.translate_type('string') }}
        ) as final_status,

        ---------- denial (the denying version's largest denial adjustment)
        cast(lines_classified.denial_remit_claim_id as {{ api.Column.translate_type('string') }}) as denial_remit_claim_id,
        cast(lines_classified.denial_remit_line_id as {{ api.Column.translate_type('string') }}) as denial_remit_line_id,
        cast(lines_classified.denial_remit_date as date) as denial_remit_date,
        cast(lines_classified.primary_remit_adjustment_id as {{ api.Column.translate_type('string') }})
            as primary_remit_adjustment_id,
        cast(lines_classified.primary_group_code as {{ api.Column.translate_type('string') }}) as primary_group_code,
        cast(lines_classified.primary_carc_code as {{ api.Column.translate_type('string') }}) as primary_carc_code,
        cast(lines_classified.primary_rarc_code as {{ api.Column.translate_type('string') }}) as primary_rarc_code,
        cast(lines_classified.denial_category as {{ api.Column.translate_type('string') }}) as denial_category,
        cast(denial_categories.responsible_team as {{ api.Column.translate_type('string') }}) as responsible_team,
        coalesce(lines_classified.is_avoidable, false) as is_avoidable,
        coalesce(lines_classified.primary_adjustment_level = 'claim', false) as is_claim_level_denial,
        cast(lines_classified.denial_classification_rule as {{ api.Column.translate_type('string') }})
            as denial_classification_rule,
        cast(coalesce(lines_classified.denial_adjustment_count, 0) as integer) as denial_adjustment_count,

        ---------- lineage
        cast(lines_classified.remit_file_id as bigint) as remit_file_id,
        cast(lines_classified.remit_segment_position as bigint) as remit_segment_position,
        cast(lines_classified.first_remit_claim_id as {{ api.Column.translate_type('string') }}) as first_remit_claim_id,
        cast(lines_classified.final_remit_claim_id as {{ api.Column.translate_type('string') }}) as final_remit_claim_id,
        cast(lines_classified.claim_file_id as bigint) as claim_file_id,
        cast(lines_classified.claim_segment_position as bigint) as claim_segment_position
    from lines_classified
    left join drug_reference
        on lines_classified.procedure_code = drug_reference.hcpcs_code
    left join denial_categories
        on lines_classified.denial_category = denial_categories.denial_category
)

select * from final
