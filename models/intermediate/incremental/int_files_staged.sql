-- One row per file with rows in staging and each kind of rows it holds ('835', '837', 'administrations'):
-- what the partitioned models could have folded in. Table, read by int_files_pending (what is new) and by
-- int_build_scope (what left staging: a retracted file).

with

remit_files as (
    select distinct file_id from {{ ref('stg_x12_835__claims') }}
    union
    select distinct file_id from {{ ref('stg_x12_835__payments') }}
),

claim_files as (
    select distinct file_id from {{ ref('stg_x12_837__claims') }}
),

administration_files as (
    select distinct file_id from {{ ref('stg_administrations__drug_administrations') }}
),

staged_files as (
    select
        file_id,
        '835' as file_kind
    from remit_files
    union all
    select
        file_id,
        '837' as file_kind
    from claim_files
    union all
    select
        file_id,
        'administrations' as file_kind
    from administration_files
)

select
    file_id,
    file_kind
from staged_files
