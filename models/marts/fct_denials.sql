{{ config(**partitioned_by('claim_control_number')) }}

-- One row per service line denied or partially denied by at least one adjudication (fct_adjudicated_lines
-- with was_ever_denied): the final denials and the ones overturned later (kept, is_overturned = true).
-- Amounts are netted over the reversal chain; the reason columns describe the denying version's largest
-- denial adjustment; the code lists give every denial CARC and every RARC of that version.

with

lines as {{ read_in_place() }} (
    select
        adjudicated_line_id,
        claim_line_id,
        claim_id,
        claim_control_number,
        line_control_number,
        line_number,
        match_method,
        payer_id,
        payer_name,
        payer_type,
        billing_provider_npi,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        is_drug_line,
        drug_class,
        product_name,
        units_billed,
        units_paid,
        service_date,
        claim_received_date,
        first_remit_date,
        denial_remit_date,
        paid_date,
        billed_amount,
        allowed_amount,
        paid_amount,
        denied_amount,
        initial_denied_amount,
        is_initially_denied,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        denial_category,
        responsible_team,
        is_avoidable,
        is_claim_level_denial,
        denial_classification_rule,
        denial_adjustment_count,
        final_status,
        is_overturned,
        version_count,
        reversal_count,
        denial_remit_claim_id,
        denial_remit_line_id,
        final_remit_claim_id,
        remit_file_id,
        remit_segment_position,
        claim_file_id,
        claim_segment_position
    from {{ ref('fct_adjudicated_lines') }}
    where was_ever_denied {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

adjustments as {{ read_in_place() }} (
    select
        {{ x12_key_label('classified.remit_line_id', 4) }} as remit_line_id,
        {{ x12_key_label('classified.remit_claim_id', 3) }} as remit_claim_id,
        classified.adjustment_level,
        classified.adjustment_group_code,
        classified.carc_code,
        classified.segment_position,
        classified.triplet_ordinal
    from {{ ref('int_adjustments_classified') }} as classified
    where classified.is_denial {{ affected_only('classified.remit_claim_id', 'remit_claim_id', 'and') }}
),

remarks as {{ read_in_place() }} (
    select
        {{ x12_key_label('remit_remarks.remit_line_id', 4) }} as remit_line_id,
        {{ x12_key_label('remit_remarks.remit_claim_id', 3) }} as remit_claim_id,
        remit_remarks.remark_level,
        remit_remarks.remark_code,
        remit_remarks.segment_position,
        remit_remarks.remark_ordinal
    from {{ ref('stg_x12_835__remarks') }} as remit_remarks
    where
        remit_remarks.remark_code_qualifier = 'HE'
    {{ affected_only('remit_remarks.remit_claim_id', 'remit_claim_id', 'and') }}
),

---------- every denial CARC of the denying version (the line's own CAS and its claim's)
-- Two equi-joins in a union rather than one join with `or`: an `or` join condition defeats hash joins
-- and ran for many minutes at 1M claims.
denial_codes as (
    select
        lines.adjudicated_line_id,
        {{ dbt.concat(['adjustments.adjustment_group_code', "'-'", 'adjustments.carc_code']) }} as group_carc_code
    from lines
    inner join adjustments
        on lines.denial_remit_line_id = adjustments.remit_line_id
    where adjustments.adjustment_level = 'line'
    union
    select
        lines.adjudicated_line_id,
        {{ dbt.concat(['adjustments.adjustment_group_code', "'-'", 'adjustments.carc_code']) }} as group_carc_code
    from lines
    inner join adjustments
        on lines.denial_remit_claim_id = adjustments.remit_claim_id
    where adjustments.adjustment_level = 'claim'
),

denial_code_lists as (
    select
        adjudicated_line_id,
        {{ dbt.listagg('group_carc_code', "'|'", 'order by group_carc_code') }} as denial_carc_codes
    from denial_codes
    group by adjudicated_line_id
),

---------- every RARC of the denying version (line LQ and claim MOA/MIA), alerts included
remark_codes as (
    select
        lines.adjudicated_line_id,
        remarks.remark_code
    from lines
    inner join remarks
        on lines.denial_remit_line_id = remarks.remit_line_id
    where remarks.remark_level = 'line'
    union
    select
        lines.adjudicated_line_id,
        remarks.remark_code
    from lines
    inner join remarks
        on lines.denial_remit_claim_id = remarks.remit_claim_id
    where remarks.remark_level = 'claim'
),

remark_code_lists as (
    select
        adjudicated_line_id,
        {{ dbt.listagg('remark_code', "'|'", 'order by remark_code') }} as rarc_codes
    from remark_codes
    group by adjudicated_line_id
),

final as (
    select
        ---------- ids
        cast(lines.adjudicated_line_id as {{ api.Column.translate_type('string') }}) as denial_id,
        lines.claim_line_id,
        lines.claim_id,
        lines.claim_control_number,
        lines.line_control_number,
        lines.line_number,
        lines.match_method,

        ---------- payer and provider
        lines.payer_id,
        lines.payer_name,
        lines.payer_type,
        lines.billing_provider_npi,

        ---------- service
        lines.procedure_code,
        lines.procedure_modifier_1,
        lines.procedure_modifier_2,
        lines.procedure_modifier_3,
        lines.procedure_modifier_4,
        cast({{ marts_modifier_text('lines.') }} as {{ api.Column.translate_type('string') }}) as procedure_modifiers,
        lines.is_drug_line,
        lines.drug_class,
        lines.product_name,
        lines.units_billed,
        lines.units_paid,

        ---------- dates
        lines.service_date,
        lines.claim_received_date,
        lines.first_remit_date,
        lines.denial_remit_date,
        lines.paid_date,

        ---------- amounts (netted over the reversal chain; denied never negative)
        lines.billed_amount,
        lines.allowed_amount,
        lines.paid_amount,
        lines.denied_amount,
        lines.initial_denied_amount,

        ---------- reason
        lines.primary_group_code,
        lines.primary_carc_code,
        lines.primary_rarc_code,
        cast(denial_code_lists.denial_carc_codes as {{ api.Column.translate_type('string') }}) as denial_carc_codes,
        cast(remark_code_lists.rarc_codes as {{ api.Column.translate_type('string') }}) as rarc_codes,
        lines.denial_category,
        lines.responsible_team,
        lines.is_avoidable,
        lines.is_claim_level_denial,
        lines.denial_classification_rule,
        lines.denial_adjustment_count,

        ---------- status after the reversal chain
        lines.final_status,
        lines.is_overturned,
        lines.final_status in ('denied', 'partially_denied', 'partially_overturned') as is_open_denial,
        lines.is_initially_denied,
        lines.version_count,
        lines.reversal_count,

        ---------- lineage
        lines.denial_remit_claim_id,
        lines.denial_remit_line_id,
        lines.final_remit_claim_id,
        lines.remit_file_id,
        lines.remit_segment_position,
        lines.claim_file_id,
        lines.claim_segment_position
    from lines
    left join denial_code_lists
        on lines.adjudicated_line_id = denial_code_lists.adjudicated_line_id
    left join remark_code_lists
        on lines.adjudicated_line_id = remark_code_lists.adjudicated_line_id
)

select * from final
