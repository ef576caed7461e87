-- One row per open denial worth appealing: a fct_denials line still denied after its reversal chain
-- (final status denied, partially_denied or partially_overturned, not overturned), with denied dollars
-- left and a primary adjustment whose group code the group_codes seed puts on the worklist
-- (is_appeal_worklisted: CO, a contractual obligation the provider writes off unless the appeal wins).
-- The appeal window runs the payer's appeal_window_days (int_payers_resolved: the payers seed, else the
-- default of its payer type) from the denying remit's date (BPR16, else DTM*405).
-- Days left are counted to the reference date: the dbt var as_of_date when given, else the latest remit
-- date in the warehouse, never the wall clock, so a rebuild of the same data ranks the same way.
-- Ranked: open windows first, then most recoverable dollars, then fewest days left.

with

denials as (
    select
        denial_id,
        claim_line_id,
        claim_control_number,
        line_control_number,
        payer_id,
        payer_name,
        payer_type,
        billing_provider_npi,
        procedure_code,
        procedure_modifiers,
        product_name,
        service_date,
        denial_remit_date,
        billed_amount,
        paid_amount,
        denied_amount,
        primary_group_code,
        primary_carc_code,
        primary_rarc_code,
        denial_category,
        responsible_team,
        is_avoidable,
        final_status,
        remit_file_id,
        remit_segment_position,
        claim_file_id,
        claim_segment_position
    from {{ ref('fct_denials') }}
    where
        is_open_denial
        and not is_overturned
        and denied_amount > 0
),

worklisted_group_codes as (
    select group_code
    from {{ ref('group_codes') }}
    where is_appeal_worklisted
),

payers as (
    select
        payer_id,
        appeal_window_days
    from {{ ref('int_payers_resolved') }}
),

reference_date as (
    select
        {{ marts_as_of_date("select max(remit_date) from " ~ ref('int_remit_claim_versions')) }} as as_of_date
),

worklist as (
    select
        denials.*,
        payers.appeal_window_days,
        reference_date.as_of_date,
        cast({{ dbt.dateadd('day', 'payers.appeal_window_days', 'denials.denial_remit_date') }} as date)
            as appeal_deadline
    from denials
    inner join worklisted_group_codes
        on denials.primary_group_code = worklisted_group_codes.group_code
    cross join reference_date
    left join payers
        on denials.payer_id = payers.payer_id
),

worklist_timed as (
    select
        worklist.*,
        {{ dbt.datediff(
            'worklist.as_of_date', 'worklist.appeal_deadline', 'day') }} as days_left_to_appeal,
        {{ dbt.datediff(
            'worklist.denial_remit_date', 'worklist.as_of_date', 'day') }} as days_since_denial
    from worklist
),

-- ranked on the sort keys alone: a window over every column of the worklist sorted all of them
-- (about twice as long at a million claims). The rank joins back on denial_id, which fct_denials keeps
-- not null (contract) and unique (column_values test), so each row meets exactly its own rank.
worklist_ranks as (
    select
        denial_id,
        cast(row_number() over (
            order by
                case when days_left_to_appeal >= 0 then 0 when days_left_to_appeal < 0 then 1 else 2 end,
                denied_amount desc,
                days_left_to_appeal asc,
                denial_id asc
        ) as integer) as worklist_rank
    from worklist_timed
),

worklist_ranked as (
    select
        worklist_timed.*,
        worklist_ranks.worklist_rank
    from worklist_timed
    inner join worklist_ranks
        on worklist_timed.denial_id = worklist_ranks.denial_id
),

final as (
    select
        ---------- rank
        worklist_rank,

        ---------- ids
        cast(denial_id as {{ api.Column.translate_type('string') }}) as denial_id,
        cast(claim_line_id as {{ api.Column.translate_type('string') }}) as claim_line_id,
        cast(claim_control_number as {{ api.Column.translate_type('string') }}) as claim_control_number,
        cast(line_control_number as {{ api.Column.translate_type('string') }}) as line_control_number,

        ---------- payer and line
        cast(payer_id as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(payer_name as {{ api.Column.translate_type('string') }}) as payer_name,
        cast(payer_type as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(billing_provider_npi as {{ api.Column.translate_type('string') }}) as billing_provider_npi,
        cast(procedure_code as {{ api.Column.translate_type('string') }}) as procedure_code,
        cast(procedure_modifiers as {{ api.Column.translate_type('string') }}) as procedure_modifiers,
        cast(product_name as {{ api.Column.translate_type('string') }}) as product_name,
        cast(service_date as date) as service_date,

        ---------- reason
        cast(denial_category as {{ api.Column.translate_type('string') }}) as denial_category,
        cast(responsible_team as {{ api.Column.translate_type('string') }}) as responsible_team,
        is_avoidable,
        cast(primary_group_code as {{ api.Column.translate_type('string') }}) as primary_group_code,
        cast(primary_carc_code as {{ api.Column.translate_type('string') }}) as primary_carc_code,
        cast(primary_rarc_code as {{ api.Column.translate_type('string') }}) as primary_rarc_code,
        cast(final_status as {{ api.Column.translate_type('string') }}) as final_status,

        ---------- money
        cast(billed_amount as decimal(18, 2)) as billed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(denied_amount as decimal(18, 2)) as recoverable_amount,

        ---------- appeal window
        cast(denial_remit_date as date) as denial_remit_date,
        cast(appeal_window_days as integer) as appeal_window_days,
        cast(appeal_deadline as date) as appeal_deadline,
        cast(as_of_date as date) as as_of_date,
        cast(days_left_to_appeal as integer) as days_left_to_appeal,
        cast(days_since_denial as integer) as days_since_denial,
        coalesce(days_left_to_appeal >= 0, false) as is_appeal_window_open,

        ---------- lineage
        cast(remit_file_id as bigint) as remit_file_id,
        cast(remit_segment_position as bigint) as remit_segment_position,
        cast(claim_file_id as bigint) as claim_file_id,
        cast(claim_segment_position as bigint) as claim_segment_position
    from worklist_ranked
)

select * from final
