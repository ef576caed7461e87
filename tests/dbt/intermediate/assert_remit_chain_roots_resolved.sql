{{ config(tags=['intermediate', 'remit_chains']) }}

-- why: int_remit_claim_versions finds each chain's first version by pointer doubling over a bounded number
-- of jumps (no recursive SQL). A chain with more reversal/correction hand-overs than the jumps cover would
-- stop short of its first version and split; the first version of every chain has no parent, is version 1,
-- and gives the chain its key alone.
-- Returns one row per version whose chain root is not a true first version.
-- A build that rebuilt only some PCNs reads their versions (tested_rows_only, macros/incremental.sql): a
-- chain's versions share its payer and CLP01 (its key starts with them) and its root is one of them, so
-- each chain read is read whole, with its root.
with

versions as (
    select
        remit_claim_id,
        chain_key,
        chain_root_remit_claim_id,
        parent_remit_claim_id,
        version_number
    from {{ ref('int_remit_claim_versions') }}
    {{ tested_rows_only('patient_control_number') }}
),

chain_keys_with_many_roots as (
    select chain_key
    from versions
    group by chain_key
    having count(distinct chain_root_remit_claim_id) > 1
),

unresolved_versions as (
    select
        versions.remit_claim_id,
        versions.chain_key,
        versions.chain_root_remit_claim_id
    from versions
    inner join versions as roots
        on versions.chain_root_remit_claim_id = roots.remit_claim_id
    left join chain_keys_with_many_roots
        on versions.chain_key = chain_keys_with_many_roots.chain_key
    where
        roots.parent_remit_claim_id is not null
        or roots.version_number != 1
        or chain_keys_with_many_roots.chain_key is not null
)

select * from unresolved_versions
