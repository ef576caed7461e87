{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per remark code: line level from LQ (loop 2110, one code per segment) and claim level from
-- MOA03-07 and MIA05, MIA20-23 (loop 2100, up to five codes per segment). Each segment is read once
-- and crossed with the ordinals 1-5; empty remark elements are dropped.
with

segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_id,
        elements
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '835'
        and claim_seq is not null
        and (
            (segment_id = 'LQ' and loop_id = '2110')
            or (segment_id in ('MOA', 'MIA') and loop_id = '2100')
        )
        {{ new_files_only() }}
),

remark_ordinals as (
    {{ dbt.generate_series(5) }}
),

-- the element each ordinal reads: LQ02; MOA03-07; MIA05 then MIA20-23
remark_elements as (
    select
        segments.file_id,
        segments.segment_position,
        segments.transaction_seq,
        segments.claim_seq,
        segments.line_seq,
        segments.segment_id,
        segments.elements,
        remark_ordinals.generated_number as remark_ordinal,
        case
            when segments.segment_id = 'LQ' then 2
            when segments.segment_id = 'MOA' then remark_ordinals.generated_number + 2
            when remark_ordinals.generated_number = 1 then 5
            else remark_ordinals.generated_number + 18
        end as element_position
    from segments
    cross join remark_ordinals
    where segments.segment_id <> 'LQ' or remark_ordinals.generated_number = 1
),

remark_codes as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_id,
        remark_ordinal,
        element_position,
        case when segment_id = 'LQ' then {{ x12_element(1) }} end as lq01,
        {{ x12_element('element_position') }} as remark_code
    from remark_elements
),

remarks as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'segment_position', 'remark_ordinal']) }} as remit_remark_id,
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
        ---------- remark
        segment_id as remark_source,
        case when segment_id = 'LQ' then 'line' else 'claim' end as remark_level,
        remark_ordinal,
        element_position,
        -- MOA and MIA remark elements are RARCs by definition (code source 411, as LQ01 = HE)
        case when segment_id = 'LQ' then lq01 else 'HE' end as remark_code_qualifier,
        remark_code
    from remark_codes
    where remark_code is not null
)

select * from remarks
