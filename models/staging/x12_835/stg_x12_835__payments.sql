{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 835 transaction set (ST/SE): the payment (BPR, TRN), its production date and the
-- payer (1000A) and payee (1000B) names. A header segment that repeats in a malformed file is read
-- at its first occurrence, so the grain holds.
with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        transaction_control_number,
        implementation_reference,
        segment_id,
        loop_id,
        elements
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '835'
        and loop_id in ('header', '1000A', '1000B')
        {{ new_files_only() }}
),

transaction_headers as (
    select
        file_id,
        segment_position,
        transaction_seq,
        transaction_control_number,
        implementation_reference
    from segments
    where segment_id = 'ST'
),

header_segments_numbered as (
    select
        file_id,
        transaction_seq,
        segment_id,
        loop_id,
        {{ x12_element(1) }} as qualifier,
        elements,
        row_number() over (
            partition by file_id, transaction_seq, segment_id, loop_id, {{ x12_element(1) }}
            order by segment_position
        ) as occurrence
    from segments
    where
        (segment_id in ('BPR', 'TRN') and loop_id = 'header')
        or (segment_id = 'DTM' and loop_id = 'header' and {{ x12_element(1) }} = '405')
        or (segment_id = 'N1' and loop_id = '1000A' and {{ x12_element(1) }} = 'PR')
        or (segment_id = 'REF' and loop_id = '1000A' and {{ x12_element(1) }} = '2U')
        or (segment_id = 'N1' and loop_id = '1000B' and {{ x12_element(1) }} = 'PE')
),

-- first occurrence of each header segment, one column per element kept (text)
header_elements as (
    select
        file_id,
        transaction_seq,
        ---------- BPR financial information
        max(case when segment_id = 'BPR' then {{ x12_element(1) }} end) as bpr01,
        max(case when segment_id = 'BPR' then {{ x12_element(2) }} end) as bpr02,
        max(case when segment_id = 'BPR' then {{ x12_element(3) }} end) as bpr03,
        max(case when segment_id = 'BPR' then {{ x12_element(4) }} end) as bpr04,
        max(case when segment_id = 'BPR' then {{ x12_element(16) }} end) as bpr16,
        ---------- TRN reassociation trace
        max(case when segment_id = 'TRN' then {{ x12_element(2) }} end) as trn02,
        max(case when segment_id = 'TRN' then {{ x12_element(3) }} end) as trn03,
        ---------- DTM*405 production date
        max(case when segment_id = 'DTM' then {{ x12_element(2) }} end) as dtm405_02,
        ---------- 1000A payer
        max(case when segment_id = 'N1' and qualifier = 'PR' then {{ x12_element(2) }} end) as n1pr_02,
        max(case when segment_id = 'N1' and qualifier = 'PR' then {{ x12_element(3) }} end) as n1pr_03,
        max(case when segment_id = 'N1' and qualifier = 'PR' then {{ x12_element(4) }} end) as n1pr_04,
        max(case when segment_id = 'REF' then {{ x12_element(2) }} end) as ref2u_02,
        ---------- 1000B payee
        max(case when segment_id = 'N1' and qualifier = 'PE' then {{ x12_element(2) }} end) as n1pe_02,
        max(case when segment_id = 'N1' and qualifier = 'PE' then {{ x12_element(3) }} end) as n1pe_03,
        max(case when segment_id = 'N1' and qualifier = 'PE' then {{ x12_element(4) }} end) as n1pe_04
    from header_segments_numbered
    where occurrence = 1
    group by file_id, transaction_seq
),

payments as (
    select
        ---------- ids and lineage
        {{ x12_key(['transaction_headers.file_id', 'transaction_headers.transaction_seq']) }}
            as remit_transaction_id,
        transaction_headers.file_id,
        transaction_headers.segment_position,
        transaction_headers.transaction_seq,
        transaction_headers.transaction_control_number,
        transaction_headers.implementation_reference,
        ---------- payment (BPR)
        header_elements.bpr01 as transaction_handling_code,
        {{ x12_amount('header_elements.bpr02') }} as total_paid_amount,
        header_elements.bpr03 as credit_debit_flag_code,
        header_elements.bpr04 as payment_method_code,
        {{ x12_date('header_elements.bpr16') }} as payment_date,
        ---------- trace (TRN)
        header_elements.trn02 as trace_number,
        header_elements.trn03 as trace_payer_id,
        ---------- dates
        {{ x12_date('header_elements.dtm405_02') }} as production_date,
        ---------- payer (1000A)
        header_elements.n1pr_02 as payer_name,
        header_elements.n1pr_03 as payer_id_qualifier,
        header_elements.n1pr_04 as payer_id,
        header_elements.ref2u_02 as payer_additional_id,
        ---------- payee (1000B)
        header_elements.n1pe_02 as payee_name,
        header_elements.n1pe_03 as payee_id_qualifier,
        header_elements.n1pe_04 as payee_id
    from transaction_headers
    left join header_elements
        on
            transaction_headers.file_id = header_elements.file_id
            and transaction_headers.transaction_seq = header_elements.transaction_seq
)

select * from payments
