{{ config(**partitioned_by('claim_control_number')) }}

-- One row per pair of an 837 service line and an 835 service line (SVC) that share the patient control
-- number (837 CLM01 = 835 CLP01) and the line item control number (REF*6R). Every version of a remit
-- chain echoes the line's REF*6R, so an 837 line pairs with its line in each version (original, reversal,
-- correction). Requiring CLM01 as well keeps providers that number lines 1, 2, 3... in REF*6R from pairing
-- lines of different claims. Payer ids are not compared: the 835 names the payer its own way; when one
-- CLM01 went to several payers (COB) int_remit_chains_paired breaks the tie on the resolved payer key.
-- The first step of int_claims_matched_to_remits and int_service_lines_matched; partitioned by CLM01 = CLP01.

with

claims as (
    select
        claim_id,
        claim_control_number,
        payer_id
    from {{ ref('stg_x12_837__claims') }}
    {{ affected_only('claim_control_number', 'pcn') }}
),

claim_lines as (
    select
        claim_line_id,
        claim_id,
        line_control_number
    from {{ ref('stg_x12_837__service_lines') }}
    where line_control_number is not null {{ affected_only('claim_id', 'claim_id', 'and') }}
),

remit_versions as (
    select
        remit_claim_id,
        payer_id,
        patient_control_number,
        chain_key
    from {{ ref('int_remit_claim_versions') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

remit_lines as (
    select
        remit_line_id,
        remit_claim_id,
        line_control_number
    from {{ ref('stg_x12_835__service_lines') }}
    where line_control_number is not null {{ affected_only('remit_claim_id', 'remit_claim_id', 'and') }}
),

claim_lines_keyed as (
    select
        claim_lines.claim_line_id,
        claim_lines.claim_id,
        claims.payer_id,
        claims.claim_control_number,
        claim_lines.line_control_number
    from claim_lines
    inner join claims
        on claim_lines.claim_id = claims.claim_id
),

remit_lines_keyed as (
    select
        remit_lines.remit_line_id,
        remit_lines.remit_claim_id,
        remit_versions.chain_key,
        remit_versions.payer_id,
        remit_versions.patient_control_number,
        remit_lines.line_control_number
    from remit_lines
    inner join remit_versions
        on remit_lines.remit_claim_id = remit_versions.remit_claim_id
),

matches as (
    select
        claim_lines_keyed.claim_line_id,
        claim_lines_keyed.claim_id,
        remit_lines_keyed.remit_line_id,
        remit_lines_keyed.remit_claim_id,
        remit_lines_keyed.chain_key,
        claim_lines_keyed.payer_id,
        claim_lines_keyed.claim_control_number,
        claim_lines_keyed.line_control_number
    from claim_lines_keyed
    inner join remit_lines_keyed
        on
            claim_lines_keyed.claim_control_number = remit_lines_keyed.patient_control_number
            and claim_lines_keyed.line_control_number = remit_lines_keyed.line_control_number
)

select * from matches
