-- Pre-bill risk is only for lines the payer has not answered: none of them may be adjudicated.
select prebill.prebill_risk_id
from {{ ref('mart_prebill_risk') }} as prebill
inner join {{ ref('fct_adjudicated_lines') }} as adjudicated
    on prebill.claim_line_id = adjudicated.claim_line_id
