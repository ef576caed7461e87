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


{#- dbt's relationships test on DuckDB. When the child is a filtered subquery (in a dbt build, the rows the
    build wrote; or a `where` config), only the parent rows its values point at are read: a day's rows then
    probe a small set, where the join built a hash of every parent key of history for each test (about 5
    times slower at a million claims). A whole child keeps the plain join, the faster of the two when
    every row is compared. relationships_upstream (macros/intermediate.sql) runs this too. -#}
{% macro duckdb__test_relationships(model, column_name, to, field) %}

with

child_values as (
    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null
),

parent_values as (
    select {{ field }} as parent_value
    from {{ to }}
    {%- if model is string %}
    where {{ field }} in (select child_values.child_value from child_values)
    {%- endif %}
)

select child_values.child_value
from child_values
left join parent_values
    on child_values.child_value = parent_values.parent_value
where parent_values.parent_value is null

{% endmacro %}
