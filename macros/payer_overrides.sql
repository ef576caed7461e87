{#- The user's payer overrides as a relation: raw.payer_overrides when the warehouse has it, else an empty
    relation of the same columns (an engine whose raw export does not carry the table has no overrides). -#}
{% macro payer_overrides_relation() -%}
    {%- set relation = load_relation(source('raw', 'payer_overrides')) -%}
    {%- if relation is not none -%}
        {{ source('raw', 'payer_overrides') }}
    {%- else -%}
        {%- set text = api.Column.translate_type('string') -%}
        (select cast(null as {{ text }}) as source_file, cast(null as integer) as line_number,
            cast(null as {{ text }}) as payer_id, cast(null as {{ text }}) as payer_type,
            cast(null as integer) as appeal_window_days, cast(null as integer) as timely_filing_days,
            cast(null as {{ text }}) as hcpcs_code, cast(null as boolean) as requires_prior_auth,
            cast(null as integer) as max_units_per_line, cast(null as boolean) as requires_jw_jz,
            cast(null as date) as effective_from
        where 1 = 0)
    {%- endif -%}
{%- endmacro %}
