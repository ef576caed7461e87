{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per RARC on an 835 (LQ01 = HE at line level, MOA/MIA at claim level) with the scope it speaks
-- for: the line for an LQ remark, the claim for an MOA/MIA remark. Carries what the seeds say about the
-- code (alert, category, whether it decides) and its rank within the scope in segment order, so every
-- reader picks "the first deciding remark" or "the first non-alert remark" of a scope the same way.
-- LQ01 = RX rows are NCPDP reject codes, not remarks, and are left out. A scope (line or claim) belongs to
-- one remit claim: partitioned by remit_claim_id (kind remit_claim_id).
with

remarks as (
    select
        remit_remark_id,
        remit_line_id,
        remit_claim_id,
        file_id,
        segment_position,
        remark_ordinal,
        remark_level,
        remark_code
    from {{ ref('stg_x12_835__remarks') }}
    where
        remark_code_qualifier = 'HE'
        and remark_code is not null
    {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

rarc_codes as (
    select
        rarc_code,
        is_alert
    from {{ ref('rarc_codes') }}
),

rarc_category_rows as (
    select
        code as rarc_code,
        denial_category,
        decides_category
    from {{ ref('denial_category_map') }}
    where code_type = 'RARC'
),

remarks_resolved as (
    select
        remarks.remit_remark_id,
        remarks.remit_line_id,
        remarks.remit_claim_id,
        remarks.file_id,
        remarks.segment_position,
        remarks.remark_ordinal,
        remarks.remark_level as scope_level,
        case
            when remarks.remark_level = 'line' then remarks.remit_line_id
            else remarks.remit_claim_id
        end as scope_id,
        remarks.remark_code as rarc_code,
        rarc_category_rows.denial_category,
        coalesce(rarc_codes.is_alert, false) as is_alert,
        rarc_codes.rarc_code is null and rarc_category_rows.rarc_code is null as is_unknown,
        not coalesce(rarc_codes.is_alert, false)
        and coalesce(rarc_category_rows.decides_category, false) as is_deciding
    from remarks
    left join rarc_codes
        on remarks.remark_code = rarc_codes.rarc_code
    left join rarc_category_rows
        on remarks.remark_code = rarc_category_rows.rarc_code
),

final as (
    select
        ---------- ids and lineage
        remit_remark_id,
        remit_line_id,
        remit_claim_id,
        file_id,
        segment_position,
        remark_ordinal,

        ---------- scope
        scope_level,
        scope_id,

        ---------- the code and what the seeds say about it
        rarc_code,
        denial_category,
        is_alert,
        is_unknown,
        is_deciding,

        ---------- order within the scope (segment order, then element order)
        case
            when not is_alert
                then row_number() over (
                    partition by scope_level, scope_id, is_alert
                    order by segment_position, remark_ordinal
                )
        end as non_alert_rank,
        case
            when is_deciding
                then row_number() over (
                    partition by scope_level, scope_id, is_deciding
                    order by segment_position, remark_ordinal
                )
        end as deciding_rank
    from remarks_resolved
)

select * from final
