{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per LIN (loop 2410, drug identification) of an 837 service line, with the CTP quantity
-- that follows it. A CTP belongs to the nearest LIN before it on the same line. The prescription
-- or compound REF (VY/XZ) of the loop is not kept.

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        segment_id,
        elements,
        claim_seq,
        line_seq,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        and loop_id = '2410'
        and line_seq is not null
        and segment_id in ('LIN', 'CTP')
        {{ new_files_only() }}
),

drug_segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        elements,
        row_number() over (
            partition by file_id, transaction_seq, claim_seq, line_seq
            order by segment_position
        ) as drug_seq,
        lead(segment_position) over (
            partition by file_id, transaction_seq, claim_seq, line_seq
            order by segment_position
        ) as next_drug_segment_position
    from segments
    where segment_id = 'LIN'
),

price_segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        {{ x12_element(4) }} as quantity_text,
        {{ x12_component(x12_element(5), 'component_separator', 1) }} as unit_code
    from segments
    where segment_id = 'CTP'
),

first_prices as (
    select
        drug_segments.file_id,
        drug_segments.segment_position,
        price_segments.quantity_text,
        price_segments.unit_code,
        row_number() over (
            partition by drug_segments.file_id, drug_segments.segment_position
            order by price_segments.segment_position
        ) as occurrence
    from drug_segments
    inner join price_segments
        on
            drug_segments.file_id = price_segments.file_id
            and drug_segments.transaction_seq = price_segments.transaction_seq
            and drug_segments.claim_seq = price_segments.claim_seq
            and drug_segments.line_seq = price_segments.line_seq
            and drug_segments.segment_position < price_segments.segment_position
            and (
                drug_segments.next_drug_segment_position is null
                or drug_segments.next_drug_segment_position > price_segments.segment_position
            )
),

renamed as (
    select
        ---------- ids and lineage
        {{ x12_key(['drug_segments.file_id', 'drug_segments.segment_position']) }} as drug_identification_id,
        {{ x12_key([
            'drug_segments.file_id', 'drug_segments.transaction_seq', 'drug_segments.claim_seq',
            'drug_segments.line_seq'
        ]) }} as claim_line_id,
        {{ x12_key(['drug_segments.file_id', 'drug_segments.transaction_seq', 'drug_segments.claim_seq']) }}
            as claim_id,
        drug_segments.file_id,
        drug_segments.segment_position,
        drug_segments.transaction_seq,
        drug_segments.claim_seq,
        drug_segments.line_seq,
        drug_segments.drug_seq,

        ---------- product (LIN)
        {{ x12_element(2, 'drug_segments.elements') }} as product_id_qualifier,
        {{ x12_element(3, 'drug_segments.elements') }} as product_id,
        case
            when {{ x12_element(2, 'drug_segments.elements') }} = 'N4'
                then replace(trim({{ x12_element(3, 'drug_segments.elements') }}), '-', '')
        end as ndc,

        ---------- quantity (CTP)
        {{ x12_quantity('first_prices.quantity_text') }} as ndc_quantity,
        first_prices.unit_code as ndc_unit_code
    from drug_segments
    left join first_prices
        on
            drug_segments.file_id = first_prices.file_id
            and drug_segments.segment_position = first_prices.segment_position
            and first_prices.occurrence = 1
)

select * from renamed
