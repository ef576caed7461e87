{#- `name as {{ read_in_place() }} (select ... from big_table where ...)`: a CTE that several later CTEs
    read is materialized by DuckDB (held whole, as an in-memory result that cannot spill), and a scan of
    tens of millions of raw segments then exceeds any memory limit. Inlined, each reader scans the table
    itself with its own filters, which costs little more. Other engines inline such CTEs already. -#}
{% macro read_in_place() -%}
    {{ return(adapter.dispatch('read_in_place', 'denials')()) }}
{%- endmacro %}

{% macro default__read_in_place() -%}
{%- endmacro %}

{% macro duckdb__read_in_place() -%}
    not materialized
{%- endmacro %}
