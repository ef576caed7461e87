{#- The UTC offset an ISO 8601 timestamp text ends with ('Z', '+02:00', '-0500', '+05'), or '' when it
    has none. An offset only counts after a time, so the day of a bare date ('2026-01-05') is not
    taken for one. The loader accepts a timestamp only if this split leaves a castable local time
    (denials.ingest.administration_checks uses the same pattern). Regex functions differ by engine,
    so this dispatches. -#}
{% macro iso_utc_offset(expression) -%}
    {{ return(adapter.dispatch('iso_utc_offset', 'denials')(expression)) }}
{%- endmacro %}

{% macro default__iso_utc_offset(expression) -%}
    regexp_extract(
        {{ expression }},
        '[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)$',
        1
    )
{%- endmacro %}


{#- Minutes east of UTC of an offset text from iso_utc_offset: 'Z' 0, '+05:30' 330, '-05' -300;
    null for ''. -#}
{% macro iso_utc_offset_minutes(offset) -%}
    case
        when {{ offset }} = '' then null
        when {{ offset }} = 'Z' then 0
        else
            (case when substr({{ offset }}, 1, 1) = '-' then -1 else 1 end)
            * (
                cast(substr({{ offset }}, 2, 2) as integer) * 60
                + coalesce(cast(nullif(substr(replace({{ offset }}, ':', ''), 4, 2), '') as integer), 0)
            )
    end
{%- endmacro %}
