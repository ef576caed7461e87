-- One row: what this build of the partitioned (incremental) models covers. build_scope_id names the build
-- (the dbt invocation that built this row); is_full_rebuild is true when a global input
-- (int_global_inputs_fingerprinted) differs from the last folded build (build_state.global_inputs_folded,
-- written by the on-run-end hook fold_pending_files), or when no earlier build was folded:
--   - a fingerprint folded then and missing now: a row of a global input changed or went away;
--   - a fingerprint new now in a reviewed input (a seed, the payer overrides): a new rule can change old rows.
-- A learned input (payer identity, re-sent ERA detection) that only gains rows, for new identifiers or new
-- transactions, changes nothing already built. A file folded in earlier and no longer in staging (retracted)
-- ('a file was retracted') rebuilds everything too, and so does a new 835 or 837 claim without a patient
-- control number (CLP01 / CLM01 empty), which no partition holds. rebuild_reason names the kinds of input that changed,
-- e.g. 'payer identity changed', for the run's stage line. On engines without the bookkeeping (Spark) every
-- model is a table rebuilt in full anyway, and this row says so.
-- Table, read by every partitioned model (macro build_is_full) and by the pipeline.

{%- set folded = build_state_relation('global_inputs_folded') %}
{%- set folded_files = build_state_relation('files_folded') %}
{#- taken outside the conditional below, so the ref() is seen while parsing #}
{%- set staged = ref('int_files_staged') %}
{%- set pending = ref('int_files_pending') %}
{%- set remit_claims = ref('stg_x12_835__claims') %}
{%- set claims = ref('stg_x12_837__claims') %}
{%- set string = api.Column.translate_type('string') %}

with

current_inputs as (
    select
        input_name,
        input_group,
        is_learned,
        row_fingerprint
    from {{ ref('int_global_inputs_fingerprinted') }}
),

{% if folded is not none -%}
folded_inputs as (
    select
        input_name,
        input_group,
        is_learned,
        row_fingerprint
    from {{ folded }}
),

changed_inputs as (
    select {{ dbt.concat(["folded_inputs.input_group", "' changed'"]) }} as reason
    from folded_inputs
    left join current_inputs
        on
            folded_inputs.input_name = current_inputs.input_name
            and folded_inputs.row_fingerprint = current_inputs.row_fingerprint
    where current_inputs.input_name is null
    union
    select {{ dbt.concat(["current_inputs.input_group", "' changed'"]) }} as reason
    from current_inputs
    left join folded_inputs
        on
            current_inputs.input_name = folded_inputs.input_name
            and current_inputs.row_fingerprint = folded_inputs.row_fingerprint
    where folded_inputs.input_name is null and not current_inputs.is_learned
    {%- if folded_files is not none %}
    union
    -- a file folded in earlier that has left staging: retracted, its rows must leave every partition
    select 'a file was retracted' as reason
    from {{ folded_files }} as files_folded
    where files_folded.file_id not in (select staged.file_id from {{ staged }} as staged)
    {%- endif %}
    union
    -- no partition holds a claim without a patient control number: only a whole build places it
    select 'a claim without a patient control number arrived' as reason
    from (
        select remit_claims.file_id
        from {{ remit_claims }} as remit_claims
        where remit_claims.patient_control_number is null
        union all
        select claims.file_id
        from {{ claims }} as claims
        where claims.claim_control_number is null
    ) as claims_without_number
    where claims_without_number.file_id in (select pending_files.file_id from {{ pending }} as pending_files)
),

reasons as (
    select
        count(*) as changed_group_count,
        {{ dbt.listagg("reason", "', '", "order by reason") }} as rebuild_reason
    from (select distinct reason from changed_inputs) as changed_reasons
)
{%- else -%}
    reasons as (
        select
            1 as changed_group_count,
            cast('no earlier build recorded' as {{ string }}) as rebuild_reason
        from (select count(*) as input_rows from current_inputs) as inputs_counted
    )
{%- endif %}

select
    cast('{{ invocation_id }}' as {{ string }}) as build_scope_id,
    changed_group_count > 0 as is_full_rebuild,
    case when changed_group_count > 0 then rebuild_reason end as rebuild_reason
from reasons
