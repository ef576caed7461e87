{{ config(**partitioned_by('claim_id', 'claim_id')) }}

-- One row per pair of an 837 service line and a remit service line (SVC) that the fallback matches: within
-- a claim pair of int_claims_matched_to_remits, the lines neither side matched by REF*6R
-- (int_line_control_number_matches) pair on procedure + modifiers + service date + units. The 835 side
-- reads the submitted procedure and modifiers (SVC06) and units (SVC07) when the payer sent them, else
-- SVC01 and SVC05 (absolute values, so reversal lines pair too), and its date from DTM*472/150, else the
-- claim's DTM*232. Identical lines pair one to one in line order.
-- A step of int_service_lines_matched (match_method = 'fallback'); partitioned by the 837 claim_id (a claim
-- pair is within one CLM01 = CLP01).

with

claim_lines as (
    select
        claim_line_id,
        claim_id,
        line_seq,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        service_from_date,
        service_unit_count
    from {{ ref('stg_x12_837__service_lines') }}
    {{ affected_only('claim_id', 'claim_id') }}
),

remit_claims as (
    select
        remit_claim_id,
        statement_from_date
    from {{ ref('stg_x12_835__claims') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

remit_lines as (
    select
        remit_line_id,
        remit_claim_id,
        line_seq,
        procedure_code,
        procedure_modifier_1,
        procedure_modifier_2,
        procedure_modifier_3,
        procedure_modifier_4,
        original_procedure_code,
        original_procedure_modifier_1,
        original_procedure_modifier_2,
        original_procedure_modifier_3,
        original_procedure_modifier_4,
        service_date,
        service_from_date,
        units_paid,
        original_units
    from {{ ref('stg_x12_835__service_lines') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

claim_pairs as {{ read_in_place() }} (
    select
        claim_id,
        remit_claim_id
    from {{ ref('int_claims_matched_to_remits') }}
    where match_method != 'unmatched' {{ affected_only('claim_control_number', 'pcn', 'and') }}
),

control_number_matches as {{ read_in_place() }} (
    select
        claim_line_id,
        remit_line_id,
        remit_claim_id
    from {{ ref('int_line_control_number_matches') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

---------- the lines REF*6R left alone, within each claim pair
remit_lines_fallback_keyed as (
    select
        remit_lines.remit_line_id,
        remit_lines.remit_claim_id,
        remit_lines.line_seq,
        coalesce(remit_lines.original_procedure_code, remit_lines.procedure_code) as procedure_code,
        case
            when remit_lines.original_procedure_code is not null
                then {{ procedure_modifier_list('remit_lines.original_') }}
            else {{ procedure_modifier_list('remit_lines.') }}
        end as modifier_list,
        coalesce(remit_lines.service_date, remit_lines.service_from_date, remit_claims.statement_from_date)
            as service_date,
        abs(coalesce(remit_lines.original_units, remit_lines.units_paid)) as unit_count
    from remit_lines
    left join remit_claims
        on remit_lines.remit_claim_id = remit_claims.remit_claim_id
),

fallback_claim_lines as (
    select
        claim_pairs.remit_claim_id,
        claim_lines.claim_id,
        claim_lines.claim_line_id,
        claim_lines.procedure_code,
        {{ procedure_modifier_list('claim_lines.') }} as modifier_list,
        claim_lines.service_from_date as service_date,
        abs(claim_lines.service_unit_count) as unit_count,
        claim_lines.line_seq
    from claim_pairs
    inner join claim_lines
        on claim_pairs.claim_id = claim_lines.claim_id
    left join control_number_matches
        on
            claim_lines.claim_line_id = control_number_matches.claim_line_id
            and claim_pairs.remit_claim_id = control_number_matches.remit_claim_id
    where control_number_matches.claim_line_id is null
),

fallback_remit_lines as (
    select
        claim_pairs.claim_id,
        remit_lines_fallback_keyed.remit_claim_id,
        remit_lines_fallback_keyed.remit_line_id,
        remit_lines_fallback_keyed.procedure_code,
        remit_lines_fallback_keyed.modifier_list,
        remit_lines_fallback_keyed.service_date,
        remit_lines_fallback_keyed.unit_count,
        remit_lines_fallback_keyed.line_seq
    from claim_pairs
    inner join remit_lines_fallback_keyed
        on claim_pairs.remit_claim_id = remit_lines_fallback_keyed.remit_claim_id
    left join control_number_matches
        on remit_lines_fallback_keyed.remit_line_id = control_number_matches.remit_line_id
    where control_number_matches.remit_line_id is null
),

fallback_claim_lines_ranked as (
    select
        remit_claim_id,
        claim_id,
        claim_line_id,
        procedure_code,
        modifier_list,
        service_date,
        unit_count,
        row_number() over (
            partition by remit_claim_id, claim_id, procedure_code, modifier_list, service_date, unit_count
            order by line_seq
        ) as twin_rank
    from fallback_claim_lines
),

fallback_remit_lines_ranked as (
    select
        remit_claim_id,
        claim_id,
        remit_line_id,
        procedure_code,
        modifier_list,
        service_date,
        unit_count,
        row_number() over (
            partition by remit_claim_id, claim_id, procedure_code, modifier_list, service_date, unit_count
            order by line_seq
        ) as twin_rank
    from fallback_remit_lines
),

fallback_matches as (
    select
        fallback_claim_lines_ranked.claim_line_id,
        fallback_claim_lines_ranked.claim_id,
        fallback_remit_lines_ranked.remit_line_id,
        fallback_remit_lines_ranked.remit_claim_id
    from fallback_claim_lines_ranked
    inner join fallback_remit_lines_ranked
        on
            fallback_claim_lines_ranked.remit_claim_id = fallback_remit_lines_ranked.remit_claim_id
            and fallback_claim_lines_ranked.claim_id = fallback_remit_lines_ranked.claim_id
            and fallback_claim_lines_ranked.procedure_code = fallback_remit_lines_ranked.procedure_code
            and fallback_claim_lines_ranked.modifier_list = fallback_remit_lines_ranked.modifier_list
            and fallback_claim_lines_ranked.service_date = fallback_remit_lines_ranked.service_date
            and fallback_claim_lines_ranked.unit_count = fallback_remit_lines_ranked.unit_count
            and fallback_claim_lines_ranked.twin_rank = fallback_remit_lines_ranked.twin_rank
),

final as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id
    from fallback_matches
)

select * from final
