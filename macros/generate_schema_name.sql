{#- Each user has their own DuckDB file, so the target-name prefix dbt adds to schemas buys nothing:
    use the folder's schema (staging, intermediate, marts, reference) as is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
