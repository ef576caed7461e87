-- Pre-bill risk is only for lines the payer has not answered: none of them may be adjudicated.
-- A build that rebuilt only some PCNs reads their lines on both sides (tested_rows_only,
-- macros/incremental.sql): both marts give an 837 line its claim's CLM01, so a line read on one side is
-- read on the other.
with

prebill as (
    select
        prebill_risk_id,
        claim_line_id
    from {{ ref('mart_prebill_risk') }}
    {{ tested_rows_only('claim_control_number') }}
),

adjudicated as (
    select claim_line_id
    from {{ ref('fct_adjudicated_lines') }}
    {{ tested_rows_only('claim_control_number') }}
)

select prebill.prebill_risk_id
from prebill
inner join adjudicated
    on prebill.claim_line_id = adjudicated.claim_line_id
