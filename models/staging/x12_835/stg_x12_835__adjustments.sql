{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per CAS reason/amount/quantity triplet, at claim level (loop 2100) and at line level
-- (loop 2110). A CAS holds up to six triplets (CAS02-04, 05-07, ... 17-19): each CAS row is read once
-- and crossed with the ordinals 1-6; triplets without a reason code are not sent and are dropped.
with

segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        elements
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '835'
        and {{ x12_segment_is('CAS') }}
        and loop_id in ('2100', '2110')
        and claim_seq is not null
        {{ new_files_only() }}
),

triplet_ordinals as (
    {{ dbt.generate_series(6) }}
),

adjustment_triplets as (
    select
        segments.file_id,
        segments.segment_position,
        segments.transaction_seq,
        segments.claim_seq,
        segments.line_seq,
        triplet_ordinals.generated_number as triplet_ordinal,
        {{ x12_element(1, 'segments.elements') }} as cas01,
        {{ x12_element('3 * triplet_ordinals.generated_number - 1', 'segments.elements') }} as reason_code,
        {{ x12_element('3 * triplet_ordinals.generated_number', 'segments.elements') }} as amount,
        {{ x12_element('3 * triplet_ordinals.generated_number + 1', 'segments.elements') }} as quantity
    from segments
    cross join triplet_ordinals
),

adjustments as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'segment_position', 'triplet_ordinal']) }} as remit_adjustment_id,
        case
            when line_seq is not null
                then {{ x12_key(['file_id', 'transaction_seq', 'claim_seq', 'line_seq']) }}
        end as remit_line_id,
        {{ x12_key(['file_id', 'transaction_seq', 'claim_seq']) }} as remit_claim_id,
        {{ x12_key(['file_id', 'transaction_seq']) }} as remit_transaction_id,
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        ---------- adjustment (CAS)
        case when line_seq is null then 'claim' else 'line' end as adjustment_level,
        cas01 as adjustment_group_code,
        triplet_ordinal,
        reason_code as carc_code,
        {{ x12_amount('amount') }} as adjustment_amount,
        {{ x12_quantity('quantity') }} as adjustment_quantity
    from adjustment_triplets
    where reason_code is not null
)

select * from adjustments
