{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 835 claim payment (CLP, loop 2100) with the claim-level dates, references and
-- MOA/MIA amounts. Patient and insured names and member ids (NM1) are PHI and are not read.
-- A claim-level segment that repeats with the same qualifier is read at its first occurrence.
{%- set first_of = "case when segment_id = '%s' and element_01 = '%s' then segment_position end" %}
{%- set first_moa = "case when segment_id = 'MOA' then segment_position end" %}
{%- set first_mia = "case when segment_id = 'MIA' then segment_position end" %}

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        segment_id,
        elements
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '835'
        and loop_id = '2100'
        and claim_seq is not null
        {{ new_files_only() }}
),

claim_payments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        claim_seq,
        elements
    from segments
    where segment_id = 'CLP'
),

-- claim-level segments that may carry a kept element. Only segment ids are filtered here: a filter on an
-- element would be evaluated on the split text of every segment row, once per condition.
claim_segments as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        segment_id,
        segment_position,
        {{ x12_element(1) }} as element_01,
        {{ x12_element(2) }} as element_02,
        {{ x12_element(4) }} as element_04,
        {{ x12_element(8) }} as element_08
    from segments
    where segment_id in ('DTM', 'REF', 'MOA', 'MIA')
),

-- first occurrence of each claim-level segment (and qualifier), one column per element kept (text)
claim_elements as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        ---------- dates (DTM)
        {{ first_by_position('element_02', first_of | format('DTM', '050')) }} as dtm050_02,
        {{ first_by_position('element_02', first_of | format('DTM', '232')) }} as dtm232_02,
        {{ first_by_position('element_02', first_of | format('DTM', '233')) }} as dtm233_02,
        {{ first_by_position('element_02', first_of | format('DTM', '036')) }} as dtm036_02,
        ---------- references (REF)
        {{ first_by_position('element_02', first_of | format('REF', 'G1')) }} as refg1_02,
        {{ first_by_position('element_02', first_of | format('REF', 'F8')) }} as reff8_02,
        ---------- outpatient adjudication (MOA)
        {{ first_by_position('element_01', first_moa) }} as moa01,
        {{ first_by_position('element_02', first_moa) }} as moa02,
        {{ first_by_position('element_08', first_moa) }} as moa08,
        ---------- inpatient adjudication (MIA)
        {{ first_by_position('element_01', first_mia) }} as mia01,
        {{ first_by_position('element_04', first_mia) }} as mia04
    from claim_segments
    group by file_id, transaction_seq, claim_seq
),

claims as (
    select
        ---------- ids and lineage
        {{ x12_key(['claim_payments.file_id', 'claim_payments.transaction_seq',
                    'claim_payments.claim_seq']) }} as remit_claim_id,
        {{ x12_key(['claim_payments.file_id', 'claim_payments.transaction_seq']) }} as remit_transaction_id,
        claim_payments.file_id,
        claim_payments.segment_position,
        claim_payments.transaction_seq,
        claim_payments.claim_seq,
        ---------- claim payment (CLP)
        {{ x12_element(1, 'claim_payments.elements') }} as patient_control_number,
        {{ x12_element(2, 'claim_payments.elements') }} as claim_status_code,
        {{ x12_amount(x12_element(3, 'claim_payments.elements')) }} as claim_charge_amount,
        {{ x12_amount(x12_element(4, 'claim_payments.elements')) }} as claim_paid_amount,
        {{ x12_amount(x12_element(5, 'claim_payments.elements')) }} as patient_responsibility_amount,
        {{ x12_element(6, 'claim_payments.elements') }} as claim_filing_indicator_code,
        {{ x12_element(7, 'claim_payments.elements') }} as payer_claim_control_number,
        {{ x12_element(8, 'claim_payments.elements') }} as facility_type_code,
        {{ x12_element(9, 'claim_payments.elements') }} as claim_frequency_code,
        {{ x12_element(11, 'claim_payments.elements') }} as drg_code,
        {{ x12_quantity(x12_element(12, 'claim_payments.elements')) }} as drg_weight,
        {{ x12_quantity(x12_element(13, 'claim_payments.elements')) }} as discharge_fraction,
        ---------- dates (DTM)
        {{ x12_date('claim_elements.dtm050_02') }} as claim_received_date,
        {{ x12_date('claim_elements.dtm232_02') }} as statement_from_date,
        {{ x12_date('claim_elements.dtm233_02') }} as statement_to_date,
        {{ x12_date('claim_elements.dtm036_02') }} as coverage_expiration_date,
        ---------- references (REF)
        claim_elements.refg1_02 as prior_authorization_number,
        claim_elements.reff8_02 as original_reference_number,
        ---------- outpatient adjudication (MOA)
        {{ x12_quantity('claim_elements.moa01') }} as outpatient_reimbursement_rate,
        {{ x12_amount('claim_elements.moa02') }} as hcpcs_payable_amount,
        {{ x12_amount('claim_elements.moa08') }} as esrd_payment_amount,
        ---------- inpatient adjudication (MIA)
        {{ x12_quantity('claim_elements.mia01') }} as covered_days_count,
        {{ x12_amount('claim_elements.mia04') }} as drg_amount
    from claim_payments
    left join claim_elements
        on
            claim_payments.file_id = claim_elements.file_id
            and claim_payments.transaction_seq = claim_elements.transaction_seq
            and claim_payments.claim_seq = claim_elements.claim_seq
)

select * from claims
