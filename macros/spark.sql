{#- Spark (dbt-spark) implementations of the project's dispatched macros, and the raw layer as Parquet.

    Spark 4 runs with ANSI mode on by default: an array index past the end, a failed cast or a bad date
    raises an error instead of giving null. The X12 readers promise null for a missing element or junk
    text (as they do on DuckDB), so every one of them uses the try_ form. -#}


{#- The position is cast to int: element_at takes nothing else, and positions computed from
    dbt.generate_series arrive as double. -#}
{% macro spark__x12_element(position, elements) -%}
    nullif(try_element_at({{ elements }}, cast({{ position }} as int)), '')
{%- endmacro %}


{#- split() takes a regular expression; the separator is a literal character (often '^', '|' or '*'), so it
    is quoted with \Q...\E. -#}
{% macro spark__x12_component(composite, separator, position) -%}
    nullif(try_element_at(split({{ composite }}, concat('\\Q', {{ separator }}, '\\E')), cast({{ position }} as int)), '')
{%- endmacro %}


{% macro spark__x12_date(expression) -%}
    cast(try_to_timestamp({{ expression }}, 'yyyyMMdd') as date)
{%- endmacro %}


{#- try_cast gives null for text that is not a number, as dbt.safe_cast promises. -#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- Whole-cent share on bigint cents with integer division (div truncates; both operands are positive).
    Amounts up to 10^7 currency units times weights of the same size stay far below the bigint range, and
    ANSI mode would raise rather than wrap if they did not. -#}
{% macro spark__marts_truncated_cents_share(amount, weight, total_weight) -%}
    cast(
        cast(
            sign({{ amount }})
            * (
                cast(abs(round({{ amount }} * 100)) as bigint) * cast(round({{ weight }} * 100) as bigint)
                div nullif(cast(round({{ total_weight }} * 100) as bigint), 0)
            )
            as decimal(18, 0)
        ) * cast(0.01 as decimal(3, 2))
        as decimal(18, 2)
    )
{%- endmacro %}


{#- The raw sources on Spark: a view per declared `raw` source table over the Parquet folder that
    `denials export-raw` writes (DENIALS_SPARK_RAW), partitions (file_id=N) discovered at read time, so a
    file exported after the last build is read by the next one. Run by on-run-start; nothing on DuckDB,
    where the loader writes the raw schema itself. -#}
{% macro raw_sources_setup() -%}
    {{ return(adapter.dispatch('raw_sources_setup', 'denials')()) }}
{%- endmacro %}

{% macro default__raw_sources_setup() -%}
{%- endmacro %}

{% macro spark__raw_sources_setup() -%}
    {%- if execute -%}
        {%- set raw_dir = env_var('DENIALS_SPARK_RAW', 'warehouse/spark/raw') -%}
        {%- set tables = [] -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do tables.append(source) -%}
        {%- endfor -%}
        {%- if tables -%}
            {%- do run_query('create database if not exists ' ~ tables[0].schema) -%}
        {%- endif -%}
        {%- for source in tables -%}
            {%- do run_query(
                'create or replace view ' ~ source.schema ~ '.' ~ source.identifier
                ~ ' as select * from parquet.`' ~ raw_dir ~ '/' ~ source.identifier ~ '`'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- Seeds on the session method. dbt-spark's own version binds each cell as '<value>' without escaping, so
    a quote in a description ("payer's deadline") breaks the insert and an empty cell arrives as the text
    'None'. This one writes escaped literals and real nulls; the column types are those of `column_types`. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},
            {% endif -%}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}


{#- Ordered string aggregation. dbt-spark's listagg drops order_by_clause (collect_list has no order), so the
    same diagnoses would list in a different order than on DuckDB; Spark 4 has listagg ... within group. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with limit_num is not implemented for Spark in this project") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}


{#- The numbers 1..upper_bound as int. dbt's default builds them from sums of power(2, i), which Spark
    types double, so an ordinal in a key read '1.0' on Spark and '1' on DuckDB. -#}
{% macro spark__generate_series(upper_bound) -%}
    select explode(sequence(1, {{ upper_bound }})) as generated_number
{%- endmacro %}
