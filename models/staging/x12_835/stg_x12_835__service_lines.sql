{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 835 service line payment (SVC, loop 2110) with its dates, line control number,
-- line prior authorization and allowed amount. A line-level segment that repeats with the same
-- qualifier is read at its first occurrence.
{%- set first_of = "case when segment_id = '%s' and qualifier = '%s' then segment_position end" %}

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_id,
        elements,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '835'
        and loop_id = '2110'
        and line_seq is not null
        {{ new_files_only() }}
),

-- the SVC segment renamed and typed; composites split on the interchange's component separator
service_payments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        line_seq,
        ---------- adjudicated procedure (SVC01 composite)
        {{ x12_component(x12_element(1), 'component_separator', 1) }} as procedure_code_qualifier,
        {{ x12_component(x12_element(1), 'component_separator', 2) }} as procedure_code,
        {{ x12_component(x12_element(1), 'component_separator', 3) }} as procedure_modifier_1,
        {{ x12_component(x12_element(1), 'component_separator', 4) }} as procedure_modifier_2,
        {{ x12_component(x12_element(1), 'component_separator', 5) }} as procedure_modifier_3,
        {{ x12_component(x12_element(1), 'component_separator', 6) }} as procedure_modifier_4,
        ---------- amounts and units (SVC02-05, SVC07)
        {{ x12_amount(x12_element(2)) }} as line_charge_amount,
        {{ x12_amount(x12_element(3)) }} as line_paid_amount,
        {{ x12_element(4) }} as revenue_code,
        -- the guide: SVC05 is sent only when the units paid are not 1
        coalesce({{ x12_quantity(x12_element(5)) }}, 1) as units_paid,
        {{ x12_quantity(x12_element(7)) }} as original_units,
        ---------- submitted procedure when the payer changed it (SVC06 composite)
        {{ x12_component(x12_element(6), 'component_separator', 1) }} as original_procedure_code_qualifier,
        {{ x12_component(x12_element(6), 'component_separator', 2) }} as original_procedure_code,
        {{ x12_component(x12_element(6), 'component_separator', 3) }} as original_procedure_modifier_1,
        {{ x12_component(x12_element(6), 'component_separator', 4) }} as original_procedure_modifier_2,
        {{ x12_component(x12_element(6), 'component_separator', 5) }} as original_procedure_modifier_3,
        {{ x12_component(x12_element(6), 'component_separator', 6) }} as original_procedure_modifier_4
    from segments
    where segment_id = 'SVC'
),

-- line-level segments that may carry a kept element. Only segment ids are filtered here: a filter on an
-- element would be evaluated on the split text of every segment row, once per condition.
line_segments as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        segment_id,
        segment_position,
        {{ x12_element(1) }} as qualifier,
        {{ x12_element(2) }} as element_02
    from segments
    where segment_id in ('DTM', 'REF', 'AMT')
),

-- the first occurrence of each segment and qualifier of a line, one column per element kept (text)
line_elements as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        line_seq,
        ---------- dates (DTM)
        {{ first_by_position('element_02', first_of | format('DTM', '472')) }} as dtm472_02,
        {{ first_by_position('element_02', first_of | format('DTM', '150')) }} as dtm150_02,
        {{ first_by_position('element_02', first_of | format('DTM', '151')) }} as dtm151_02,
        ---------- references (REF)
        {{ first_by_position('element_02', first_of | format('REF', '6R')) }} as ref6r_02,
        {{ first_by_position('element_02', first_of | format('REF', 'G1')) }} as refg1_02,
        ---------- amounts (AMT)
        {{ first_by_position('element_02', first_of | format('AMT', 'B6')) }} as amtb6_02
    from line_segments
    group by file_id, transaction_seq, claim_seq, line_seq
),

service_lines as (
    select
        ---------- ids and lineage
        {{ x12_key(['service_payments.file_id', 'service_payments.transaction_seq',
                    'service_payments.claim_seq', 'service_payments.line_seq']) }} as remit_line_id,
        {{ x12_key(['service_payments.file_id', 'service_payments.transaction_seq',
                    'service_payments.claim_seq']) }} as remit_claim_id,
        {{ x12_key(['service_payments.file_id', 'service_payments.transaction_seq']) }} as remit_transaction_id,
        service_payments.file_id,
        service_payments.segment_position,
        service_payments.transaction_seq,
        service_payments.claim_seq,
        service_payments.line_seq,
        ---------- adjudicated procedure (SVC01)
        service_payments.procedure_code_qualifier,
        service_payments.procedure_code,
        service_payments.procedure_modifier_1,
        service_payments.procedure_modifier_2,
        service_payments.procedure_modifier_3,
        service_payments.procedure_modifier_4,
        ---------- amounts and units (SVC02-05, SVC07)
        service_payments.line_charge_amount,
        service_payments.line_paid_amount,
        service_payments.revenue_code,
        service_payments.units_paid,
        service_payments.original_units,
        ---------- submitted procedure (SVC06)
        service_payments.original_procedure_code_qualifier,
        service_payments.original_procedure_code,
        service_payments.original_procedure_modifier_1,
        service_payments.original_procedure_modifier_2,
        service_payments.original_procedure_modifier_3,
        service_payments.original_procedure_modifier_4,
        ---------- dates (DTM)
        {{ x12_date('line_elements.dtm472_02') }} as service_date,
        {{ x12_date('line_elements.dtm150_02') }} as service_from_date,
        {{ x12_date('line_elements.dtm151_02') }} as service_to_date,
        ---------- references (REF)
        line_elements.ref6r_02 as line_control_number,
        line_elements.refg1_02 as prior_authorization_number,
        ---------- amounts (AMT)
        {{ x12_amount('line_elements.amtb6_02') }} as allowed_amount
    from service_payments
    left join line_elements
        on
            service_payments.file_id = line_elements.file_id
            and service_payments.transaction_seq = line_elements.transaction_seq
            and service_payments.claim_seq = line_elements.claim_seq
            and service_payments.line_seq = line_elements.line_seq
)

select * from service_lines
