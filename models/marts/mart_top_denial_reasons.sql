-- One row per payer x denial category x group code x CARC x RARC of the primary denial adjustment of the
-- fct_denials lines (overturned denials included: this is what payers deny, not what stays denied), with
-- counts and dollars and the reason's rank within the payer and across payers. Rank 1 = most initially
-- denied dollars (ties: more lines, then the codes in order).

with

denials as (
    select
        payer_id,
        payer_name,
        payer_type,
        denial_category,
        is_avoidable,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        initial_denied_amount,
        denied_amount,
        billed_amount,
        is_overturned,
        is_open_denial
    from {{ ref('fct_denials') }}
),

carc_codes as (
    select
        carc_code,
        description
    from {{ ref('carc_codes') }}
),

rarc_codes as (
    select
        rarc_code,
        description
    from {{ ref('rarc_codes') }}
),

reasons as (
    select
        payer_id,
        max(payer_name) as payer_name,
        max(payer_type) as payer_type,
        denial_category,
        max(case when is_avoidable then 1 else 0 end) = 1 as is_avoidable,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        count(*) as denied_lines,
        sum(case when is_open_denial then 1 else 0 end) as open_denied_lines,
        sum(case when is_overturned then 1 else 0 end) as overturned_lines,
        sum(billed_amount) as billed_amount,
        sum(initial_denied_amount) as initial_denied_amount,
        sum(denied_amount) as final_denied_amount
    from denials
    group by
        payer_id,
        denial_category,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code
),

ranked as (
    select
        reasons.*,
        row_number() over (
            partition by reasons.payer_id
            order by
                reasons.initial_denied_amount desc,
                reasons.denied_lines desc,
                reasons.primary_carc_code asc,
                reasons.primary_rarc_code asc,
                reasons.denial_category asc
        ) as payer_rank,
        row_number() over (
            order by
                reasons.initial_denied_amount desc,
                reasons.denied_lines desc,
                reasons.payer_id asc,
                reasons.primary_carc_code asc,
                reasons.primary_rarc_code asc,
                reasons.denial_category asc
        ) as overall_rank
    from reasons
),

final as (
    select
        ---------- grain
        cast({{ dbt.concat([
            "coalesce(ranked.payer_id, '')", "'|'", "coalesce(ranked.denial_category, '')", "'|'",
            "coalesce(ranked.primary_group_code, '')", "'-'", "coalesce(ranked.primary_carc_code, '')", "'|'",
            "coalesce(ranked.primary_rarc_code, '')"
        ]) }} as {{ api.Column.translate_type('string') }}) as reason_id,
        cast(ranked.payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(ranked.payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(ranked.payer_type as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(ranked.denial_category as {{ api.Column.translate_type('string') }}) as denial_category,
        ranked.is_avoidable,
        cast(ranked.primary_group_code as {{ api.Column.translate_type('string') }}) as group_code,
        cast(ranked.primary_carc_code as {{ api.Column.translate_type('string') }}) as carc_code,
        cast(carc_codes.description as {{ api.Column.translate_type('string') }}) as carc_description,
        cast(ranked.primary_rarc_code as {{ api.Column.translate_type('string') }}) as rarc_code,
        cast(rarc_codes.description as {{ api.Column.translate_type('string') }}) as rarc_description,

        ---------- counts and dollars
        cast(ranked.denied_lines as integer) as denied_lines,
        cast(ranked.open_denied_lines as integer) as open_denied_lines,
        cast(ranked.overturned_lines as integer) as overturned_lines,
        cast(ranked.billed_amount as decimal(18, 2)) as billed_amount,
        cast(ranked.initial_denied_amount as decimal(18, 2)) as initial_denied_amount,
        cast(ranked.final_denied_amount as decimal(18, 2)) as final_denied_amount,

        ---------- rank
        cast(ranked.payer_rank as integer) as payer_rank,
        cast(ranked.overall_rank as integer) as overall_rank
    from ranked
    left join carc_codes
        on ranked.primary_carc_code = carc_codes.carc_code
    left join rarc_codes
        on ranked.primary_rarc_code = rarc_codes.rarc_code
)

select * from final
