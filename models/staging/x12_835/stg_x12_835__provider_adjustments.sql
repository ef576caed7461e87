{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per PLB adjustment reason/amount pair (provider-level adjustments in the 835 summary).
-- A PLB holds up to six pairs (PLB03/04 ... PLB13/14): each PLB row is read once and crossed with the
-- ordinals 1-6; pairs without a reason composite are not sent and are dropped.
with

segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        elements,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '835'
        and {{ x12_segment_is('PLB') }}
        {{ new_files_only() }}
),

pair_ordinals as (
    {{ dbt.generate_series(6) }}
),

adjustment_pairs as (
    select
        segments.file_id,
        segments.segment_position,
        segments.transaction_seq,
        segments.component_separator,
        pair_ordinals.generated_number as pair_ordinal,
        {{ x12_element(1, 'segments.elements') }} as plb01,
        {{ x12_element(2, 'segments.elements') }} as plb02,
        {{ x12_element('2 * pair_ordinals.generated_number + 1', 'segments.elements') }} as reason_composite,
        {{ x12_element('2 * pair_ordinals.generated_number + 2', 'segments.elements') }} as amount
    from segments
    cross join pair_ordinals
),

provider_adjustments as (
    select
        ---------- ids and lineage
        {{ x12_key(['file_id', 'segment_position', 'pair_ordinal']) }} as remit_provider_adjustment_id,
        {{ x12_key(['file_id', 'transaction_seq']) }} as remit_transaction_id,
        file_id,
        segment_position,
        transaction_seq,
        ---------- provider and period (PLB01-02)
        plb01 as provider_id,
        {{ x12_date('plb02') }} as fiscal_period_date,
        ---------- adjustment (PLB03-14 pairs)
        pair_ordinal,
        {{ x12_component('reason_composite', 'component_separator', 1) }} as adjustment_reason_code,
        {{ x12_component('reason_composite', 'component_separator', 2) }} as adjustment_reference,
        -- positive reduces the payment, negative increases it
        {{ x12_amount('amount') }} as adjustment_amount
    from adjustment_pairs
    where reason_composite is not null
)

select * from provider_adjustments
