-- One row per loaded file in staging that the partitioned (incremental) intermediate and mart models have
-- not folded in yet: every staged file on the first build, afterwards the files loaded since the last build
-- whose every partitioned model succeeded (build_state.files_folded, written by the on-run-end hook
-- fold_pending_files). A file can hold several kinds of rows; it is listed once per kind.
-- Table: the affected set and the on-run-end hook read it; both must see the files of this build only.

{%- set folded = build_state_relation('files_folded') %}

select
    file_id,
    file_kind
from {{ ref('int_files_staged') }}
{%- if folded is not none %}
where file_id not in (select files_folded.file_id from {{ folded }} as files_folded)
{%- endif %}
