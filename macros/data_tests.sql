{#- dbt's not_null, unique, accepted_values and relationships for the columns of one model, in a single
    query: one test node per model, where dbt makes one of each per column and rule. A build runs this for
    every model and seed, and at a few hundred tests the per-node cost of dbt's own outweighed what the
    checks read. Same verdicts as dbt's: unique passes nulls and fails on a value two rows or more hold;
    accepted_values passes nulls and quotes the values, as dbt does; relationships passes a null child
    value. An entry of `unique` may be an expression (a compound key). Returns one row per rule and column
    that fails: the rule, the column and how many rows, never a value.

    A relationship, {column: <child column>, field: <parent column>, to: ref('<node>')}, makes the test wait
    for its parent. With to_node: <node> in place of `to`, the parent is read without ref()
    (upstream_relation, macros/intermediate.sql): a ref() to a staging model or seed would pull the test of
    an intermediate model into staging-only selections, before that model exists. Each runs dbt's
    relationships SQL, dispatched, so that on DuckDB (below) a filtered child reads only the parent keys it
    points at. -#}
{% test column_values(model, not_null=[], unique=[], accepted_values={}, relationships=[]) %}

{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- do checks.append(('not_null', column,
        'sum(case when ' ~ column ~ ' is null then 1 else 0 end)')) -%}
{%- endfor -%}
{%- for column in unique -%}
    {#- rows beyond the first of each value: dbt's unique fails exactly when this is above zero -#}
    {%- do checks.append(('unique', column, 'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')')) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append(('accepted_values', column,
        'sum(case when ' ~ column ~ ' not in (' ~ quoted | join(', ') ~ ') then 1 else 0 end)')) -%}
{%- endfor -%}
{%- set orphans = [] -%}
{%- for relationship in relationships -%}
    {%- if 'column' not in relationship or 'field' not in relationship
        or ('to' in relationship) == ('to_node' in relationship) -%}
        {{ exceptions.raise_compiler_error(
            "column_values: a relationship names column, field and one of to or to_node: " ~ relationship) }}
    {%- endif -%}
    {%- set parent = relationship['to'] if 'to' in relationship
        else upstream_relation(relationship['to_node']) -%}
    {%- do orphans.append((relationship['column'], adapter.dispatch('test_relationships', 'dbt')(
        model, relationship['column'], parent, relationship['field']))) -%}
{%- endfor -%}
{%- if not checks and not orphans -%}
    {{ exceptions.raise_compiler_error(
        "column_values: name a column in not_null, unique, accepted_values or relationships") }}
{%- endif %}

with
{% if checks %}
failing_counts as (
    select
    {%- for rule, column, failing in checks %}
        {{ failing }} as failing_rows_{{ loop.index }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
){{ ',' if orphans }}
{% endif -%}
{%- for column, orphan_sql in orphans %}
orphan_counts_{{ loop.index }} as (
    select count(*) as failing_rows
    from (
        {{ orphan_sql | trim | indent(8) }}
    ) as orphan_values
){{ ',' if not loop.last }}
{% endfor %}

{% for rule, column, failing in checks -%}
select
    '{{ rule }}' as rule,
    '{{ column | replace("'", "''") }}' as column_name,
    failing_rows_{{ loop.index }} as failing_rows
from failing_counts
where failing_rows_{{ loop.index }} > 0
{% if not loop.last or orphans %}union all
{% endif %}
{%- endfor %}
{%- for column, orphan_sql in orphans -%}
select
    'relationships' as rule,
    '{{ column | replace("'", "''") }}' as column_name,
    failing_rows
from orphan_counts_{{ loop.index }}
where failing_rows > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}


{#- dbt's relationships test on DuckDB. When the child is a filtered subquery (in a dbt build, the rows the
    build wrote; or a `where` config), only the parent rows its values point at are read: a day's rows then
    probe a small set, where the join built a hash of every parent key of history for each test (about 5
    times slower at a million claims). A whole child keeps the plain join, the faster of the two when
    every row is compared. column_values runs it for each of its relationships. -#}
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
