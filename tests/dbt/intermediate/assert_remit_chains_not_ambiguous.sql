{{ config(severity='warn', tags=['intermediate', 'matching']) }}

-- why: a patient control number sent to several payers (COB) whose remit names its payer in a way no
-- alias, id or evidence resolves could belong to more than one 837 claim. The matching leaves such a
-- remit unpaired rather than guess; this counts them so the gap is seen (add a payer_aliases row).
-- Returns one row per remit chain left unpaired with candidates; payer ids and counts only.
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their rows
-- (tested_rows_only, macros/incremental.sql).
with

ambiguous_chains as (
    select
        chain_key,
        candidate_claim_count,
        open_chain_count
    from {{ ref('int_remit_chains_paired_across_payers') }}
    where match_method = 'ambiguous' {{ tested_rows_only('patient_control_number', 'pcn', 'and') }}
)

select * from ambiguous_chains
