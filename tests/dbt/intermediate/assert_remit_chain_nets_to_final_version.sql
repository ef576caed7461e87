{{ config(severity='warn', tags=['intermediate', 'remit_chains']) }}

-- why: a reversal resends the reversed version's amounts negated (TR3 1.10.2.8, X12 RFI 1147), so once
-- reversals net out a chain's total payment equals its final version's payment. A difference means a
-- reversal did not mirror the version it reversed, or a version was re-adjudicated without a reversal
-- (then the chain total double counts). Real payers do both, so this warns.
-- Returns one row per chain whose net payment differs from its final version's (tolerance 0.005).
-- The rule reads one row at a time: a build that rebuilt only some PCNs reads their versions
-- (tested_rows_only, macros/incremental.sql).
with

final_versions as (
    select
        chain_key,
        remit_claim_id,
        claim_paid_amount,
        chain_net_paid_amount
    from {{ ref('int_remit_claim_versions') }}
    where is_final {{ tested_rows_only('patient_control_number', 'pcn', 'and') }}
),

chains_not_netting as (
    select
        chain_key,
        remit_claim_id,
        claim_paid_amount,
        chain_net_paid_amount,
        chain_net_paid_amount - claim_paid_amount as difference_amount
    from final_versions
    where abs(chain_net_paid_amount - claim_paid_amount) > 0.005
)

select * from chains_not_netting
