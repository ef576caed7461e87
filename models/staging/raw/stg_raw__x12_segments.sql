{{
    config(
        materialized='view'
    )
}}

-- Segments of loaded files with the envelope facts every entity model needs (transaction type,
-- component separator actually used). Rejected, duplicate and unsupported files never reach here.
with

loaded_files as (
    select file_id
    from {{ source('raw', 'file_registry') }}
    where status = 'loaded'
),

segments as (
    select * from {{ source('raw', 'x12_segments') }}
),

interchanges as (
    select
        file_id,
        interchange_seq,
        coalesce(component_separator_observed, component_separator) as component_separator,
        repetition_separator
    from {{ source('raw', 'x12_interchanges') }}
),

transactions as (
    select
        file_id,
        transaction_seq,
        transaction_set_id,
        control_number as transaction_control_number,
        implementation_reference
    from {{ source('raw', 'x12_transactions') }}
),

joined as (
    select
        segments.file_id,
        segments.segment_position,
        segments.interchange_seq,
        segments.group_seq,
        segments.transaction_seq,
        transactions.transaction_set_id,
        transactions.transaction_control_number,
        transactions.implementation_reference,
        segments.segment_id,
        segments.segment_code,
        segments.elements,
        segments.loop_id,
        segments.hl_id,
        segments.hl_position,
        segments.claim_seq,
        segments.line_seq,
        interchanges.component_separator,
        interchanges.repetition_separator
    from segments
    inner join loaded_files
        on segments.file_id = loaded_files.file_id
    inner join interchanges
        on
            segments.file_id = interchanges.file_id
            and segments.interchange_seq = interchanges.interchange_seq
    inner join transactions
        on
            segments.file_id = transactions.file_id
            and segments.transaction_seq = transactions.transaction_seq
)

select * from joined
