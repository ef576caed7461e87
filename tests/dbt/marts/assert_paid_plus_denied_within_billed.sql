-- why: a payer that reprocesses a claim without reversing it first (a later remit of the same claim,
-- no CLP02 = 22) must not add the new payment or denial on top of the old one. Whatever the chain, what
-- a line was paid plus what was denied cannot exceed what was billed (SVC02), within the service-line
-- tolerance of the balancing_tolerances seed. Returns one row per line that breaks it (ids and amounts only).
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their lines (tested_rows_only,
-- macros/incremental.sql); a changed seed rebuilds every partition, and every line is read.
with

tolerance as (
    select tolerance_amount
    from {{ ref('balancing_tolerances') }}
    where balancing_level = 'service_line'
),

lines as (
    select
        adjudicated_line_id,
        billed_amount,
        paid_amount,
        denied_amount
    from {{ ref('fct_adjudicated_lines') }}
    {{ tested_rows_only('claim_control_number') }}
)

select
    lines.adjudicated_line_id,
    lines.billed_amount,
    lines.paid_amount,
    lines.denied_amount
from lines
cross join tolerance
where
    coalesce(lines.paid_amount, 0) + coalesce(lines.denied_amount, 0)
    > abs(coalesce(lines.billed_amount, 0)) + tolerance.tolerance_amount
