{#- Helpers for the 837 staging models (models/staging/x12_837/). -#}

{#- A one-column relation of element positions 1..n, to unpivot repeated composites such as HI01-HI12
    (cross join it and read x12_element(element_position)). Plain `union all` so every adapter runs it. -#}
{% macro x12_837_element_positions(count) -%}
    {%- for position in range(1, count + 1) %}
    select {{ position }} as element_position
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- Start (part 1) or end (part 2) of an X12 date that is D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD).
    A D8 date is both the start and the end. -#}
{% macro x12_837_date_in_range(format_qualifier, value, part) -%}
    {%- if part == 1 -%}
        {{ x12_date(x12_component(value, "'-'", 1)) }}
    {%- else -%}
        case
            when {{ format_qualifier }} = 'RD8' then {{ x12_date(x12_component(value, "'-'", 2)) }}
            else {{ x12_date(x12_component(value, "'-'", 1)) }}
        end
    {%- endif -%}
{%- endmacro %}
