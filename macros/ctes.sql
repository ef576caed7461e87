{#- `name as {{ read_in_place() }} (select ... from big_table where ...)`: a CTE that several later CTEs
    read is materialized by DuckDB (held whole, as an in-memory result that cannot spill), and a scan of
    tens of millions of raw segments then exceeds any memory limit. Inlined, each reader scans the table
    itself with its own filters, which costs little more. Other engines inline such CTEs already.
    A partitioned model that reads only a few affected numbers' rows (reads_few_affected_rows) holds such a
    CTE once instead: each inlined reader would scan the whole large table again to find those few rows
    (int_line_diagnoses_considered scanned its 3.4M staging lines six times for a day's 1%, 0.7 s instead
    of 0.2 s held). -#}
{% macro read_in_place() -%}
    {{ return(adapter.dispatch('read_in_place', 'denials')()) }}
{%- endmacro %}

{% macro default__read_in_place() -%}
{%- endmacro %}

{% macro duckdb__read_in_place() -%}
    {{ 'materialized' if reads_few_affected_rows() else 'not materialized' }}
{%- endmacro %}


{#- DuckDB may build a left join's hash table on the preserved side instead of the joined one, whichever
    its statistics say is smaller. int_line_versions_spined joins a 3M-row spine to line tables as large:
    at a million claims, flipped, its hash tables needed 3 GB and could not spill (out of memory at the
    2.5 GB limit); as written they take 1.3 GB. These hooks keep the joins as written for one model. -#}
{% macro keep_join_sides_as_written() -%}
    {{ return("set disabled_optimizers = 'build_side_probe_side'" if target.type == 'duckdb' else "") }}
{%- endmacro %}

{% macro reset_join_sides() -%}
    {{ return("reset disabled_optimizers" if target.type == 'duckdb' else "") }}
{%- endmacro %}
