-- An administration has a UTC time exactly when its file gave a UTC offset, the offset is one that
-- exists (at most 14 hours either side of UTC), and the UTC time is the local time minus the offset.
-- The rule reads one row at a time: a daily build reads its new files only (tested_files_only,
-- macros/incremental.sql).

with

administrations as (
    select
        drug_administration_id,
        administered_at,
        administered_at_utc_offset_minutes,
        administered_at_utc
    from {{ ref('stg_administrations__drug_administrations') }}
    {{ tested_files_only() }}
),

inconsistent_administrations as (
    select
        drug_administration_id,
        administered_at,
        administered_at_utc_offset_minutes,
        administered_at_utc
    from administrations
    where
        (administered_at_utc_offset_minutes is null) <> (administered_at_utc is null)
        or abs(administered_at_utc_offset_minutes) > 14 * 60
        or {{ dbt.datediff('administered_at_utc', 'administered_at', 'minute') }}
        <> administered_at_utc_offset_minutes
)

select * from inconsistent_administrations
