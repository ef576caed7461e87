-- One row per row of a global input, with a fingerprint of its content: the inputs whose change can alter
-- rows of any patient control number, not only those of the new files. input_group says which kind:
--   seed: every reviewed seed (a new CARC row reclassifies old adjustments, a new payer row retypes claims);
--   payer overrides: raw.payer_overrides (stg_raw__payer_overrides);
--   payer identity: what the data taught about payers (int_payer_identifiers_resolved without its evidence
--     counts, which grow with every file; int_payers_resolved; int_remit_transactions_payer_resolved);
--   re-sent ERA detection: int_remit_transactions_resent;
--   model code: the SQL of every intermediate and mart model (dbt's checksum of the file), one row each. A
--     new release that changes how a partition is computed must recompute every partition, or the PCNs no
--     new file carries would keep the old logic's rows. dbt shows models no macro text: a release that
--     changes only a macro needs one `--full-refresh` build (README). Staging appends by file and keeps
--     each file's rows as they were staged. The steps fct_adjudicated_lines takes from the macro
--     line_versions_picked_ctes count as model code too, fingerprinted as the macro renders them.
-- int_build_scope compares them with the fingerprints of the last folded build. Every seed of the project
-- must be listed here (checked at run time), so a new seed cannot escape the comparison.
-- Table: small (seeds, payers, one row per remit transaction).

{%- set seeds = [
    'balancing_tolerances', 'carc_codes', 'claim_filing_indicators', 'claim_outcomes', 'claim_status_codes',
    'denial_categories', 'denial_category_map', 'denial_category_pairs', 'drug_asp_prices', 'drug_labels',
    'drug_ndcs', 'drug_payment_rules', 'drug_reference', 'drug_unit_evidence_levels', 'drug_unit_slips',
    'group_codes', 'labeled_diagnoses', 'measure_units', 'payer_aliases', 'payer_drug_contract_rates',
    'payer_drug_coverage', 'payer_policies', 'payer_type_defaults', 'payer_type_policy_defaults', 'payers',
    'rarc_codes'
] %}
{%- set inputs = [] %}
{%- for seed in seeds %}
    {%- do inputs.append({'name': seed, 'group': 'seed', 'learned': false, 'relation': ref(seed)}) %}
{%- endfor %}
{%- do inputs.append({'name': 'payer_overrides', 'group': 'payer overrides', 'learned': false,
                      'relation': ref('stg_raw__payer_overrides')}) %}
{%- do inputs.append({'name': 'int_payer_identifiers_resolved', 'group': 'payer identity', 'learned': true,
                      'relation': ref('int_payer_identifiers_resolved'),
                      'except': ['candidate_payer_count', 'evidence_claim_count']}) %}
{%- do inputs.append({'name': 'int_payers_resolved', 'group': 'payer identity', 'learned': true,
                      'relation': ref('int_payers_resolved')}) %}
{%- do inputs.append({'name': 'int_remit_transactions_payer_resolved', 'group': 'payer identity',
                      'learned': true, 'relation': ref('int_remit_transactions_payer_resolved')}) %}
{%- do inputs.append({'name': 'int_remit_transactions_resent', 'group': 're-sent ERA detection',
                      'learned': true, 'relation': ref('int_remit_transactions_resent')}) %}

{%- if execute %}
    {%- set unlisted = [] %}
    {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.package_name == project_name
        and node.name not in seeds %}
        {%- do unlisted.append(node.name) %}
    {%- endfor %}
    {%- if unlisted %}
        {{ exceptions.raise_compiler_error("int_global_inputs_fingerprinted: list the seeds " ~ unlisted | join(', ')) }}
    {%- endif %}
{%- endif %}

{%- set string = api.Column.translate_type('string') %}
{%- set code = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name
        and node.fqn[1] in ('intermediate', 'marts') %}
        {%- do code.append({'name': node.name, 'checksum': node.checksum.checksum}) %}
    {%- endfor %}
    {#- steps a model takes from a macro are its code too: fct_adjudicated_lines picks line versions with the
        CTEs of line_versions_picked_ctes, which no model file shows -#}
    {%- do code.append({'name': 'macro line_versions_picked_ctes',
                        'checksum': local_md5(line_versions_picked_ctes('versions') | string)}) %}
{%- else %}
    {%- do code.append({'name': 'parsing', 'checksum': ''}) %}
{%- endif %}

{%- set columns_of = columns_by_relation(inputs | map(attribute='relation') | list) if execute else {} %}
{%- for input in inputs %}
    {%- set columns = [] %}
    {%- for column in columns_of.get(input.relation.render(), []) if column not in input.get('except', []) %}
        {%- do columns.append("coalesce(cast(" ~ adapter.quote(column) ~ " as " ~ string ~ "), '~')") %}
        {%- do columns.append("'|'") %}
    {%- endfor %}
    {%- do columns.append("'" ~ input.name ~ "'") %}
    select
        cast('{{ input.name }}' as {{ string }}) as input_name,
        cast('{{ input.group }}' as {{ string }}) as input_group,
        {{ input.learned }} as is_learned,
        {{ dbt.hash(dbt.concat(columns)) }} as row_fingerprint
    from {{ input.relation }}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
union all
select
    cast('model code' as {{ string }}) as input_name,
    cast('model code' as {{ string }}) as input_group,
    false as is_learned,
    {{ dbt.hash(dbt.concat(["code.code_name", "'|'", "code.code_checksum"])) }} as row_fingerprint
from (
    {%- for item in code | sort(attribute='name') %}
        select
            cast('{{ item.name }}' as {{ string }}) as code_name,
            cast('{{ item.checksum }}' as {{ string }}) as code_checksum
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
) as code
