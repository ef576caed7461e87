-- fct_denials holds exactly the lines ever denied, and each denial-reason mart holds exactly the
-- fct_denials lines of its category.
with

expected as (
    select
        'fct_denials' as model_name,
        count(*) as row_count
    from {{ ref('fct_adjudicated_lines') }}
    where was_ever_denied
    union all
    select
        'mart_denials_unit_errors' as model_name,
        count(*) as row_count
    from {{ ref('fct_denials') }}
    where denial_category = 'unit_error'
    union all
    select
        'mart_denials_medical_necessity' as model_name,
        count(*) as row_count
    from {{ ref('fct_denials') }}
    where denial_category = 'medical_necessity'
    union all
    select
        'mart_denials_missing_auth' as model_name,
        count(*) as row_count
    from {{ ref('fct_denials') }}
    where denial_category = 'missing_auth'
),

actual as (
    select
        'fct_denials' as model_name,
        count(*) as row_count
    from {{ ref('fct_denials') }}
    union all
    select
        'mart_denials_unit_errors' as model_name,
        count(*) as row_count
    from {{ ref('mart_denials_unit_errors') }}
    union all
    select
        'mart_denials_medical_necessity' as model_name,
        count(*) as row_count
    from {{ ref('mart_denials_medical_necessity') }}
    union all
    select
        'mart_denials_missing_auth' as model_name,
        count(*) as row_count
    from {{ ref('mart_denials_missing_auth') }}
)

select
    expected.model_name,
    expected.row_count as expected_rows,
    actual.row_count as actual_rows
from expected
inner join actual
    on expected.model_name = actual.model_name
where expected.row_count != actual.row_count
