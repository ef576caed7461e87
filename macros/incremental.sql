{#- Incremental intermediate and mart models, partitioned by the claim's patient control number (PCN: 837
    CLM01 = 835 CLP01). Remit versions, reversal chains, 837<->835 matching, COB pairing and administration
    links never reach across PCNs, so a new file can change only the rows of the PCNs it carries.

    A partitioned model says {{ config(**partitioned_by(<its column>, 'pcn' | 'claim_id' | 'remit_claim_id')) }}
    and filters its import CTEs with {{ affected_only(column, kind) }}. On an incremental DuckDB run it deletes
    its rows of the affected PCNs (int_claim_control_numbers_affected) and inserts what it computes for them;
    when int_build_scope says a global input changed, it deletes every row and inserts everything. On Spark
    (Parquet tables, no DELETE) it is a table, rebuilt in full. -#}


{#- 'incremental' on DuckDB, 'table' elsewhere. -#}
{% macro partitioned_materialization() -%}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{%- endmacro %}


{#- The config block of a partitioned model, {{ config(**partitioned_by('claim_control_number')) }}: its
    materialization, the pcn_replace strategy, the partition key (`column`, of key kind `kind` as in
    affected_keys) and the post-hook that records the build. pre_hook and post_hook add hooks of the model's
    own. -#}
{% macro partitioned_by(column, kind='pcn', pre_hook=none, post_hook=[]) -%}
    {%- set settings = {
        'materialized': partitioned_materialization(),
        'incremental_strategy': 'pcn_replace',
        'partition_key': {'column': column, 'kind': kind},
        'on_schema_change': 'append_new_columns',
        'pre_hook': ['{{ record_unpublished_change() }}']
            + ([] if pre_hook is none else [pre_hook] if pre_hook is string else pre_hook),
        'post_hook': ['{{ record_partition_build() }}'] + post_hook,
    } -%}
    {{ return(settings) }}
{%- endmacro %}


{#- True when this run must rebuild every partition (int_build_scope.is_full_rebuild). Read at run time;
    false while parsing. -#}
{% macro build_is_full() -%}
    {%- set scope = build_relation('int_build_scope') -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set looked_up = build_lookups() -%}
    {%- if 'is_full_rebuild' not in looked_up -%}
        {%- set result = run_query("select is_full_rebuild from " ~ scope) -%}
        {%- do looked_up.update({'is_full_rebuild': result.rows | length == 0 or result.rows[0][0] | as_bool}) -%}
    {%- endif -%}
    {{ return(looked_up['is_full_rebuild']) }}
{%- endmacro %}


{#- What this dbt invocation looks up once and many of its nodes ask again: whether it rebuilds every
    partition, how many numbers are affected, the last folded file, whether the build scope exists. Each
    answer was a query in every node that asked, some 400 in a daily build, each a round of dbt's Python
    (the query, then a table of its result), which one lock serializes across dbt's threads. Kept in the
    graph's dict, which every node of an invocation shares, under the invocation's id: a scheduled run's
    two builds share one parse, and so one graph, but not their answers. Only answers that cannot change
    while the nodes that ask run are kept: the nodes that ask run after this build's scope and affected set
    are written, the ledger of folded files is written at on-run-end, and a table that exists stays. -#}
{% macro build_lookups() -%}
    {%- set by_invocation = graph.setdefault('denials_build_lookups', {}) -%}
    {{ return(by_invocation.setdefault(invocation_id, {})) }}
{%- endmacro %}


{#- The column names of each relation in `relations`, in their table order: a dict from the rendered
    relation to its list. int_global_inputs_fingerprinted reads some thirty seeds and models, and on DuckDB
    one catalog query answers for all of them, where a describe each took most of the model's second in a
    daily build. -#}
{% macro columns_by_relation(relations) -%}
    {{ return(adapter.dispatch('columns_by_relation', 'denials')(relations)) }}
{%- endmacro %}

{% macro default__columns_by_relation(relations) -%}
    {%- set found = {} -%}
    {%- for relation in relations -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- do found.update({relation.render(): columns}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro duckdb__columns_by_relation(relations) -%}
    {%- set found = {} -%}
    {%- set wanted = [] -%}
    {%- for relation in relations -%}
        {%- do found.update({relation.render(): []}) -%}
        {%- do wanted.append(
            "('" ~ relation.database ~ "', '" ~ relation.schema ~ "', '" ~ relation.identifier ~ "')") -%}
    {%- endfor -%}
    {%- if not wanted -%}
        {{ return(found) }}
    {%- endif -%}
    {%- set listed = run_query(
        "select database_name, schema_name, table_name, column_name from duckdb_columns()"
        ~ " where (database_name, schema_name, table_name) in (" ~ wanted | join(', ') ~ ")"
        ~ " order by database_name, schema_name, table_name, column_index") -%}
    {%- for row in listed.rows -%}
        {%- set relation = api.Relation.create(database=row[0], schema=row[1], identifier=row[2]) -%}
        {%- do found[relation.render()].append(row[3]) -%}
    {%- endfor -%}
    {#- a build has built every input before the model that asks: no columns there is a name this query
        missed, and a fingerprint without columns would miss every change of that input -#}
    {%- for relation, columns in found.items() if not columns and flags.WHICH in ('build', 'run', 'retry') -%}
        {{ exceptions.raise_compiler_error("columns_by_relation: no columns found for " ~ relation) }}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#- The relation of a model the incremental macros read. A model takes it with ref(), so dbt sees the
    dependency while parsing; a data test (get_where_subquery below) reads it from the graph, since dbt
    refuses a ref() its test did not declare, and dbt build has built it before any partitioned model. -#}
{% macro build_relation(name) -%}
    {%- if model.resource_type == 'test' -%}
        {{ return(graph.nodes['model.' ~ project_name ~ '.' ~ name].relation_name) }}
    {%- endif -%}
    {{ return(ref(name)) }}
{%- endmacro %}


{#- A subquery listing the keys of kind `kind` that belong to affected PCNs: 'pcn' (the PCN itself),
    'claim_id' (837 claims with that CLM01) or 'remit_claim_id' (835 claims with that CLP01), the latter two
    looked up once per build by int_claim_keys_affected. -#}
{% macro affected_keys(kind) -%}
    {%- if kind == 'pcn' -%}
        select patient_control_number from {{ build_relation('int_claim_control_numbers_affected') }}
    {%- elif kind in ('claim_id', 'remit_claim_id') -%}
        select affected_key from {{ build_relation('int_claim_keys_affected') }} where key_kind = '{{ kind }}'
    {%- else -%}
        {{ exceptions.raise_compiler_error("affected_keys: unknown key kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}


{#- The condition that `column`, a key of kind `kind` (as in affected_keys), belongs to an affected PCN: what
    a partitioned model reads (affected_only), deletes (pcn_replace) and what its tests read. -#}
{% macro affected_condition(column, kind='pcn') -%}
    {{ return(column ~ ' in (' ~ affected_keys(kind) ~ ')') }}
{%- endmacro %}


{#- `where` clause of an import CTE of a partitioned model: on an incremental run that is not a full
    rebuild, only rows whose `column` (a key of kind `kind`) belongs to an affected PCN; else nothing.
    `keyword` joins it to the CTE's own where clause ('and'). Its ref()s are taken while parsing, on every
    adapter, so the affected set and the build scope are built before the model everywhere. -#}
{% macro affected_only(column, kind='pcn', keyword='where') -%}
    {#- a unit test gives the model's inputs only; it builds the model whole (is_incremental() is false) -#}
    {%- if not execute -%}
        {%- do affected_keys(kind) -%}
        {%- do ref('int_build_scope') -%}
    {%- endif -%}
    {%- if execute and model.resource_type != 'unit_test' and is_incremental() and not build_is_full() %}
    {{ keyword }} {{ affected_condition(column, kind) }}
    {%- endif -%}
{%- endmacro %}



{#- True while a partitioned model runs on only the affected numbers' rows, and those are at most
    var('hold_affected_numbers_up_to', 50000) numbers: then its filtered inputs are small enough to hold in
    memory (read_in_place). A day's files at a million claims bring about 10,000 numbers. False while
    parsing, in a full rebuild, and for every other node. The affected set is read from the graph, not with
    ref(): a model of kind claim_id declares only int_claim_keys_affected. -#}
{% macro reads_few_affected_rows() -%}
    {%- if not execute or model.resource_type != 'model' or config.get('incremental_strategy') != 'pcn_replace'
        or not is_incremental() or build_is_full() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set looked_up = build_lookups() -%}
    {%- if 'affected_numbers' not in looked_up -%}
        {%- set affected = graph.nodes['model.' ~ project_name ~ '.int_claim_control_numbers_affected'] -%}
        {%- set counted = run_query("select count(*) from " ~ affected.relation_name) -%}
        {%- do looked_up.update({'affected_numbers': counted.columns[0].values()[0]}) -%}
    {%- endif -%}
    {{ return(looked_up['affected_numbers'] <= var('hold_affected_numbers_up_to', 50000)) }}
{%- endmacro %}


{#- The custom incremental strategy: delete the target's rows of the affected PCNs (all rows on a full
    rebuild), then insert the new batch. dbt's delete+insert would delete only the keys present in the batch
    and leave a partition's stale rows when its new result has fewer rows. -#}
{% macro get_incremental_pcn_replace_sql(arg_dict) -%}
    {%- set partition = config.get('partition_key') -%}
    {%- if partition is none -%}
        {{ exceptions.raise_compiler_error("pcn_replace needs partition_key={'column': ..., 'kind': ...}") }}
    {%- endif -%}
    {%- set target_relation = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target_relation }}
    {%- if not build_is_full() %}
    where {{ affected_condition(partition['column'], partition.get('kind', 'pcn')) }}
    {%- endif -%};
    insert into {{ target_relation }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#- Post-hook of every partitioned model: records that it has folded the current build scope in, so the
    pending files are marked folded only once every partitioned model has taken them in (fold_pending_files). -#}
{% macro record_partition_build() -%}
    {{ return(adapter.dispatch('record_partition_build', 'denials')()) }}
{%- endmacro %}

{% macro default__record_partition_build() -%}
{%- endmacro %}

{% macro duckdb__record_partition_build() -%}
    {%- set scope = ref('int_build_scope') -%}
    {#- a selection without the build scope (a model built on its own) folds nothing in -#}
    {%- if execute and not build_lookups().get('build_scope_exists') -%}
        {%- if run_query(
            "select count(*) from information_schema.tables where table_catalog = '" ~ scope.database
            ~ "' and table_schema = '" ~ scope.schema ~ "' and table_name = '" ~ scope.identifier ~ "'"
        ).rows[0][0] == 0 -%}
            {{ return('') }}
        {%- endif -%}
        {%- do build_lookups().update({'build_scope_exists': true}) -%}
    {%- endif -%}
    insert into {{ build_state_schema() }}.partitions_built
    select '{{ this.identifier }}', build_scope_id from {{ scope }}
{%- endmacro %}


{#- on-run-start: the table record_partition_build appends to. Created here, before any model runs: two
    partitioned models finishing at once (threads > 1) that each created it in their post-hook collided
    on a fresh warehouse (DuckDB: catalog write-write conflict), while concurrent appends do not. -#}
{% macro build_state_setup() -%}
    {{ return(adapter.dispatch('build_state_setup', 'denials')()) }}
{%- endmacro %}

{% macro default__build_state_setup() -%}
{%- endmacro %}

{% macro duckdb__build_state_setup() -%}
    {%- set state = build_state_schema() | trim -%}
    create schema if not exists {{ state }};
    create table if not exists {{ state }}.partitions_built (
        model_name varchar, build_scope_id varchar
    );
    create table if not exists {{ state }}.unpublished_changes (
        change_id varchar, model_name varchar, is_whole boolean, recorded_at timestamp
    );
    create table if not exists {{ state }}.unpublished_numbers (
        change_id varchar, patient_control_number varchar
    );
    {%- set published = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
            {%- set column = published_partition_column(node.config, node.fqn) -%}
            {%- if column is not none -%}
                {%- do published.append("('" ~ node.schema ~ "', '" ~ node.alias ~ "', '" ~ column ~ "')") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    create or replace table {{ state }}.published_partitions (
        schema_name varchar, table_name varchar, partition_column varchar
    );
    {%- if published %}
    insert into {{ state }}.published_partitions values {{ published | join(', ') }};
    {%- endif -%}
{%- endmacro %}


{#- Publishing (src/denials/publish.py) copies the marts into the file readers open. A partitioned mart that
    rebuilt only the affected patient control numbers need not be copied whole again: the publish takes the
    previous publication's copy and replaces the rows of the numbers changed since, as the build did. So the
    warehouse keeps a ledger of those changes (build_state.unpublished_changes and unpublished_numbers,
    emptied by each publish), and build_state.published_partitions (rewritten by every dbt invocation)
    lists the marts the publish may update that way, with their partition column. -#}

{#- The partition column of a mart partitioned by PCN, else none: `config` and `fqn` of the node. -#}
{% macro published_partition_column(config, fqn) -%}
    {%- set partition = config.get('partition_key') or {} -%}
    {%- if config.get('incremental_strategy') == 'pcn_replace' and partition.get('kind', 'pcn') == 'pcn'
        and fqn[1] == 'marts' -%}
        {{ return(partition['column']) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- Pre-hook of every partitioned model: a mart the publish may update in place records, before it builds,
    whether this build rewrites it whole (its first build, --full-refresh, or a global input changed) or
    which patient control numbers it replaces. Recorded before and in the model's transaction, so a model
    that fails records nothing it did not do, and a model that succeeds never goes unrecorded. -#}
{% macro record_unpublished_change() -%}
    {{ return(adapter.dispatch('record_unpublished_change', 'denials')()) }}
{%- endmacro %}

{% macro default__record_unpublished_change() -%}
{%- endmacro %}

{% macro duckdb__record_unpublished_change() -%}
    {%- if not execute or model.resource_type != 'model'
        or published_partition_column(config, model.fqn) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set state = build_state_schema() | trim -%}
    {%- set change_id = invocation_id ~ '.' ~ this.identifier -%}
    {%- set whole = not is_incremental() or build_is_full() -%}
    insert into {{ state }}.unpublished_changes
    values ('{{ change_id }}', '{{ this.identifier }}', {{ 'true' if whole else 'false' }}, current_timestamp)
    {%- if not whole -%};
    insert into {{ state }}.unpublished_numbers
    select '{{ change_id }}', affected.patient_control_number
    from ({{ affected_keys('pcn') }}) as affected
    {%- endif -%}
{%- endmacro %}


{#- Where the incremental bookkeeping lives: files folded in, global inputs as last folded, partitions built.
    Not a dbt model (dbt would rebuild it); created on first use. -#}
{% macro build_state_schema() -%}
    build_state
{%- endmacro %}


{#- The relation of a bookkeeping table, or none when it does not exist yet. Asked of the catalog, not of
    dbt's relation cache, which does not see a schema created during the run. -#}
{% macro build_state_relation(name) -%}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set schema = build_state_schema() | trim -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_catalog = '" ~ target.database
        ~ "' and table_schema = '" ~ schema ~ "' and table_name = '" ~ name ~ "'"
    ).rows[0][0] -%}
    {%- if found == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(api.Relation.create(database=target.database, schema=schema, identifier=name)) }}
{%- endmacro %}


{#- on-run-end: when every partitioned model has folded the current build scope in (record_partition_build),
    mark the scope's pending files as folded and keep the global inputs' fingerprints it was built with. The
    next run's affected set then starts from the files after these. Nothing else writes the ledger, so a run
    that stops half-way leaves the files pending and the next run takes them in again. -#}
{% macro fold_pending_files() -%}
    {{ return(adapter.dispatch('fold_pending_files', 'denials')()) }}
{%- endmacro %}

{% macro default__fold_pending_files() -%}
{%- endmacro %}

{% macro duckdb__fold_pending_files() -%}
    {%- if execute -%}
        {%- set partitioned = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and node.config.get('incremental_strategy') == 'pcn_replace' -%}
            {%- do partitioned.append(node.name) -%}
        {%- endfor -%}
        {%- set scope_node = graph.nodes['model.' ~ project_name ~ '.int_build_scope'] -%}
        {%- set pending_node = graph.nodes['model.' ~ project_name ~ '.int_files_pending'] -%}
        {%- set fingerprints_node = graph.nodes['model.' ~ project_name ~ '.int_global_inputs_fingerprinted'] -%}
        {%- set staged = [] -%}
        {%- for name in ['stg_x12_835__claims', 'stg_x12_835__payments', 'stg_x12_837__claims',
                         'stg_administrations__drug_administrations'] -%}
            {%- do staged.append('select file_id from ' ~ graph.nodes['model.' ~ project_name ~ '.' ~ name].relation_name) -%}
        {%- endfor -%}
        {%- set built = build_state_relation('partitions_built') -%}
        {%- set scope = adapter.get_relation(database=scope_node.database, schema=scope_node.schema,
                                             identifier=scope_node.alias) -%}
        {%- if built is not none and scope is not none and partitioned -%}
            {%- set missing = run_query(
                "select count(*) from (values ('" ~ partitioned | join("'), ('") ~ "')) as models (model_name)"
                ~ " where model_name not in (select partitions_built.model_name from " ~ built
                ~ " as partitions_built inner join " ~ scope ~ " as scope"
                ~ " on partitions_built.build_scope_id = scope.build_scope_id)"
            ).rows[0][0] -%}
            {%- if missing == 0 -%}
                {%- set state = build_state_schema() | trim -%}
                {%- call statement('fold_pending_files', fetch_result=False) -%}
                    create table if not exists {{ state }}.files_folded (file_id bigint, build_scope_id varchar);
                    insert into {{ state }}.files_folded
                    select pending.file_id, scope.build_scope_id
                    from {{ pending_node.relation_name }} as pending
                    cross join {{ scope }} as scope
                    where pending.file_id not in (select file_id from {{ state }}.files_folded);
                    -- a retracted file left staging and every partition: forget it
                    delete from {{ state }}.files_folded
                    where file_id not in ({{ staged | join(' union ') }});
                    create or replace table {{ state }}.global_inputs_folded as
                    select * from {{ fingerprints_node.relation_name }};
                    delete from {{ state }}.partitions_built;
                {%- endcall -%}
                {%- do adapter.commit() -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- In a `dbt build`, the data tests of a model this build appended to or rewrote in part read only what it
    wrote: the rows of every other file or PCN are as they were when the build that wrote them tested them.
    At a million claims the data tests over whole tables took longer than the daily build itself.
      - a staging model (appended by file): the files after the last folded build (build_state.files_folded);
      - a partitioned model: the affected PCNs, unless this build rebuilt every partition (int_build_scope),
        as it does when a global input changed.
    `dbt test`, --full-refresh and `--vars '{test_every_row: true}'` test every row. Spark (tables rebuilt in
    full) keeps dbt's own where clause only. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append(where) -%}
    {%- endif -%}
    {%- set written = rows_this_build_wrote(relation) -%}
    {%- if written -%}
        {%- do conditions.append(written) -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where ({{ conditions | join(') and (') }})) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}


{#- A singular test's filter on one of its inputs, the counterpart of rows_this_build_wrote: in a `dbt build`
    on DuckDB that rebuilt only the affected PCNs, only the rows whose `column` (a key of kind `kind`, as in
    affected_keys) belongs to one of them; else a comment, and the test reads every row. Every input of a test
    takes this same PCN scope, staging ones included, so both sides of a comparison hold the same claims; a
    file scope on a staging side would skip the older claims of a PCN the build rebuilt. Only for a test that
    refs a partitioned model: dbt then runs it after this build's affected keys are written, where a test of
    staging alone could read the last build's. `keyword` joins it to the input's own where clause ('and'). -#}
{% macro tested_rows_only(column, kind='pcn', keyword='where') -%}
    {%- if target.type != 'duckdb' or not build_tests_what_it_wrote() or not build_rebuilt_affected_pcns_only() -%}
        {{ return('/* every row */') }}
    {%- endif %}
    {{ keyword }} {{ affected_condition(column, kind) }}
{%- endmacro %}


{#- A singular test's filter on an input it reads without a partitioned model, the file counterpart of
    tested_rows_only: in a `dbt build` on DuckDB, only the rows of the files after the last folded build, as
    rows_this_build_wrote reads a staging model; else a comment, and the test reads every row. The build's
    files fold in at on-run-end, after its last test (a scheduled run's two builds fold at the end of the
    second), so wherever dbt runs the test it sees them, and the files of a build that stopped before
    folding too. Only for a rule whose every compared row lives in one file (an 837 claim and its lines, an
    835 transaction with its claims and adjustments) and whose input keeps a file's rows as staged: an
    older file's rows were tested by the build that staged them, and a retraction rebuilds with
    --full-refresh, which reads every row. A table rebuilt over staging with a seed (a tolerance) can
    change an older file's rows when the seed or the model's code changes: `unless_rebuilt_in_full` reads
    every row when int_build_scope says a global input changed; the test must then depend on
    int_build_scope, so that dbt runs it after this build's scope is written. `keyword` as in
    tested_rows_only. -#}
{% macro tested_files_only(column='file_id', keyword='where', unless_rebuilt_in_full=false) -%}
    {%- set condition = files_this_build_wrote(column) -%}
    {%- if not condition or (unless_rebuilt_in_full and not build_rebuilt_affected_pcns_only()) -%}
        {{ return('/* every row */') }}
    {%- endif %}
    {{ keyword }} {{ condition }}
{%- endmacro %}


{#- The condition that `column`, a file id, is of a file after the last folded build (build_state.files_folded),
    in a `dbt build` on DuckDB that tests what it wrote; else '' for every file (Spark keeps no bookkeeping,
    and before the first folded build every file is new). -#}
{% macro files_this_build_wrote(column='file_id') -%}
    {%- if target.type != 'duckdb' or not build_tests_what_it_wrote() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set looked_up = build_lookups() -%}
    {%- if 'last_folded_file' not in looked_up -%}
        {%- set folded = build_state_relation('files_folded') -%}
        {%- do looked_up.update({'last_folded_file': none if folded is none else max_file_id(folded)}) -%}
    {%- endif -%}
    {%- if looked_up['last_folded_file'] is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(column ~ ' > ' ~ looked_up['last_folded_file']) }}
{%- endmacro %}


{#- True in a `dbt build` whose data tests read only what it wrote: not --full-refresh, not test_every_row. -#}
{% macro build_tests_what_it_wrote() -%}
    {{ return(execute and flags.WHICH == 'build' and not flags.FULL_REFRESH and not var('test_every_row', false)) }}
{%- endmacro %}


{#- True when this build rebuilt only the affected PCNs' partitions: int_build_scope exists (a data test reads it
    from the graph) and does not say every partition was rebuilt. -#}
{% macro build_rebuilt_affected_pcns_only() -%}
    {%- set scope = graph.nodes['model.' ~ project_name ~ '.int_build_scope'] -%}
    {{ return(adapter.get_relation(scope.database, scope.schema, scope.alias) is not none and not build_is_full()) }}
{%- endmacro %}


{#- The condition on `relation`'s rows that this build wrote (see above), or '' for every row. -#}
{% macro rows_this_build_wrote(relation) -%}
    {%- if not build_tests_what_it_wrote() -%}
        {{ return('') }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and node.alias | lower == relation.identifier | lower
        and node.schema | lower == relation.schema | lower -%}
        {%- if node.config.get('incremental_strategy') == 'pcn_replace' -%}
            {%- if not build_rebuilt_affected_pcns_only() -%}
                {{ return('') }}
            {%- endif -%}
            {%- set partition = node.config.get('partition_key') -%}
            {{ return(affected_condition(partition['column'], partition.get('kind', 'pcn'))) }}
        {%- elif node.fqn[1] == 'staging' and 'file_id' in node.columns -%}
            {{ return(files_this_build_wrote()) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
