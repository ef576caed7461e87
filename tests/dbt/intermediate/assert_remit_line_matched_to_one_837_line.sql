{{ config(severity='warn', tags=['intermediate', 'matching']) }}

-- why: REF*6R is unique per 837 line, so a remit line pairs with one 837 line at most. Two pairs mean two
-- 837 lines of claims with the same payer and CLM01 reuse a line control number (providers that number
-- lines 1, 2, 3 in REF*6R), and the remit line's payment and denials would count twice downstream.
-- Returns one row per remit line paired with more than one 837 line.
with

matches as (
    select
        remit_line_id,
        claim_line_id
    from {{ ref('int_service_lines_matched') }}
    where
        remit_line_id is not null
        and claim_line_id is not null
        {{ tested_rows_only('claim_control_number', 'pcn', 'and') }}
),

remit_lines_fanned_out as (
    select
        remit_line_id,
        count(*) as claim_line_count
    from matches
    group by remit_line_id
    having count(*) > 1
)

select * from remit_lines_fanned_out
