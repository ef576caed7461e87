{{ config(**partitioned_by('claim_control_number')) }}

-- One row per service line of a claim: every 837 service line, remitted or not, and every adjudicated line
-- with no 837 line (fct_adjudicated_lines: an 835 line no 837 line matched, or an 835 claim without lines).
-- A line a remit adjudicated takes its amounts, status and denial from fct_adjudicated_lines, unchanged; an
-- 837 line no remit adjudicated yet has line_status 'not_remitted', its billed charge and nothing paid or
-- denied. claim_key groups the lines of one claim: the 837 claim id, else the remit chain's key (a claim
-- known only from its remits). resolved_payer_id is the one payer key: the 837 claim's
-- (int_claims_payer_resolved), else the first remit's (int_remit_transactions_payer_resolved).
-- Base of fct_claims.

{%- set string = api.Column.translate_type("string") %}

with

adjudicated_lines as {{ read_in_place() }} (
    select
        adjudicated_line_id,
        claim_line_id,
        claim_id,
        claim_control_number,
        line_control_number,
        line_number,
        procedure_code,
        service_date,
        claim_received_date,
        paid_date,
        days_service_to_payment,
        days_received_to_payment,
        billed_amount,
        paid_amount,
        denied_amount,
        initial_denied_amount,
        is_first_pass_paid,
        is_overturned,
        final_status,
        denial_category,
        initial_denial_category,
        final_remit_date,
        remit_file_id,
        remit_segment_position,
        first_remit_claim_id,
        final_remit_claim_id,
        claim_file_id,
        claim_segment_position
    from {{ ref('fct_adjudicated_lines') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

claim_lines as (
    select
        {{ x12_key_label('service_lines.claim_line_id', 4) }} as claim_line_id,
        {{ x12_key_label('service_lines.claim_id', 3) }} as claim_id,
        service_lines.file_id,
        service_lines.segment_position,
        service_lines.assigned_line_number,
        service_lines.procedure_code,
        service_lines.service_from_date,
        service_lines.line_charge_amount,
        service_lines.line_control_number
    from {{ ref('stg_x12_837__service_lines') }} as service_lines
    {{ affected_only('service_lines.claim_id', 'claim_id') }}
),

claims as {{ read_in_place() }} (
    select
        {{ x12_key_label('claim_id', 3) }} as claim_id,
        file_id,
        segment_position,
        claim_control_number,
        payer_key
    from {{ ref('int_claims_payer_resolved') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

remit_versions as (
    select
        {{ x12_key_label('remit_claim_id', 3) }} as remit_claim_id,
        remit_transaction_id,
        chain_key
    from {{ ref('int_remit_claim_versions') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

remit_payer_keys as (
    select
        remit_transaction_id,
        payer_key
    from {{ ref('int_remit_transactions_payer_resolved') }}
),

payers as (
    select
        payer_id,
        payer_name,
        payer_type
    from {{ ref('int_payers_resolved') }}
),

---------- lines a remit adjudicated, and 837 lines none did
lines_remitted as (
    select
        adjudicated_lines.adjudicated_line_id as line_id,
        adjudicated_lines.claim_line_id,
        adjudicated_lines.claim_id,
        coalesce(adjudicated_lines.claim_id, remit_versions.chain_key) as claim_key,
        adjudicated_lines.claim_control_number,
        adjudicated_lines.line_control_number,
        adjudicated_lines.line_number,
        adjudicated_lines.procedure_code,
        coalesce(claims.payer_key, remit_payer_keys.payer_key) as resolved_payer_id,
        true as is_remitted,
        adjudicated_lines.final_status as line_status,
        adjudicated_lines.is_overturned,
        adjudicated_lines.is_first_pass_paid,
        adjudicated_lines.denial_category,
        adjudicated_lines.initial_denial_category,
        adjudicated_lines.service_date,
        adjudicated_lines.claim_received_date,
        adjudicated_lines.paid_date,
        adjudicated_lines.final_remit_date,
        adjudicated_lines.days_service_to_payment,
        adjudicated_lines.days_received_to_payment,
        adjudicated_lines.billed_amount,
        adjudicated_lines.paid_amount,
        adjudicated_lines.denied_amount,
        adjudicated_lines.initial_denied_amount,
        adjudicated_lines.claim_file_id,
        adjudicated_lines.claim_segment_position,
        adjudicated_lines.remit_file_id,
        adjudicated_lines.remit_segment_position,
        adjudicated_lines.final_remit_claim_id
    from adjudicated_lines
    left join claims
        on adjudicated_lines.claim_id = claims.claim_id
    left join remit_versions
        on adjudicated_lines.first_remit_claim_id = remit_versions.remit_claim_id
    left join remit_payer_keys
        on remit_versions.remit_transaction_id = remit_payer_keys.remit_transaction_id
),

lines_not_remitted as (
    select
        claim_lines.claim_line_id as line_id,
        claim_lines.claim_line_id,
        claim_lines.claim_id,
        claim_lines.claim_id as claim_key,
        claims.claim_control_number,
        claim_lines.line_control_number,
        claim_lines.assigned_line_number as line_number,
        claim_lines.procedure_code,
        claims.payer_key as resolved_payer_id,
        false as is_remitted,
        'not_remitted' as line_status,
        false as is_overturned,
        false as is_first_pass_paid,
        cast(null as {{ string }}) as denial_category,
        cast(null as {{ string }}) as initial_denial_category,
        claim_lines.service_from_date as service_date,
        cast(null as date) as claim_received_date,
        cast(null as date) as paid_date,
        cast(null as date) as final_remit_date,
        cast(null as integer) as days_service_to_payment,
        cast(null as integer) as days_received_to_payment,
        claim_lines.line_charge_amount as billed_amount,
        0 as paid_amount,
        0 as denied_amount,
        0 as initial_denied_amount,
        claims.file_id as claim_file_id,
        claims.segment_position as claim_segment_position,
        cast(null as bigint) as remit_file_id,
        cast(null as bigint) as remit_segment_position,
        cast(null as {{ string }}) as final_remit_claim_id
    from claim_lines
    inner join claims
        on claim_lines.claim_id = claims.claim_id
    left join adjudicated_lines
        on claim_lines.claim_line_id = adjudicated_lines.claim_line_id
    where adjudicated_lines.claim_line_id is null
),

lines as (
    select * from lines_remitted
    union all
    select * from lines_not_remitted
),

final as (
    select
        ---------- ids
        cast(lines.line_id as {{ string }}) as line_id,
        cast(lines.claim_line_id as {{ string }}) as claim_line_id,
        cast(lines.claim_id as {{ string }}) as claim_id,
        cast(lines.claim_key as {{ string }}) as claim_key,
        cast(lines.claim_control_number as {{ string }}) as claim_control_number,
        cast(lines.line_control_number as {{ string }}) as line_control_number,
        cast(lines.line_number as integer) as line_number,
        cast(lines.procedure_code as {{ string }}) as procedure_code,

        ---------- payer (resolved)
        cast(lines.resolved_payer_id as {{ string }}) as resolved_payer_id,
        cast(payers.payer_name as {{ string }}) as payer_name,
        cast(coalesce(payers.payer_type, 'unknown') as {{ string }}) as payer_type,

        ---------- status
        lines.is_remitted,
        cast(lines.line_status as {{ string }}) as line_status,
        lines.is_overturned,
        lines.is_first_pass_paid,
        cast(lines.denial_category as {{ string }}) as denial_category,
        cast(lines.initial_denial_category as {{ string }}) as initial_denial_category,

        ---------- dates
        cast(lines.service_date as date) as service_date,
        cast(lines.claim_received_date as date) as claim_received_date,
        cast(lines.paid_date as date) as paid_date,
        cast(lines.final_remit_date as date) as final_remit_date,
        cast(lines.days_service_to_payment as integer) as days_service_to_payment,
        cast(lines.days_received_to_payment as integer) as days_received_to_payment,

        ---------- amounts
        cast(lines.billed_amount as decimal(18, 2)) as billed_amount,
        cast(lines.paid_amount as decimal(18, 2)) as paid_amount,
        cast(lines.denied_amount as decimal(18, 2)) as denied_amount,
        cast(lines.initial_denied_amount as decimal(18, 2)) as initial_denied_amount,

        ---------- lineage
        cast(lines.claim_file_id as bigint) as claim_file_id,
        cast(lines.claim_segment_position as bigint) as claim_segment_position,
        cast(lines.remit_file_id as bigint) as remit_file_id,
        cast(lines.remit_segment_position as bigint) as remit_segment_position,
        cast(lines.final_remit_claim_id as {{ string }}) as final_remit_claim_id
    from lines
    left join payers
        on lines.resolved_payer_id = payers.payer_id
)

select * from final
