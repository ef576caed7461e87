-- An 837 level whose HL02 names no level before it in its transaction set has no parent: the claims under
-- it get no billing provider (a subscriber level) or no payer (a patient level), so their denials lose a
-- payer or provider without a word. A warning only: the file is the sender's, and its other claims are
-- still worth analysing. The rule reads one row at a time: a daily build reads its new files only
-- (tested_files_only, macros/incremental.sql).
{{ config(severity='warn') }}

select
    hierarchical_level_id,
    file_id,
    segment_position
from {{ ref('stg_x12_837__hierarchical_levels') }}
where
    parent_hl_id is not null
    and parent_hl_segment_position is null
    {{ tested_files_only(keyword='and') }}
