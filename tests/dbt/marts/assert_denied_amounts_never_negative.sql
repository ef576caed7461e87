-- Denied dollars are netted over reversal chains and floored at 0: no mart may show a negative denial.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their rows of the partitioned
-- facts (tested_rows_only, macros/incremental.sql); the worklist is a table rebuilt whole, read whole.
select
    'fct_adjudicated_lines' as model_name,
    adjudicated_line_id as row_id,
    denied_amount
from {{ ref('fct_adjudicated_lines') }}
where denied_amount < 0 {{ tested_rows_only('claim_control_number', 'pcn', 'and') }}
union all
select
    'fct_denials' as model_name,
    denial_id as row_id,
    denied_amount
from {{ ref('fct_denials') }}
where denied_amount < 0 {{ tested_rows_only('claim_control_number', 'pcn', 'and') }}
union all
select
    'mart_appeal_worklist' as model_name,
    denial_id as row_id,
    recoverable_amount as denied_amount
from {{ ref('mart_appeal_worklist') }}
where recoverable_amount <= 0
