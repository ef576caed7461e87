{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- One row per drug-administration record of a loaded administrations CSV, typed. The loader has
-- already checked every value against these casts, so they only fail on files loaded by older
-- loaders (then null). administered_at is the local time as written; a UTC offset, when the file
-- gives one, is kept beside it and applied in administered_at_utc.

with

loaded_files as (
    select file_id
    from {{ source('raw', 'file_registry') }}
    where status = 'loaded'
),

administrations as (
    select
        file_id,
        row_number,
        administration_id,
        claim_control_number,
        line_control_number,
        hcpcs_code,
        ndc,
        administered_amount,
        administered_unit,
        wasted_amount,
        patient_weight_kg,
        administered_at
    from {{ source('raw', 'drug_administrations') }}
    where
        file_id in (select loaded_files.file_id from loaded_files)
        {{ new_files_only() }}
),

with_utc_offsets as (
    select
        administrations.*,
        {{ iso_utc_offset('administered_at') }} as administered_at_offset
    from administrations
),

renamed as (
    select
        ---------- ids and lineage
        {{ text_key(['file_id', 'administration_id']) }} as drug_administration_id,
        file_id,
        row_number,
        trim(administration_id) as administration_id,

        ---------- what was billed
        trim(claim_control_number) as claim_control_number,
        trim(line_control_number) as line_control_number,
        upper(trim(hcpcs_code)) as hcpcs_code,
        replace(trim(ndc), '-', '') as ndc,

        ---------- what was given
        {{ dbt.safe_cast('administered_amount', 'decimal(18, 4)') }} as administered_amount,
        {{ dbt.safe_cast('wasted_amount', 'decimal(18, 4)') }} as wasted_amount,
        case
            when lower(trim(administered_unit)) in ('mcg', 'mg') then lower(trim(administered_unit))
            when upper(trim(administered_unit)) = 'IU' then 'IU'
            else trim(administered_unit)
        end as administered_unit,
        {{ dbt.safe_cast('nullif(trim(patient_weight_kg), \'\')', 'decimal(18, 4)') }} as patient_weight_kg,
        {{ dbt.safe_cast(
            'substr(administered_at, 1, length(administered_at) - length(administered_at_offset))',
            api.Column.translate_type('timestamp')) }} as administered_at,
        {{ iso_utc_offset_minutes('administered_at_offset') }} as administered_at_utc_offset_minutes
    from with_utc_offsets
),

in_utc as (
    select
        renamed.*,
        {{ dbt.dateadd('minute', '-administered_at_utc_offset_minutes', 'administered_at') }}
            as administered_at_utc
    from renamed
)

select * from in_utc
