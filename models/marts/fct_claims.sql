{{ config(**partitioned_by('claim_control_number')) }}

-- One row per claim: every submitted 837 claim and every remit chain no 837 claim matched (a claim known
-- only from its remits), from its lines in fct_claim_lines. outcome is the first that applies, in the
-- precedence of the claim_outcomes seed (which defines each one):
--   remit_only (no 837 claim), not_remitted (no line remitted), reversed (every remitted line ended in a
--   reversal), overturned (a line denied first was paid later and no denied dollars are left), denied
--   (denied dollars left, nothing paid), partially_denied (denied dollars left and something paid), paid.
-- Billed, paid and denied dollars add up the claim's lines (paid and denied netted over each line's chain,
-- as fct_adjudicated_lines has them). largest_denial_category is the category of the line with the most
-- denied dollars, else with the most dollars denied at first adjudication (an overturned denial keeps its
-- reason). days_*_to_payment count to the last payment of any line. Lineage: the 837 claim's file and
-- segment, and the latest remit's.

{%- set string = api.Column.translate_type("string") %}

with

claim_lines as {{ read_in_place() }} (
    select
        line_id,
        claim_id,
        claim_key,
        claim_control_number,
        resolved_payer_id,
        payer_name,
        payer_type,
        is_remitted,
        line_status,
        is_overturned,
        is_first_pass_paid,
        denial_category,
        initial_denial_category,
        service_date,
        paid_date,
        final_remit_date,
        days_service_to_payment,
        days_received_to_payment,
        billed_amount,
        paid_amount,
        denied_amount,
        initial_denied_amount,
        claim_file_id,
        claim_segment_position,
        remit_file_id,
        remit_segment_position
    from {{ ref('fct_claim_lines') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

outcomes as (
    select
        outcome,
        precedence
    from {{ ref('claim_outcomes') }}
),

---------- the line that names the claim's denial, the line of its latest remit and its first line: ranked
-- on the few columns the orders read, then joined to their lines (three windows over whole line rows sorted
-- every column three times)
line_order_keys as (
    select
        line_id,
        claim_key,
        denied_amount,
        initial_denied_amount,
        final_remit_date,
        remit_file_id,
        remit_segment_position,
        claim_file_id,
        claim_segment_position
    from claim_lines
),

claim_lines_ranked as (
    select
        line_id,
        claim_key,
        row_number() over (
            partition by claim_key
            order by
                denied_amount desc,
                initial_denied_amount desc,
                line_id asc
        ) as denial_rank,
        row_number() over (
            partition by claim_key
            order by
                case when final_remit_date is null then 1 else 0 end asc,
                final_remit_date desc,
                remit_file_id desc,
                remit_segment_position desc,
                line_id asc
        ) as latest_remit_rank,
        row_number() over (
            partition by claim_key
            -- a line with no 837 position (a remit line no 837 line matched) last on every engine: Spark
            -- puts nulls first in ascending order, DuckDB last
            order by
                claim_file_id asc nulls last,
                claim_segment_position asc nulls last,
                line_id asc
        ) as claim_rank
    from line_order_keys
),

claim_lines_picked as (
    select
        claim_key,
        max(case when denial_rank = 1 then line_id end) as denial_line_id,
        max(case when latest_remit_rank = 1 then line_id end) as latest_remit_line_id,
        max(case when claim_rank = 1 then line_id end) as first_line_id
    from claim_lines_ranked
    where denial_rank = 1 or latest_remit_rank = 1 or claim_rank = 1
    group by claim_key
),

claim_totals as (
    select
        claim_key,
        max(claim_id) as claim_id,
        count(*) as line_count,
        sum(case when is_remitted then 1 else 0 end) as remitted_line_count,
        sum(case when is_remitted and line_status != 'reversed' then 1 else 0 end) as standing_line_count,
        sum(case when denied_amount > 0 then 1 else 0 end) as denied_line_count,
        max(case when is_overturned then 1 else 0 end) = 1 as has_overturned_line,
        sum(case when is_first_pass_paid then 1 else 0 end) as first_pass_paid_line_count,
        sum(billed_amount) as billed_amount,
        sum(paid_amount) as paid_amount,
        sum(denied_amount) as denied_amount,
        sum(initial_denied_amount) as initial_denied_amount,
        min(service_date) as service_date,
        max(paid_date) as paid_date,
        max(days_service_to_payment) as days_service_to_payment,
        max(days_received_to_payment) as days_received_to_payment
    from claim_lines
    group by claim_key
),

---------- every outcome that applies; the seed's precedence picks one
claim_outcomes_applying as (
    select
        claim_totals.claim_key,
        outcomes.outcome,
        row_number() over (partition by claim_totals.claim_key order by outcomes.precedence) as outcome_rank
    from claim_totals
    inner join outcomes
        on
            (outcomes.outcome = 'remit_only' and claim_totals.claim_id is null)
            or (outcomes.outcome = 'not_remitted' and claim_totals.remitted_line_count = 0)
            or (
                outcomes.outcome = 'reversed'
                and claim_totals.remitted_line_count > 0
                and claim_totals.standing_line_count = 0
            )
            or (
                outcomes.outcome = 'overturned'
                and claim_totals.has_overturned_line
                and claim_totals.denied_amount <= 0
            )
            or (outcomes.outcome = 'denied' and claim_totals.denied_amount > 0 and claim_totals.paid_amount <= 0)
            or (
                outcomes.outcome = 'partially_denied'
                and claim_totals.denied_amount > 0
                and claim_totals.paid_amount > 0
            )
            or outcomes.outcome = 'paid'
),

final as (
    select
        ---------- ids
        cast(claim_totals.claim_key as {{ string }}) as claim_key,
        cast(claim_totals.claim_id as {{ string }}) as claim_id,
        cast(first_lines.claim_control_number as {{ string }}) as claim_control_number,
        claim_totals.claim_id is not null as is_submitted,

        ---------- outcome
        cast(claim_outcomes_applying.outcome as {{ string }}) as outcome,
        cast(
            case
                when denial_lines.denied_amount > 0 then denial_lines.denial_category
                when denial_lines.initial_denied_amount > 0 then denial_lines.initial_denial_category
            end as {{ string }}
        ) as largest_denial_category,
        cast(claim_totals.line_count as integer) as line_count,
        cast(claim_totals.remitted_line_count as integer) as remitted_line_count,
        cast(claim_totals.denied_line_count as integer) as denied_line_count,
        cast(claim_totals.first_pass_paid_line_count as integer) as first_pass_paid_line_count,

        ---------- payer (resolved)
        cast(first_lines.resolved_payer_id as {{ string }}) as resolved_payer_id,
        cast(first_lines.payer_name as {{ string }}) as payer_name,
        cast(first_lines.payer_type as {{ string }}) as payer_type,

        ---------- amounts
        cast(claim_totals.billed_amount as decimal(18, 2)) as billed_amount,
        cast(claim_totals.paid_amount as decimal(18, 2)) as paid_amount,
        cast(claim_totals.denied_amount as decimal(18, 2)) as denied_amount,
        cast(claim_totals.initial_denied_amount as decimal(18, 2)) as initial_denied_amount,

        ---------- dates
        cast(claim_totals.service_date as date) as service_date,
        cast(claim_totals.paid_date as date) as paid_date,
        cast(claim_totals.days_service_to_payment as integer) as days_service_to_payment,
        cast(claim_totals.days_received_to_payment as integer) as days_received_to_payment,

        ---------- lineage
        cast(first_lines.claim_file_id as bigint) as claim_file_id,
        cast(first_lines.claim_segment_position as bigint) as claim_segment_position,
        cast(latest_remit_lines.remit_file_id as bigint) as remit_file_id,
        cast(latest_remit_lines.remit_segment_position as bigint) as remit_segment_position
    from claim_totals
    inner join claim_outcomes_applying
        on claim_totals.claim_key = claim_outcomes_applying.claim_key and claim_outcomes_applying.outcome_rank = 1
    inner join claim_lines_picked
        on claim_totals.claim_key = claim_lines_picked.claim_key
    inner join claim_lines as denial_lines
        on claim_lines_picked.denial_line_id = denial_lines.line_id
    inner join claim_lines as latest_remit_lines
        on claim_lines_picked.latest_remit_line_id = latest_remit_lines.line_id
    inner join claim_lines as first_lines
        on claim_lines_picked.first_line_id = first_lines.line_id
)

select * from final
