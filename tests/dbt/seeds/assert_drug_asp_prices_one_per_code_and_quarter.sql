-- drug_asp_prices holds at most one payment limit per HCPCS code and quarter: rows returned are duplicates.
select
    hcpcs_code,
    quarter_start_date,
    count(*) as price_count
from {{ ref('drug_asp_prices') }}
group by
    hcpcs_code,
    quarter_start_date
having count(*) > 1
