{#- Helpers for the intermediate models (models/intermediate/). Plain SQL expressions, so every adapter runs
    them; measure names are compared lower-case. -#}


{#- True when any of the four procedure modifier columns holds `modifier` (columns named
    <prefix>procedure_modifier_1..4). -#}
{% macro has_procedure_modifier(modifier, prefix='') -%}
    (
        {%- for position in range(1, 5) %}
        coalesce({{ prefix }}procedure_modifier_{{ position }}, '') = '{{ modifier }}'
        {%- if not loop.last %} or{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{#- The four modifier columns as one comparable text, '25||' style, empty for missing modifiers. -#}
{% macro procedure_modifier_list(prefix='') -%}
    {{ dbt.concat([
        "coalesce(" ~ prefix ~ "procedure_modifier_1, '')", "'|'",
        "coalesce(" ~ prefix ~ "procedure_modifier_2, '')", "'|'",
        "coalesce(" ~ prefix ~ "procedure_modifier_3, '')", "'|'",
        "coalesce(" ~ prefix ~ "procedure_modifier_4, '')"
    ]) }}
{%- endmacro %}


{#- The relation of an upstream model or seed, read from the graph at run time WITHOUT a ref(): a test that
    ref()s a staging model is pulled into every staging-only selection (eager indirect selection), where the
    intermediate model it also reads does not exist yet (tests/models/test_835_staging_oracle.py builds
    staging only); column_values reads the parent of a `to_node` relationship through it. Use only for tests
    whose model already depends on the upstream node, so the build order still holds. -#}
{% macro upstream_relation(node_name) -%}
    {%- if execute -%}
        {%- set candidates = [
            'model.' ~ project_name ~ '.' ~ node_name,
            'seed.' ~ project_name ~ '.' ~ node_name
        ] -%}
        {%- set found = [] -%}
        {%- for unique_id in candidates if unique_id in graph.nodes -%}
            {%- do found.append(graph.nodes[unique_id].relation_name) -%}
        {%- endfor -%}
        {%- if not found -%}
            {{ exceptions.raise_compiler_error("upstream_relation: no model or seed named " ~ node_name) }}
        {%- endif -%}
        {{ found[0] }}
    {%- endif -%}
{%- endmacro %}


{#- The columns fct_adjudicated_lines takes from each line's first, final and denying remit versions;
    int_line_versions_picked picks them (as first_<column>, final_<column>, denying_<column>). -#}
{% macro line_version_picks() -%}
    {{ return({
        'first': [
            'claim_id', 'claim_line_id', 'claim_file_id', 'claim_segment_position', 'claim_line_charge_amount',
            'claim_received_date', 'version_charge_amount', 'line_control_number', 'line_number', 'match_method',
            'patient_control_number', 'procedure_code', 'procedure_modifier_1', 'procedure_modifier_2',
            'procedure_modifier_3', 'procedure_modifier_4', 'service_date', 'units_billed', 'remit_claim_id',
            'remit_date', 'remit_payer_id', 'remit_transaction_id', 'paid_amount', 'denied_amount',
            'denial_category', 'is_avoidable'
        ],
        'final': [
            'claim_id', 'remit_allowed_amount', 'remit_units_paid', 'remit_claim_id', 'remit_date', 'remit_file_id',
            'remit_segment_position'
        ],
        'denying': [
            'remit_claim_id', 'remit_line_id', 'remit_date', 'remit_file_id', 'remit_segment_position',
            'primary_remit_adjustment_id', 'primary_adjustment_level', 'primary_group_code', 'primary_carc_code',
            'primary_rarc_code', 'denial_category', 'is_avoidable', 'classification_rule',
            'denial_adjustment_count'
        ]
    }) }}
{%- endmacro %}


{#- Texts of a group joined in ordinal order, in one unordered aggregate. string_agg(... order by ...)
    sorts each group once per aggregate; three of them over 1.8M drug lines took half of
    int_drug_lines_off_label at a million claims. ordinal_items collects (ordinal, code, flag) per group and
    sorts them by ordinal once; joined_items joins the codes of such a list with the separator, in its order,
    only those whose flag is `keep` when it is given. Null when no code is left, as string_agg gives. -#}
{% macro ordinal_items(ordinal, code, flag) -%}
    {{ return(adapter.dispatch('ordinal_items', 'denials')(ordinal, code, flag)) }}
{%- endmacro %}

{% macro default__ordinal_items(ordinal, code, flag) -%}
    array_sort(collect_list(named_struct('ordinal', {{ ordinal }}, 'code', {{ code }}, 'flag', {{ flag }})))
{%- endmacro %}

{% macro duckdb__ordinal_items(ordinal, code, flag) -%}
    list_sort(list(struct_pack(ordinal := {{ ordinal }}, code := {{ code }}, flag := {{ flag }})))
{%- endmacro %}

{% macro joined_items(items, separator, keep=none) -%}
    {%- set syntax = adapter.dispatch('list_function_names', 'denials')() -%}
    {%- set kept = items -%}
    {%- if keep is not none -%}
        {%- set kept = syntax.filter ~ '(' ~ items ~ ', ' ~ syntax.item_lambda.format('item.flag = ' ~ keep) ~ ')' -%}
    {%- endif -%}
    {%- set codes = syntax.transform ~ '(' ~ kept ~ ', ' ~ syntax.item_lambda.format('item.code') ~ ')' -%}
    nullif({{ syntax.join }}({{ codes }}, {{ separator }}), '')
{%- endmacro %}

{#- The list functions joined_items calls, and its one-argument lambda (argument `item`). -#}
{% macro default__list_function_names() -%}
    {{ return({'filter': 'filter', 'transform': 'transform', 'join': 'array_join', 'item_lambda': 'item -> {}'}) }}
{%- endmacro %}

{% macro duckdb__list_function_names() -%}
    {{ return({'filter': 'list_filter', 'transform': 'list_transform', 'join': 'array_to_string',
               'item_lambda': 'lambda item: {}'}) }}
{%- endmacro %}
