{{
    config(
        materialized='view'
    )
}}

-- One row per line of the user's payer override file (denials.payer_overrides loads it into
-- raw.payer_overrides at each build): payer rows (hcpcs_code null) set type and windows, policy rows
-- replace the payer's policies for one code. A warehouse without that table reads as no overrides.

with

overrides as (
    select
        source_file,
        line_number,
        trim(payer_id) as payer_id,
        payer_type,
        appeal_window_days,
        timely_filing_days,
        upper(trim(hcpcs_code)) as hcpcs_code,
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz,
        effective_from
    from {{ payer_overrides_relation() }} as override_rows
)

select * from overrides
