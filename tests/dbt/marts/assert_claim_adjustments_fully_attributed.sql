-- Attribution loses no cent: for the first version of every remit chain, the denial dollars of its lines'
-- first adjudication (line CAS plus the shares of claim CAS, truncated with the remainder on the last
-- line) add up to the denial dollars of every CAS the remit claim carries.
with

first_versions as (
    select remit_claim_id
    from {{ ref('int_remit_claim_versions') }}
    where version_number = 1 and not is_reversal {{ tested_rows_only('patient_control_number', 'pcn', 'and') }}
),

adjustment_totals as (
    select
        remit_claim_id,
        sum(denied_amount) as denied_amount
    from {{ ref('int_adjustments_classified') }}
    {{ tested_rows_only('remit_claim_id', 'remit_claim_id') }}
    group by remit_claim_id
),

-- the marts show keys as text ('file:transaction:claim')
line_totals as (
    select
        first_remit_claim_id as remit_claim_id,
        sum(initial_denied_amount) as denied_amount
    from {{ ref('fct_adjudicated_lines') }}
    {{ tested_rows_only('claim_control_number') }}
    group by first_remit_claim_id
)

select
    first_versions.remit_claim_id,
    coalesce(adjustment_totals.denied_amount, 0) as adjustment_denied_amount,
    coalesce(line_totals.denied_amount, 0) as line_denied_amount
from first_versions
left join adjustment_totals
    on first_versions.remit_claim_id = adjustment_totals.remit_claim_id
left join line_totals
    on {{ x12_key_label('first_versions.remit_claim_id', 3) }} = line_totals.remit_claim_id
where abs(coalesce(adjustment_totals.denied_amount, 0) - coalesce(line_totals.denied_amount, 0)) > 0.005
