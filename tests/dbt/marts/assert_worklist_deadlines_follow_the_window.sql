-- Appeal deadline = denying remit date + the payer's window; days left count from the reference date.
select
    denial_id,
    denial_remit_date,
    appeal_window_days,
    appeal_deadline,
    as_of_date,
    days_left_to_appeal
from {{ ref('mart_appeal_worklist') }}
where
    appeal_deadline != cast({{ dbt.dateadd('day', 'appeal_window_days', 'denial_remit_date') }} as date)
    or days_left_to_appeal != {{ dbt.datediff('as_of_date', 'appeal_deadline', 'day') }}
    or is_appeal_window_open != (days_left_to_appeal >= 0)
