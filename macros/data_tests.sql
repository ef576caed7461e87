{#- not_null for several columns of one model in a single query: one scan and one test node where dbt's
    not_null makes one of each per column. A build runs this for every model and seed, and at a few hundred
    columns the per-node cost of dbt's own test outweighed what the checks read. Returns one row per column
    that holds nulls: its name and how many rows, never a value. -#}
{% test not_null_columns(model, column_names) %}

with

null_counts as (
    select
    {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
)

{% for column in column_names -%}
select
    '{{ column }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
