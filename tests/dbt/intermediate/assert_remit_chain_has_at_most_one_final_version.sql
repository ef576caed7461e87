{{ config(tags=['intermediate', 'remit_chains']) }}

-- why: the final version is what the payer stands by for a claim; marts count a chain once by keeping
-- is_final rows, so a chain with two final versions would double its payment and denials.
-- Returns one row per chain with more than one final version.
with

versions as (
    select
        chain_key,
        is_final
    from {{ ref('int_remit_claim_versions') }}
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
