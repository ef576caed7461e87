-- mart_denial_kpis_monthly has one row per month x payer x drug (a null month or payer counts as a value).
select
    kpi_month,
    payer_id,
    drug_code,
    count(*) as row_count
from {{ ref('mart_denial_kpis_monthly') }}
group by
    kpi_month,
    payer_id,
    drug_code
having count(*) > 1
