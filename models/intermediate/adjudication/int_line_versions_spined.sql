{{ config(**partitioned_by('patient_control_number', pre_hook=keep_join_sides_as_written(),
                           post_hook=["{{ reset_join_sides() }}"])) }}

-- One row per adjudicated line and remit version that adjudicated it (line x remit version spine): an 837
-- line with each remit version matched to it, an 835 line no 837 line matched, or an 835 claim with
-- neither service lines nor an 837 claim (one pseudo-line for the claim). adjudicated_line_id is the line's
-- key across the versions of its reversal chain, as text: the 837 claim_line_id as the marts show it
-- (file:transaction:claim:line), else chain_key|REF*6R (or |#line_seq) of the remit line, or chain_key|claim
-- for the pseudo-line.
-- Each row carries the version's flags (int_remit_claim_versions), the line's signed charge in this version
-- (a reversal's is negative), what the remit line paid and allowed, and what the 837 line (else the remit
-- line) says about the service: code, modifiers, date, units and charge.
-- Table: the allocation, adjustment and valuation steps all read it.

with

service_line_matches as (
    select
        claim_line_id,
        claim_id,
        remit_line_id,
        remit_claim_id,
        match_method,
        line_control_number
    from {{ ref('int_service_lines_matched') }}
    where remit_claim_id is not null {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

claim_matches as (
    select
        claim_id,
        remit_claim_id
    from {{ ref('int_claims_matched_to_remits') }}
    where remit_claim_id is not null {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

remit_versions as (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        payer_id,
        patient_control_number,
        chain_key,
        claim_key_sequence,
        remit_date,
        is_reversal,
        is_reversed,
        is_final,
        claim_charge_amount,
        claim_paid_amount
    from {{ ref('int_remit_claim_versions') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

remit_claims as (
    select
        remit_claim_id,
        claim_received_date,
        statement_from_date
    from {{ ref('stg_x12_835__claims') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

remit_lines as {{ read_in_place() }} (
    select
        remit_line_id,
        remit_claim_id,
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
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
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
    {{ affected_only('claim_id', 'claim_id') }}
),

---------- remit claims without SVC and without an 837 claim: one pseudo-line for the claim
remit_claims_with_lines as (
    select distinct remit_claim_id
    from remit_lines
),

lone_remit_claims as (
    select
        cast(null as {{ x12_key_type() }}) as claim_line_id,
        cast(null as {{ x12_key_type() }}) as claim_id,
        cast(null as {{ x12_key_type() }}) as remit_line_id,
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

line_version_pairs as (
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

line_versions as (
    select
        ---------- keys
        coalesce(
            {{ x12_key_label('line_version_pairs.claim_line_id', 4) }},
            {{ dbt.concat([
                "remit_versions.chain_key", "'|'",
                "coalesce(line_version_pairs.line_control_number, "
                ~ dbt.concat(["'#'", dbt.safe_cast("remit_lines.line_seq", api.Column.translate_type("string"))])
                ~ ", 'claim')"
            ]) }}
        ) as adjudicated_line_id,
        line_version_pairs.claim_line_id,
        line_version_pairs.claim_id,
        line_version_pairs.remit_line_id,
        line_version_pairs.remit_claim_id,
        line_version_pairs.match_method,
        line_version_pairs.line_control_number,

        ---------- remit version
        remit_versions.remit_transaction_id,
        remit_versions.payer_id as remit_payer_id,
        remit_versions.patient_control_number,
        remit_versions.chain_key,
        remit_versions.claim_key_sequence,
        remit_versions.remit_date,
        remit_claims.claim_received_date,
        remit_versions.is_reversal,
        remit_versions.is_final,
        remit_versions.is_final or remit_versions.is_reversal or remit_versions.is_reversed as is_standing,
        case
            when line_version_pairs.remit_line_id is not null then 'line'
            when line_version_pairs.claim_line_id is not null then 'claim_to_837_lines'
            else 'claim'
        end as version_line_source,

        ---------- the service (the 837 line when there is one, else the remit line)
        coalesce(claim_lines.line_seq, remit_lines.line_seq, 1) as line_order,
        coalesce(claim_lines.line_seq, remit_lines.line_seq) as line_number,
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
        coalesce(claim_lines.service_unit_count, remit_lines.original_units, remit_lines.units_paid)
            as units_billed,

        ---------- amounts of this version (a reversal's are negative)
        case
            when line_version_pairs.remit_line_id is not null then remit_lines.line_charge_amount
            when line_version_pairs.claim_line_id is not null
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
        claim_lines.line_charge_amount as claim_line_charge_amount,

        ---------- lineage
        remit_lines.segment_position as remit_line_segment_position,
        remit_versions.segment_position as remit_claim_segment_position,
        coalesce(remit_lines.file_id, remit_versions.file_id) as remit_file_id,
        claim_lines.file_id as claim_file_id,
        claim_lines.segment_position as claim_segment_position
    from line_version_pairs
    inner join remit_versions
        on line_version_pairs.remit_claim_id = remit_versions.remit_claim_id
    left join remit_claims
        on line_version_pairs.remit_claim_id = remit_claims.remit_claim_id
    left join remit_lines
        on line_version_pairs.remit_line_id = remit_lines.remit_line_id
    left join claim_lines
        on line_version_pairs.claim_line_id = claim_lines.claim_line_id
)

select * from line_versions
