{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 claim and party named in an NM1 that identifies a provider or a payer: billing,
-- pay-to and payee (billing provider level), payer (subscriber level), the claim's own providers
-- (loop 2310) and other payers (loop 2330). Subscribers, patients and their ids are never read; person
-- names are dropped, organisation names kept. A level's parties repeat on every claim under it.
-- Line-level providers (loop 2420) are not included. Level parties reach their level through the
-- position of its HL, which the loader's loop context gives every segment; claims name their levels the
-- same way (stg_x12_837__hierarchical_levels).

with

segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        segment_id,
        elements,
        loop_id,
        hl_position,
        claim_seq
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and {{ x12_segment_is('NM1') }}
        {{ new_files_only() }}
),

claims as {{ read_in_place() }} (
    select
        claim_id,
        file_id,
        transaction_seq,
        claim_seq,
        subscriber_hl_segment_position,
        billing_provider_hl_segment_position
    from {{ ref('stg_x12_837__claims') }}
    where
        claim_id is not null
        {{ new_files_only() }}
),

names as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        loop_id,
        hl_position,
        claim_seq,
        elements,
        case
            when loop_id = '2330' then case when {{ x12_element(1) }} = 'PR' then 'other_payer' end
            when loop_id = '2000B' then case when {{ x12_element(1) }} = 'PR' then 'payer' end
            when loop_id = '2000A'
                then
                    case {{ x12_element(1) }}
                        when '85' then 'billing_provider'
                        when '87' then 'pay_to_provider'
                        when 'PE' then 'payee'
                    end
            when loop_id = '2310' then
                case {{ x12_element(1) }}
                    when '82' then 'rendering_provider'
                    when '77' then 'service_facility'
                    when 'FA' then 'facility'
                    when 'DN' then 'referring_provider'
                    when 'P3' then 'primary_care_provider'
                    when 'DQ' then 'supervising_provider'
                    when 'DK' then 'ordering_provider'
                    when '71' then 'attending_provider'
                    when '72' then 'operating_provider'
                    when 'ZZ' then 'other_operating_provider'
                    when '73' then 'other_provider'
                    when 'QB' then 'purchased_service_provider'
                end
        end as party_role
    from segments
    where segment_id = 'NM1'
),

level_names as (
    select
        file_id,
        segment_position,
        transaction_seq,
        loop_id,
        party_role,
        elements,
        hl_position as hl_segment_position
    from names
    where
        loop_id in ('2000A', '2000B')
        and party_role is not null
),

claim_parties as (
    -- billing provider level parties, on every claim under that level
    select
        claims.claim_id,
        claims.claim_seq,
        level_names.file_id,
        level_names.segment_position,
        level_names.transaction_seq,
        level_names.loop_id,
        level_names.party_role,
        level_names.elements
    from claims
    inner join level_names
        on
            claims.file_id = level_names.file_id
            and claims.transaction_seq = level_names.transaction_seq
            and claims.billing_provider_hl_segment_position = level_names.hl_segment_position
            and level_names.loop_id = '2000A'

    union all

    -- subscriber level parties (the payer), on every claim under that level
    select
        claims.claim_id,
        claims.claim_seq,
        level_names.file_id,
        level_names.segment_position,
        level_names.transaction_seq,
        level_names.loop_id,
        level_names.party_role,
        level_names.elements
    from claims
    inner join level_names
        on
            claims.file_id = level_names.file_id
            and claims.transaction_seq = level_names.transaction_seq
            and claims.subscriber_hl_segment_position = level_names.hl_segment_position
            and level_names.loop_id = '2000B'

    union all

    -- the claim's own providers and other payers
    select
        claims.claim_id,
        claims.claim_seq,
        names.file_id,
        names.segment_position,
        names.transaction_seq,
        names.loop_id,
        names.party_role,
        names.elements
    from claims
    inner join names
        on
            claims.file_id = names.file_id
            and claims.transaction_seq = names.transaction_seq
            and claims.claim_seq = names.claim_seq
    where
        names.loop_id in ('2310', '2330')
        and names.party_role is not null
),

renamed as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'transaction_seq', 'claim_seq', 'segment_position']) }} as claim_provider_id,
        claim_id,
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        loop_id,

        ---------- party (NM1)
        party_role,
        {{ x12_element(1) }} as entity_identifier_code,
        {{ x12_element(2) }} as entity_type_qualifier,
        case when {{ x12_element(2) }} = '2' then {{ x12_element(3) }} end as organization_name,
        {{ x12_element(8) }} as identification_code_qualifier,
        -- person identifiers (SSN 34, member id MI, individual health id II) are never kept
        case
            when {{ x12_element(8) }} not in ('34', 'MI', 'II') then {{ x12_element(9) }}
        end as identification_code,
        case when {{ x12_element(8) }} = 'XX' then {{ x12_element(9) }} end as npi
    from claim_parties
)

select * from renamed
