{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per CAS triplet (claim and line level), classified by the precedence rule of the category seeds:
--   0. a denial_category_pairs pair (its CARC, its RARC among the scope's remarks: LQ or MOA/MIA) decides;
--   1. else the scope's first non-alert RARC with decides_category = true (denial_category_map) wins over a
--      CARC whose own category is a denial or unknown (CO-45 or PR-2 beside N362 stay what they are);
--   2. else the CARC row with the exact CAS01 group code; 3. else the CARC row with a blank group code;
--   4. a CARC with no row at all is 'other', flagged is_unknown_code (the build never fails on it).
-- Reversal triplets (CLP02 = 22) carry the negated amounts and are flagged, so sums over a chain net out.
-- Partitioned by remit_claim_id: a triplet's remarks and pairs are its own claim's; a seed change rebuilds all.
-- depends_on: {{ ref('stg_x12_835__service_lines') }}, so its key check on remit_line_id sees this build's lines

with

adjustments as (
    select
        remit_adjustment_id,
        remit_line_id,
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        adjustment_level,
        adjustment_group_code,
        triplet_ordinal,
        carc_code,
        adjustment_amount,
        adjustment_quantity
    from {{ ref('stg_x12_835__adjustments') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

remit_claims as (
    select
        remit_claim_id,
        claim_status_code
    from {{ ref('stg_x12_835__claims') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

claim_statuses as (
    select
        claim_status_code,
        is_reversal
    from {{ ref('claim_status_codes') }}
),

remarks_scoped as {{ read_in_place() }} (
    select
        scope_level,
        scope_id,
        rarc_code,
        denial_category,
        is_unknown,
        deciding_rank
    from {{ ref('int_remarks_scoped') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

category_map as (
    select
        code_type,
        code,
        coalesce(group_code, '') as group_code,
        denial_category,
        decides_category
    from {{ ref('denial_category_map') }}
),

denial_categories as (
    select
        denial_category,
        is_denial,
        is_avoidable
    from {{ ref('denial_categories') }}
),

carc_group_code_rows as (
    select
        code as carc_code,
        group_code,
        denial_category
    from category_map
    where
        code_type = 'CARC'
        and group_code != ''
),

carc_any_group_rows as (
    select
        code as carc_code,
        denial_category
    from category_map
    where
        code_type = 'CARC'
        and group_code = ''
),

pair_matches as (
    select
        scope_level,
        scope_id,
        carc_code,
        rarc_code,
        denial_category
    from {{ ref('int_remark_pairs_scoped') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

---------- the first deciding remark of each scope (LQ order) decides; ties between deciding remarks are rare
deciding_remarks as (
    select
        scope_level,
        scope_id,
        rarc_code,
        denial_category
    from remarks_scoped
    where deciding_rank = 1
),

unknown_remark_counts as (
    select
        scope_level,
        scope_id,
        count(*) as unknown_rarc_count
    from remarks_scoped
    where is_unknown
    group by
        scope_level,
        scope_id
),

---------- each triplet with its CARC rows, its scope's pair and deciding remark, its claim's status, and the
---------- precedence rule
adjustments_joined as (
    select
        adjustments.remit_adjustment_id,
        adjustments.remit_line_id,
        adjustments.remit_claim_id,
        adjustments.remit_transaction_id,
        adjustments.file_id,
        adjustments.segment_position,
        adjustments.adjustment_level,
        adjustments.adjustment_group_code,
        adjustments.triplet_ordinal,
        adjustments.carc_code,
        adjustments.adjustment_amount,
        adjustments.adjustment_quantity,
        remit_claims.claim_status_code,
        coalesce(claim_statuses.is_reversal, false) as is_reversal,
        carc_group_code_rows.denial_category as carc_group_code_category,
        carc_any_group_rows.denial_category as carc_any_group_category,
        coalesce(carc_group_code_rows.denial_category, carc_any_group_rows.denial_category) as carc_category,
        coalesce(pair_matches.rarc_code, deciding_remarks.rarc_code) as deciding_rarc_code,
        deciding_remarks.denial_category as deciding_rarc_category,
        pair_matches.rarc_code as pair_rarc_code,
        pair_matches.denial_category as pair_category,
        coalesce(unknown_remark_counts.unknown_rarc_count, 0) as unknown_rarc_count,
        ---------- the precedence rule
        case
            when pair_matches.denial_category is not null then 'carc_rarc_pair'
            when
                deciding_remarks.rarc_code is not null
                and (
                    coalesce(carc_group_code_rows.denial_category, carc_any_group_rows.denial_category) is null
                    or coalesce(carc_categories.is_denial, false)
                )
                then 'rarc_decides'
            when carc_group_code_rows.denial_category is not null then 'carc_group_code'
            when carc_any_group_rows.denial_category is not null then 'carc_any_group'
            else 'unknown_code'
        end as classification_rule
    from adjustments
    left join remit_claims
        on adjustments.remit_claim_id = remit_claims.remit_claim_id
    left join claim_statuses
        on remit_claims.claim_status_code = claim_statuses.claim_status_code
    left join carc_group_code_rows
        on
            adjustments.carc_code = carc_group_code_rows.carc_code
            and adjustments.adjustment_group_code = carc_group_code_rows.group_code
    left join carc_any_group_rows
        on adjustments.carc_code = carc_any_group_rows.carc_code
    left join denial_categories as carc_categories
        on
            coalesce(carc_group_code_rows.denial_category, carc_any_group_rows.denial_category)
            = carc_categories.denial_category
    left join deciding_remarks
        on
            adjustments.adjustment_level = deciding_remarks.scope_level
            and case
                when adjustments.adjustment_level = 'line' then adjustments.remit_line_id
                else adjustments.remit_claim_id
            end = deciding_remarks.scope_id
    left join pair_matches
        on
            adjustments.adjustment_level = pair_matches.scope_level
            and case
                when adjustments.adjustment_level = 'line' then adjustments.remit_line_id
                else adjustments.remit_claim_id
            end = pair_matches.scope_id
            and adjustments.carc_code = pair_matches.carc_code
    left join unknown_remark_counts
        on
            adjustments.adjustment_level = unknown_remark_counts.scope_level
            and case
                when adjustments.adjustment_level = 'line' then adjustments.remit_line_id
                else adjustments.remit_claim_id
            end = unknown_remark_counts.scope_id
),

adjustments_classified as (
    select
        adjustments_joined.remit_adjustment_id,
        adjustments_joined.remit_line_id,
        adjustments_joined.remit_claim_id,
        adjustments_joined.remit_transaction_id,
        adjustments_joined.file_id,
        adjustments_joined.segment_position,
        adjustments_joined.adjustment_level,
        adjustments_joined.adjustment_group_code,
        adjustments_joined.triplet_ordinal,
        adjustments_joined.carc_code,
        adjustments_joined.adjustment_amount,
        adjustments_joined.adjustment_quantity,
        adjustments_joined.claim_status_code,
        adjustments_joined.is_reversal,

        ---------- classification
        adjustments_joined.classification_rule,
        case
            when adjustments_joined.classification_rule = 'rarc_decides' then 'RARC'
            when adjustments_joined.classification_rule = 'carc_rarc_pair' then 'CARC_RARC'
            else 'CARC'
        end as deciding_code_type,
        case
            when adjustments_joined.classification_rule = 'rarc_decides' then adjustments_joined.deciding_rarc_code
            when adjustments_joined.classification_rule = 'carc_rarc_pair'
                then {{ dbt.concat(['adjustments_joined.carc_code', "'+'", 'adjustments_joined.pair_rarc_code']) }}
            else adjustments_joined.carc_code
        end as deciding_code,
        adjustments_joined.deciding_rarc_code,
        coalesce(adjustments_joined.carc_category, 'other') as carc_category,
        case adjustments_joined.classification_rule
            when 'carc_rarc_pair' then adjustments_joined.pair_category
            when 'rarc_decides' then adjustments_joined.deciding_rarc_category
            when 'carc_group_code' then adjustments_joined.carc_group_code_category
            when 'carc_any_group' then adjustments_joined.carc_any_group_category
            else 'other'
        end as denial_category,
        adjustments_joined.carc_category is null as is_unknown_carc,
        adjustments_joined.unknown_rarc_count,
        adjustments_joined.carc_category is null or adjustments_joined.unknown_rarc_count > 0 as is_unknown_code
    from adjustments_joined
),

final as (
    select
        ---------- ids and lineage
        adjustments_classified.remit_adjustment_id,
        adjustments_classified.remit_line_id,
        adjustments_classified.remit_claim_id,
        adjustments_classified.remit_transaction_id,
        adjustments_classified.file_id,
        adjustments_classified.segment_position,

        ---------- the triplet as sent
        adjustments_classified.adjustment_level,
        adjustments_classified.adjustment_group_code,
        adjustments_classified.triplet_ordinal,
        adjustments_classified.carc_code,
        adjustments_classified.adjustment_amount,
        adjustments_classified.adjustment_quantity,

        ---------- reversal context
        adjustments_classified.claim_status_code,
        adjustments_classified.is_reversal,

        ---------- classification
        adjustments_classified.denial_category,
        coalesce(denial_categories.is_denial, false) as is_denial,
        coalesce(denial_categories.is_denial and denial_categories.is_avoidable, false) as is_avoidable,
        adjustments_classified.classification_rule,
        adjustments_classified.deciding_code_type,
        adjustments_classified.deciding_code,
        adjustments_classified.deciding_rarc_code,
        adjustments_classified.carc_category,
        adjustments_classified.is_unknown_code,
        adjustments_classified.is_unknown_carc,
        adjustments_classified.unknown_rarc_count,

        ---------- amounts (signed as sent: reversal rows are negative and net out)
        case when coalesce(denial_categories.is_denial, false) then adjustments_classified.adjustment_amount else 0 end
            as denied_amount
    from adjustments_classified
    left join denial_categories
        on adjustments_classified.denial_category = denial_categories.denial_category
)

select * from final
