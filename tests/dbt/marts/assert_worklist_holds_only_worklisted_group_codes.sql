-- Every worklist row's primary group code is one the group_codes seed puts on the appeal worklist.
select
    mart_appeal_worklist.denial_id,
    mart_appeal_worklist.primary_group_code
from {{ ref('mart_appeal_worklist') }} as mart_appeal_worklist
left join {{ ref('group_codes') }} as group_codes
    on mart_appeal_worklist.primary_group_code = group_codes.group_code
where not coalesce(group_codes.is_appeal_worklisted, false)
