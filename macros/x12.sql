{#- Reading X12 elements kept as lists. List indexing is dialect-specific, so these dispatch:
    DuckDB has 1-based `list[n]`; Spark and Trino have `element_at`. -#}

{% macro x12_element(position, elements='elements') -%}
    {{ return(adapter.dispatch('x12_element', 'denials')(position, elements)) }}
{%- endmacro %}

{% macro default__x12_element(position, elements) -%}
    nullif(element_at({{ elements }}, {{ position }}), '')
{%- endmacro %}

{% macro duckdb__x12_element(position, elements) -%}
    nullif({{ elements }}[{{ position }}], '')
{%- endmacro %}


{#- The filter for one segment id. On DuckDB it is `segment_code = n`, on the code the loader stores (base
    37, a capital then one or two capitals or digits; denials.x12.segments.segment_id_code), rather than
    on the id looked up from it: DuckDB estimates a filter on the looked-up id at a few dozen rows,
    whatever the table holds (the lookup lists every possible id), and then builds its hash tables on
    the millions of segments read instead of on the envelopes they are joined to. A filter on the code is
    estimated from the column's statistics and applied inside the scan. For several ids the lookup stays:
    DuckDB (2.0) does not apply a list of codes inside the scan, so every segment's text would be read.
    Spark reads the exported ids, with no lookup, and filters on them: a Parquet export written before
    the code was exported then still gives every row. The column is unqualified: use it on one relation. -#}
{% macro x12_segment_is(segment_id) -%}
    {{ return(adapter.dispatch('x12_segment_is', 'denials')(segment_id)) }}
{%- endmacro %}

{% macro default__x12_segment_is(segment_id) -%}
    {%- do x12_segment_code(segment_id) -%}
    segment_id = '{{ segment_id }}'
{%- endmacro %}

{% macro duckdb__x12_segment_is(segment_id) -%}
    segment_code = {{ x12_segment_code(segment_id) }}
{%- endmacro %}

{% macro x12_segment_code(segment_id) -%}
    {%- set alphabet = ' ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' -%}
    {%- if segment_id is not string or segment_id | length not in [2, 3] or segment_id[0] not in alphabet[1:27]
          or segment_id[1:] | reject('in', alphabet[1:]) | list -%}
        {{ exceptions.raise_compiler_error("x12_segment_code: '" ~ segment_id ~ "' is not a segment id (a capital, then one or two capitals or digits)") }}
    {%- endif -%}
    {%- set padded = segment_id ~ ' ' -%}
    {{ ((alphabet.index(padded[0]) * 37 + alphabet.index(padded[1])) * 37 + alphabet.index(padded[2])) }}
{%- endmacro %}


{#- Component n (1-based) of a composite element, split on the interchange's component separator. -#}
{% macro x12_component(composite, separator, position) -%}
    {{ return(adapter.dispatch('x12_component', 'denials')(composite, separator, position)) }}
{%- endmacro %}

{% macro default__x12_component(composite, separator, position) -%}
    nullif(element_at(split({{ composite }}, {{ separator }}), {{ position }}), '')
{%- endmacro %}

{% macro duckdb__x12_component(composite, separator, position) -%}
    nullif(string_split({{ composite }}, {{ separator }})[{{ position }}], '')
{%- endmacro %}


{#- X12 dates are CCYYMMDD text; an invalid date becomes null rather than failing the build. -#}
{% macro x12_date(expression) -%}
    {{ return(adapter.dispatch('x12_date', 'denials')(expression)) }}
{%- endmacro %}

{% macro default__x12_date(expression) -%}
    try_cast(date_parse({{ expression }}, '%Y%m%d') as date)
{%- endmacro %}

{% macro duckdb__x12_date(expression) -%}
    cast(try_strptime({{ expression }}, '%Y%m%d') as date)
{%- endmacro %}


{#- Money and quantities: X12 decimals as text. -#}
{% macro x12_amount(expression) -%}
    {{ dbt.safe_cast(expression, 'decimal(18, 2)') }}
{%- endmacro %}

{% macro x12_quantity(expression) -%}
    {{ dbt.safe_cast(expression, 'decimal(18, 4)') }}
{%- endmacro %}


{#- New files only on incremental runs: file ids only grow, so a scheduled run over one new file
    does not rebuild history. A full build renders a comment rather than nothing, so the line keeps its
    place in the where clause and sqlfluff reads the indentation the file shows. With as_where=true it is
    the whole where clause. -#}
{% macro new_files_only(file_id_column='file_id', as_where=false) -%}
    {%- if is_incremental() -%}
        {{ 'where' if as_where else 'and' }} {{ file_id_column }} > {{ max_file_id(this) }}
    {%- else -%}
        /* full build: every loaded file */
    {%- endif -%}
{%- endmacro %}


{#- The largest file_id in `relation` (0 when it is empty), read when the model or test runs and written
    into the SQL as a number: DuckDB skips the row groups of older files for a constant, but not for a
    subquery's result, so `file_id > (select max(file_id) ...)` read all of history's segments to find one
    day's files. -#}
{% macro max_file_id(relation) -%}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {{ return(run_query("select coalesce(max(file_id), 0) from " ~ relation).columns[0].values()[0] | int) }}
{%- endmacro %}


{#- Key from lineage numbers, packed 30 bits apiece into one integer: x12_key(['file_id', 'transaction_seq',
    'claim_seq']) is file_id * 2^60 + transaction_seq * 2^30 + claim_seq. Keys are written into every staging
    and intermediate table, and DuckDB writes a number several times faster than the same key as text, which
    it compresses as it goes. Packing, unlike a hash, cannot give two rows one key while each part after the
    first stays under 2^30 (1,073,741,824): the parts are positions and ordinals within one file (a diagnosis
    ordinal counts up to 12 per HI segment of a claim), and the loader rejects a file of more segments.
    Powers of two, not of ten, so that DuckDB takes a key apart with shifts: the marts show keys as text
    ('12:3:40', x12_key_label), and dividing 128-bit integers by powers of ten took three times as long. -#}
{% macro x12_key(columns) -%}
    {%- if columns | length > 4 -%}
        {{ exceptions.raise_compiler_error("x12_key packs at most four parts, not " ~ columns | length) }}
    {%- endif -%}
    {%- set key = namespace(expression="cast(" ~ columns[0] ~ " as " ~ x12_key_type() ~ ")") -%}
    {%- for column in columns[1:] -%}
        {%- set key.expression = "(" ~ key.expression ~ ") * " ~ 2 ** 30 ~ " + " ~ column -%}
    {%- endfor -%}
    {{ key.expression }}
{%- endmacro %}


{#- A 128-bit integer holds four parts of 30 bits; Spark has no 128-bit integer, and its 38-digit decimal
    holds them too. -#}
{% macro x12_key_type() -%}
    {{ return(adapter.dispatch('x12_key_type', 'denials')()) }}
{%- endmacro %}

{% macro default__x12_key_type() -%}
    decimal(38, 0)
{%- endmacro %}

{% macro duckdb__x12_key_type() -%}
    hugeint
{%- endmacro %}


{#- A key packed by x12_key, of `parts` parts, as the text the marts show: '12:3:40'. -#}
{% macro x12_key_label(key, parts) -%}
    {%- if parts > 4 -%}
        {{ exceptions.raise_compiler_error("x12_key_label: a packed key has at most four parts, not " ~ parts) }}
    {%- endif -%}
    {%- set texts = [] -%}
    {%- for position in range(parts) -%}
        {%- set part = x12_key_part("(" ~ key ~ ")", parts - 1 - position, loop.first) -%}
        {%- do texts.append(dbt.safe_cast(part, api.Column.translate_type('string'))) -%}
        {%- if not loop.last -%}{%- do texts.append("':'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(texts) }}
{%- endmacro %}


{#- The part of a packed key that has `below` parts after it, as a 64-bit integer. -#}
{% macro x12_key_part(key, below, is_first) -%}
    {{ return(adapter.dispatch('x12_key_part', 'denials')(key, below, is_first)) }}
{%- endmacro %}

{#- Spark's `div` returns a 64-bit integer, so the parts above are cut off (%) before dividing. -#}
{% macro default__x12_key_part(key, below, is_first) -%}
    {%- set upper = key if is_first else "(" ~ key ~ " % " ~ 2 ** (30 * (below + 1)) ~ ")" -%}
    {%- if below == 0 -%}
        cast({{ upper }} as bigint)
    {%- else -%}
        ({{ upper }} div {{ 2 ** (30 * below) }})
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__x12_key_part(key, below, is_first) -%}
    {%- set shifted = key if below == 0 else "(" ~ key ~ " >> " ~ 30 * below ~ ")" -%}
    cast({{ shifted if is_first else "(" ~ shifted ~ " & " ~ (2 ** 30 - 1) ~ ")" }} as bigint)
{%- endmacro %}


{#- Text key joining columns with ':', for keys with a text part (a site's administration id). -#}
{% macro text_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(dbt.safe_cast(column, api.Column.translate_type('string'))) -%}
        {%- if not loop.last -%}{%- do parts.append("':'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#- dbt.safe_cast promises null when the cast fails, but dbt-duckdb ships no duckdb__safe_cast, so the
    global default renders a plain `cast` and one unparseable amount (the public sample files have
    'JTEST', 'ITEST') fails the whole build. x12_amount and x12_quantity go through dbt.safe_cast, so
    this root-project override makes them null-safe on DuckDB, as x12_date already is. Other adapters
    keep their own safe_cast (try_cast on Snowflake, Spark/Databricks, Trino; safe_cast on BigQuery).
    Known upstream gap: OHDSI/dbt-synthea#68, tuva-health/tuva-core#645.
    This overrides the global macro for the whole project, on purpose. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- The value of the row with the smallest position in its group, null values included: the first
    occurrence of a segment, as a grouped aggregate (a window's row_number() = 1 sorts every row, which
    at a million claims cost several times more). -#}
{% macro first_by_position(value, position) -%}
    {{ return(adapter.dispatch('first_by_position', 'denials')(value, position)) }}
{%- endmacro %}

{% macro default__first_by_position(value, position) -%}
    min_by({{ value }}, {{ position }})
{%- endmacro %}

{#- DuckDB's min_by/arg_min skip rows whose value is null; arg_min_null keeps them, as Spark's min_by does -#}
{% macro duckdb__first_by_position(value, position) -%}
    arg_min_null({{ value }}, {{ position }})
{%- endmacro %}
