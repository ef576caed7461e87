-- One row per ordered pair of measures of the same dimension in the measure_units seed (from_measure,
-- to_measure), each measure paired with itself too: the factor that converts an amount in from_measure into
-- to_measure (mg -> mcg = 1000, mcg -> mg = 0.001, IU -> IU = 1, lb -> kg = 0.45359237). Measures of
-- different dimensions (IU -> mg) have no row, so an amount joined to no row stays null, never wrong.
-- The keys are lower-case (measures compare case-insensitively); from_x12_unit_code is the X12 element 355
-- code of from_measure (837 CTP05-1 ME/GR/F2, PAT07 01), so an X12 quantity converts without first looking
-- its measure up. The one place drug models read unit conversion from (the generator reads the same seed).
-- A table: a few dozen rows joined by every drug line.

{{
    config(
        materialized='table'
    )
}}

with

measure_units as (
    select
        measure,
        dimension,
        base_unit_factor,
        x12_unit_code
    from {{ ref('measure_units') }}
),

measure_pairs as (
    select
        lower(from_units.measure) as from_measure_key,
        lower(to_units.measure) as to_measure_key,
        from_units.measure as from_measure,
        to_units.measure as to_measure,
        upper(from_units.x12_unit_code) as from_x12_unit_code,
        from_units.dimension,
        from_units.base_unit_factor / to_units.base_unit_factor as conversion_factor
    from measure_units as from_units
    inner join measure_units as to_units
        on from_units.dimension = to_units.dimension
)

select * from measure_pairs
