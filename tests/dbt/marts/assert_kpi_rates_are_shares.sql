-- Every rate of the KPI mart is a share: between 0 and 1 when defined.
select *
from {{ ref('mart_denial_kpis_monthly') }}
where
    {% for rate in ['initial_denial_rate', 'initial_denial_rate_dollars', 'zero_pay_denial_rate',
                    'partial_pay_denial_rate', 'first_pass_yield', 'denial_overturn_rate',
                    'avoidable_denial_share', 'avoidable_denial_share_dollars'] -%}
        ({{ rate }} < 0 or {{ rate }} > 1){% if not loop.last %} or {% endif %}
    {% endfor %}
