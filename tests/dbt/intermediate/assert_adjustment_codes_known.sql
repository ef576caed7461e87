{{ config(severity='warn', tags=['intermediate', 'code_sets']) }}

-- why: a CARC or RARC the seeds do not know is classified 'other' (or, for a remark, cannot decide)
-- instead of failing the build; the count of such triplets is what this returns, so a new X12 code list
-- shows up as a warning and a seed update (seeds/README.md, "Updating") rather than as silent 'other'.
-- Returns one row per CAS triplet with an unknown CARC or an unknown remark in its scope.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their remit claims
-- (tested_rows_only, macros/incremental.sql); a changed code seed rebuilds every partition, and every row
-- is read.
with

unknown_code_adjustments as (
    select
        remit_adjustment_id,
        remit_claim_id,
        remit_line_id,
        adjustment_group_code,
        carc_code,
        is_unknown_carc,
        unknown_rarc_count
    from {{ ref('int_adjustments_classified') }}
    where is_unknown_code {{ tested_rows_only('remit_claim_id', 'remit_claim_id', 'and') }}
)

select * from unknown_code_adjustments
