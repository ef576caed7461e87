{{
    config(
        materialized='view'
    )
}}

-- One row per line of the user's payer override file (denials.payer_overrides loads it into
-- raw.payer_overrides at each build): payer rows (hcpcs_code null) set type and windows, policy rows
-- replace the payer's policies for one code. A warehouse without that table (an engine whose raw export
-- does not carry it) reads as no overrides.

{%- set overrides_relation = load_relation(source('raw', 'payer_overrides')) %}

with

{% if overrides_relation is not none %}
overrides as (
    select
        source_file,
        line_number,
        trim(payer_id) as payer_id,
        payer_type,
        appeal_window_days,
        timely_filing_days,
        upper(trim(hcpcs_code)) as hcpcs_code,
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz,
        effective_from
    from {{ source('raw', 'payer_overrides') }}
)
{% else %}
overrides as (
    select
        cast(null as {{ api.Column.translate_type('string') }}) as source_file,
        cast(null as integer) as line_number,
        cast(null as {{ api.Column.translate_type('string') }}) as payer_id,
        cast(null as {{ api.Column.translate_type('string') }}) as payer_type,
        cast(null as integer) as appeal_window_days,
        cast(null as integer) as timely_filing_days,
        cast(null as {{ api.Column.translate_type('string') }}) as hcpcs_code,
        cast(null as boolean) as requires_prior_auth,
        cast(null as integer) as max_units_per_line,
        cast(null as boolean) as requires_jw_jz,
        cast(null as date) as effective_from
    where 1 = 0
)
{% endif %}

select * from overrides
