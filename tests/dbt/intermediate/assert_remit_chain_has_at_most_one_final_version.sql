{{ config(tags=['intermediate', 'remit_chains']) }}

-- why: the final version is what the payer stands by for a claim; marts count a chain once by keeping
-- is_final rows, so a chain with two final versions would double its payment and denials.
-- Returns one row per chain with more than one final version.
-- A build that rebuilt only some PCNs reads their versions (tested_rows_only, macros/incremental.sql): a
-- chain's versions share its payer and CLP01 (its key starts with them), so each chain read is read whole.
with

versions as (
    select
        chain_key,
        is_final
    from {{ ref('int_remit_claim_versions') }}
    {{ tested_rows_only('patient_control_number') }}
),

chains_with_many_finals as (
    select
        chain_key,
        sum(case when is_final then 1 else 0 end) as final_version_count
    from versions
    group by chain_key
    having sum(case when is_final then 1 else 0 end) > 1
)

select * from chains_with_many_finals
