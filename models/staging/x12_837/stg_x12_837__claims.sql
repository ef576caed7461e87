{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per 837 claim (CLM). The payer (SBR, NM1*PR) sits in the subscriber level (HL 22) and the
-- billing provider (NM1*85) in the billing provider level (HL 20) above it. The claim sits in the
-- subscriber level or in a patient level (HL 23) under it; stg_x12_837__hierarchical_levels resolves
-- both levels from the loader's loop context (the position of its level's HL every segment carries).

{%- set first_sbr = "case when segment_id = 'SBR' then segment_position end" %}
{%- set first_payer = "case when segment_id = 'NM1' and element_01 = 'PR' then segment_position end" %}
{%- set first_of = "case when segment_id = '%s' and element_01 = '%s' then segment_position end" %}

with

segments as {{ read_in_place() }} (
    select
        file_id,
        segment_position,
        transaction_seq,
        transaction_control_number,
        implementation_reference,
        segment_id,
        elements,
        loop_id,
        hl_position,
        claim_seq,
        component_separator
    from {{ ref('stg_raw__x12_segments') }}
    where
        transaction_set_id = '837'
        {{ new_files_only() }}
),

claim_segments as (
    select
        file_id,
        segment_position,
        transaction_seq,
        transaction_control_number,
        implementation_reference,
        hl_position,
        claim_seq,
        elements,
        component_separator
    from segments
    where segment_id = 'CLM'
),

hierarchical_levels as {{ read_in_place() }} (
    select
        file_id,
        segment_position as hl_segment_position,
        subscriber_hl_segment_position,
        billing_provider_hl_segment_position
    from {{ ref('stg_x12_837__hierarchical_levels') }}
    {{ new_files_only(as_where=true) }}
),

-- the subscriber and billing provider levels of the level each claim sits in
claim_levels as (
    select
        claim_segments.file_id,
        claim_segments.transaction_seq,
        claim_segments.claim_seq,
        enclosing_levels.subscriber_hl_segment_position,
        enclosing_levels.billing_provider_hl_segment_position
    from claim_segments
    inner join hierarchical_levels as enclosing_levels
        on
            claim_segments.file_id = enclosing_levels.file_id
            and claim_segments.hl_position = enclosing_levels.hl_segment_position
),

-- SBR and NM1 segments of the billing provider and subscriber levels, with the HL they sit in
level_segments as (
    select
        file_id,
        transaction_seq,
        segment_position,
        segment_id,
        elements,
        hl_position as hl_segment_position
    from segments
    where
        loop_id in ('2000A', '2000B')
        and segment_id in ('SBR', 'NM1')
),

level_parties as (
    select
        file_id,
        transaction_seq,
        hl_segment_position,
        segment_id,
        segment_position,
        {{ x12_element(1) }} as element_01,
        {{ x12_element(3) }} as element_03,
        {{ x12_element(8) }} as element_08,
        {{ x12_element(9) }} as element_09
    from level_segments
),

-- the first SBR, payer NM1 and billing provider NM1 of each level
level_party_pivot as (
    select
        file_id,
        transaction_seq,
        hl_segment_position,
        {{ first_by_position('element_01', first_sbr) }} as payer_responsibility_code,
        {{ first_by_position('element_09', first_sbr) }} as claim_filing_indicator_code,
        {{ first_by_position('element_03', first_payer) }} as payer_name,
        {{ first_by_position('element_08', first_payer) }} as payer_id_qualifier,
        {{ first_by_position('element_09', first_payer) }} as payer_id,
        -- the NPI of the first billing provider NM1, when it is one (NM108 XX)
        {{ first_by_position(
            "case when element_08 = 'XX' then element_09 end",
            "case when segment_id = 'NM1' and element_01 = '85' then segment_position end"
        ) }} as billing_provider_npi
    from level_parties
    group by
        file_id,
        transaction_seq,
        hl_segment_position
),

-- REF, DTP and NTE of the claim loop itself (2310/2320/2330 segments carry other loop ids)
claim_loop_segments as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        segment_id,
        segment_position,
        {{ x12_element(1) }} as element_01,
        {{ x12_element(2) }} as element_02,
        {{ x12_element(3) }} as element_03
    from segments
    where
        loop_id = '2300'
        and segment_id in ('REF', 'DTP', 'NTE')
),

-- the first REF and DTP of each qualifier kept, and the first NTE whatever its qualifier
claim_loop_pivot as (
    select
        file_id,
        transaction_seq,
        claim_seq,
        {{ first_by_position('element_02', first_of | format('REF', 'G1')) }} as prior_authorization_number,
        {{ first_by_position('element_02', first_of | format('REF', 'F8')) }} as original_payer_claim_number,
        {{ first_by_position('element_02', first_of | format('REF', '9F')) }} as referral_number,
        {{ first_by_position('element_02', first_of | format('DTP', '434')) }} as statement_date_format,
        {{ first_by_position('element_03', first_of | format('DTP', '434')) }} as statement_date_value,
        {{ first_by_position('element_03', first_of | format('DTP', '431')) }} as onset_date_value,
        {{ first_by_position('element_03', first_of | format('DTP', '454')) }} as initial_treatment_date_value,
        {{ first_by_position('element_01', "case when segment_id = 'NTE' then segment_position end") }}
            as claim_note_qualifier,
        {{ first_by_position('element_02', "case when segment_id = 'NTE' then segment_position end") }}
            as claim_note_text,
        cast(sum(case when segment_id = 'NTE' then 1 else 0 end) as {{ api.Column.translate_type("integer") }})
            as claim_note_count
    from claim_loop_segments
    group by
        file_id,
        transaction_seq,
        claim_seq
),

renamed as (
    select
        ---------- ids and lineage
        {{ x12_key(['claim_segments.file_id', 'claim_segments.transaction_seq', 'claim_segments.claim_seq']) }}
            as claim_id,
        claim_segments.file_id,
        claim_segments.segment_position,
        claim_segments.transaction_seq,
        claim_segments.claim_seq,
        claim_segments.transaction_control_number,
        claim_segments.implementation_reference,
        claim_levels.subscriber_hl_segment_position,
        claim_levels.billing_provider_hl_segment_position,

        ---------- claim (CLM)
        case
            when
                claim_segments.implementation_reference like '%X222%'
                or claim_segments.implementation_reference like '%X098%'
                then 'P'
            when
                claim_segments.implementation_reference like '%X223%'
                or claim_segments.implementation_reference like '%X096%'
                then 'I'
        end as claim_type,
        {{ x12_element(1, 'claim_segments.elements') }} as claim_control_number,
        {{ x12_amount(x12_element(2, 'claim_segments.elements')) }} as total_charge_amount,
        {{ x12_component(x12_element(5, 'claim_segments.elements'), 'claim_segments.component_separator', 1) }}
            as facility_code,
        {{ x12_component(x12_element(5, 'claim_segments.elements'), 'claim_segments.component_separator', 2) }}
            as facility_code_qualifier,
        {{ x12_component(x12_element(5, 'claim_segments.elements'), 'claim_segments.component_separator', 3) }}
            as claim_frequency_code,

        ---------- claim references (REF)
        claim_loop_pivot.prior_authorization_number,
        claim_loop_pivot.original_payer_claim_number,
        claim_loop_pivot.referral_number,

        ---------- claim note (NTE)
        coalesce(claim_loop_pivot.claim_note_count, 0) > 0 as has_claim_note,
        coalesce(claim_loop_pivot.claim_note_count, 0) as claim_note_count,
        claim_loop_pivot.claim_note_qualifier,
        claim_loop_pivot.claim_note_text,
        length(claim_loop_pivot.claim_note_text) as claim_note_length,

        ---------- dates (DTP)
        {{ x12_837_date_in_range(
            'claim_loop_pivot.statement_date_format', 'claim_loop_pivot.statement_date_value', 1
        ) }} as statement_from_date,
        {{ x12_837_date_in_range(
            'claim_loop_pivot.statement_date_format', 'claim_loop_pivot.statement_date_value', 2
        ) }} as statement_to_date,
        {{ x12_date('claim_loop_pivot.onset_date_value') }} as onset_date,
        {{ x12_date('claim_loop_pivot.initial_treatment_date_value') }} as initial_treatment_date,

        ---------- payer (subscriber level: SBR, NM1*PR)
        subscriber_parties.payer_responsibility_code,
        subscriber_parties.claim_filing_indicator_code,
        subscriber_parties.payer_name,
        subscriber_parties.payer_id_qualifier,
        subscriber_parties.payer_id,

        ---------- billing provider (billing provider level: NM1*85)
        billing_parties.billing_provider_npi
    from claim_segments
    left join claim_levels
        on
            claim_segments.file_id = claim_levels.file_id
            and claim_segments.transaction_seq = claim_levels.transaction_seq
            and claim_segments.claim_seq = claim_levels.claim_seq
    left join level_party_pivot as subscriber_parties
        on
            claim_levels.file_id = subscriber_parties.file_id
            and claim_levels.transaction_seq = subscriber_parties.transaction_seq
            and claim_levels.subscriber_hl_segment_position = subscriber_parties.hl_segment_position
    left join level_party_pivot as billing_parties
        on
            claim_levels.file_id = billing_parties.file_id
            and claim_levels.transaction_seq = billing_parties.transaction_seq
            and claim_levels.billing_provider_hl_segment_position = billing_parties.hl_segment_position
    left join claim_loop_pivot
        on
            claim_segments.file_id = claim_loop_pivot.file_id
            and claim_segments.transaction_seq = claim_loop_pivot.transaction_seq
            and claim_segments.claim_seq = claim_loop_pivot.claim_seq
)

select * from renamed
