-- An NDC sent with LIN02 = N4 is 11 digits (5-4-2 without dashes). A warning only: the payer rejects
-- the line (RARC M119), but the claim is still worth analysing. The rule reads one row at a time: a daily
-- build reads its new files only (tested_files_only, macros/incremental.sql).
{{ config(severity='warn') }}

select
    drug_identification_id,
    ndc
from {{ ref('stg_x12_837__drug_identification') }}
where
    product_id_qualifier = 'N4'
    and (
        ndc is null
        or length(ndc) <> 11
        or {{ dbt.safe_cast('ndc', api.Column.translate_type('bigint')) }} is null
    )
    {{ tested_files_only(keyword='and') }}
