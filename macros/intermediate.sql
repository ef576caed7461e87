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


{#- The key of a billed line, as text: its 837 claim_line_id, else (an 835 line matched to a claim but to none
    of its lines) claim_id|code. int_line_diagnoses_considered and int_drug_lines_off_label key their rows by
    it, and mart_denials_medical_necessity joins them with it, so the three build it here. Keys are packed
    numbers below the marts and are labelled first; the marts' keys are text already (keys_are_text). -#}
{% macro billed_line_key(claim_line_id, claim_id, procedure_code, keys_are_text=false) -%}
    {%- set line = claim_line_id if keys_are_text else x12_key_label(claim_line_id, 4) -%}
    {%- set claim = claim_id if keys_are_text else x12_key_label(claim_id, 3) -%}
    coalesce({{ line }}, {{ dbt.concat([claim, "'|'", procedure_code]) }})
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


{#- The CTEs that pick each adjudicated line's first, final and denying versions and net its chain
    (int_line_versions_picked says how), ending in lines_netted: one row per line. `versions` is
    int_line_versions_valued; `where` filters the versions read. The view int_line_versions_picked is these
    CTEs over every version; fct_adjudicated_lines takes them into its own query with its affected numbers'
    filter on the versions, because a filter on the view's output does not reach through the grouped pass
    (a day's fact read all of history's multi-version lines: 1.5 to 1.8 s instead of 0.2 s at a million claims). -#}
{% macro line_versions_picked_ctes(versions, where='') -%}
{%- set picks = line_version_picks() %}
line_versions as {{ read_in_place() }} (
    select
        {% for column in (picks['first'] + picks['final'] + picks['denying']) | unique -%}
            {{ column }},
        {% endfor -%}
        adjudicated_line_id,
        is_reversal,
        is_final,
        is_standing,
        first_adjudication_rank,
        final_rank,
        denying_rank,
        line_version_count
    from {{ versions }}
    {{ where }}
),

-- the denying version: the first-ranked one, when it denied and is not a reversal
line_versions_flagged as {{ read_in_place() }} (
    select
        line_versions.*,
        line_versions.denying_rank = 1
        and line_versions.denied_amount > 0
        and not line_versions.is_reversal as is_denying_version
    from line_versions
),

-- a line's only version is its first, final and, when it denied, its denying version
single_version_lines as (
    select
        {% for column in picks['first'] -%}
            {{ column }} as first_{{ column }},
        {% endfor -%}
        {% for column in picks['final'] -%}
            {{ column }} as final_{{ column }},
        {% endfor -%}
        {% for column in picks['denying'] -%}
            case when is_denying_version then {{ column }} end as denying_{{ column }},
        {% endfor -%}
        adjudicated_line_id,
        patient_control_number,
        1 as version_count,
        case when is_reversal then 1 else 0 end as reversal_count,
        is_final as has_final_version,
        case when is_standing then paid_amount else 0 end as paid_amount,
        greatest(case when is_standing then denied_amount else 0 end, 0) as denied_amount,
        not is_reversal and denied_amount > 0 as was_ever_denied
    from line_versions_flagged
    where line_version_count = 1
),

multi_version_lines as (
    select
        {% for column in picks['first'] -%}
            max(case when first_adjudication_rank = 1 then {{ column }} end) as first_{{ column }},
        {% endfor -%}
        {% for column in picks['final'] -%}
            max(case when final_rank = 1 then {{ column }} end) as final_{{ column }},
        {% endfor -%}
        {% for column in picks['denying'] -%}
            max(case when is_denying_version then {{ column }} end) as denying_{{ column }},
        {% endfor -%}
        adjudicated_line_id,
        patient_control_number,
        count(*) as version_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        max(case when is_final then 1 else 0 end) = 1 as has_final_version,
        sum(case when is_standing then paid_amount else 0 end) as paid_amount,
        greatest(sum(case when is_standing then denied_amount else 0 end), 0) as denied_amount,
        max(case when not is_reversal and denied_amount > 0 then 1 else 0 end) = 1 as was_ever_denied
    from line_versions_flagged
    where line_version_count > 1
    group by
        adjudicated_line_id,
        patient_control_number
),

lines_picked as (
    select * from single_version_lines
    union all
    select * from multi_version_lines
),

lines_netted as (
    select
        *,
        first_denied_amount > 0 as is_initially_denied,
        was_ever_denied
        and first_denied_amount > 0
        and version_count > 1
        and has_final_version
        and denied_amount < first_denied_amount as is_overturned
    from lines_picked
)
{%- endmacro %}
