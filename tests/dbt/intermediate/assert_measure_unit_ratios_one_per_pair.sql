-- int_measure_unit_ratios holds one factor per (from, to) measure pair and per (X12 unit code, to) pair, so
-- a drug line joined to it by either key never fans out: rows returned are the duplicated keys.
select
    'measure' as key_kind,
    from_measure_key as from_key,
    to_measure_key,
    count(*) as ratio_count
from {{ ref('int_measure_unit_ratios') }}
group by
    from_measure_key,
    to_measure_key
having count(*) > 1

union all

select
    'x12_unit_code' as key_kind,
    from_x12_unit_code as from_key,
    to_measure_key,
    count(*) as ratio_count
from {{ ref('int_measure_unit_ratios') }}
where from_x12_unit_code is not null
group by
    from_x12_unit_code,
    to_measure_key
having count(*) > 1
