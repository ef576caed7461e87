-- One row per payer identifier seen on either side (side, identifier type, identifier value) with the one
-- payer key it resolves to and how. Identifier types: 837 NM1_PR_ID (NM109) and NM1_PR_NAME (NM103);
-- 835 N1_PR_ID (N104), N1_PR_NAME (N102), REF_2U and TRN03.
-- Resolution order, first that answers wins:
--   1. alias: the user-editable crosswalk seed payer_aliases (identifier type and value -> payer_id);
--   2. exact_id: an id equal to a payer id the warehouse knows (payers seed or an 837 NM1*PR NM109);
--   3. learned_from_claims: remit claims whose CLP01 equals exactly one 837 CLM01 of the same billing
--      provider (835 N1*PE XX = 837 NPI when both are present) with the same total charge (CLP03 = CLM02)
--      and no conflicting statement dates; when all such remits point at one 837 payer, that is the key.
-- Evidence pointing at several payers leaves the identifier 'ambiguous' (candidate_payer_count > 1),
-- none leaves it 'unresolved': never guessed. A view over small distinct lists, read by the matching.

with

payer_aliases as (
    select
        identifier_type,
        identifier_value,
        payer_id
    from {{ ref('payer_aliases') }}
),

claims as {{ read_in_place() }} (
    select
        claim_id,
        claim_control_number,
        total_charge_amount,
        statement_from_date,
        billing_provider_npi,
        payer_id,
        payer_name
    from {{ ref('stg_x12_837__claims') }}
),

payments as {{ read_in_place() }} (
    select
        remit_transaction_id,
        payer_id,
        payer_name,
        payer_additional_id,
        trace_payer_id,
        payee_id_qualifier,
        payee_id
    from {{ ref('stg_x12_835__payments') }}
),

remit_claims as (
    select
        remit_claim_id,
        remit_transaction_id,
        patient_control_number,
        claim_charge_amount,
        statement_from_date
    from {{ ref('stg_x12_835__claims') }}
    where claim_status_code <> '22'
),

---------- every identifier of a 835 transaction, one row each
payment_identifiers as (
    select
        remit_transaction_id,
        'N1_PR_ID' as identifier_type,
        payer_id as identifier_value
    from payments
    where payer_id is not null
    union all
    select
        remit_transaction_id,
        'N1_PR_NAME' as identifier_type,
        payer_name as identifier_value
    from payments
    where payer_name is not null
    union all
    select
        remit_transaction_id,
        'REF_2U' as identifier_type,
        payer_additional_id as identifier_value
    from payments
    where payer_additional_id is not null
    union all
    select
        remit_transaction_id,
        'TRN03' as identifier_type,
        trace_payer_id as identifier_value
    from payments
    where trace_payer_id is not null
),

identifiers_seen as (
    select distinct
        '837' as side,
        'NM1_PR_ID' as identifier_type,
        payer_id as identifier_value
    from claims
    where payer_id is not null
    union
    select distinct
        '837' as side,
        'NM1_PR_NAME' as identifier_type,
        payer_name as identifier_value
    from claims
    where payer_name is not null
    union
    select distinct
        '835' as side,
        identifier_type,
        identifier_value
    from payment_identifiers
),

known_payer_ids as (
    select payer_id from {{ ref('payers') }}
    union
    select payer_id from claims
    where payer_id is not null
),

---------- 3. evidence: remit claims that point at exactly one 837 claim
remit_claim_candidates as (
    select
        remit_claims.remit_claim_id,
        remit_claims.remit_transaction_id,
        -- the one candidate's payer, once the having clause has kept remit claims with one candidate
        min(claims.payer_id) as claim_payer_id
    from remit_claims
    inner join payments
        on remit_claims.remit_transaction_id = payments.remit_transaction_id
    inner join claims
        on
            remit_claims.patient_control_number = claims.claim_control_number
            and remit_claims.claim_charge_amount = claims.total_charge_amount
            and (
                payments.payee_id_qualifier <> 'XX'
                or payments.payee_id is null
                or claims.billing_provider_npi is null
                or payments.payee_id = claims.billing_provider_npi
            )
            and (
                remit_claims.statement_from_date is null
                or claims.statement_from_date is null
                or remit_claims.statement_from_date = claims.statement_from_date
            )
    group by
        remit_claims.remit_claim_id,
        remit_claims.remit_transaction_id
    having count(*) = 1
),

-- counted per transaction before meeting its identifiers: each transaction has up to four, and joining
-- them to every remit claim first multiplied a million rows by four
transaction_evidence as (
    select
        remit_transaction_id,
        claim_payer_id,
        count(*) as evidence_claim_count
    from remit_claim_candidates
    where claim_payer_id is not null
    group by
        remit_transaction_id,
        claim_payer_id
),

identifier_evidence as (
    select
        payment_identifiers.identifier_type,
        payment_identifiers.identifier_value,
        count(distinct transaction_evidence.claim_payer_id) as candidate_payer_count,
        min(transaction_evidence.claim_payer_id) as learned_payer_id,
        cast(sum(transaction_evidence.evidence_claim_count) as bigint) as evidence_claim_count
    from payment_identifiers
    inner join transaction_evidence
        on payment_identifiers.remit_transaction_id = transaction_evidence.remit_transaction_id
    group by
        payment_identifiers.identifier_type,
        payment_identifiers.identifier_value
),

resolved as (
    select
        identifiers_seen.side,
        identifiers_seen.identifier_type,
        identifiers_seen.identifier_value,
        coalesce(
            payer_aliases.payer_id,
            known_payer_ids.payer_id,
            case when identifier_evidence.candidate_payer_count = 1 then identifier_evidence.learned_payer_id end
        ) as payer_key,
        case
            when payer_aliases.payer_id is not null then 'alias'
            when known_payer_ids.payer_id is not null then 'exact_id'
            when identifier_evidence.candidate_payer_count = 1 then 'learned_from_claims'
            when identifier_evidence.candidate_payer_count > 1 then 'ambiguous'
            else 'unresolved'
        end as resolution_method,
        coalesce(identifier_evidence.candidate_payer_count, 0) as candidate_payer_count,
        coalesce(identifier_evidence.evidence_claim_count, 0) as evidence_claim_count
    from identifiers_seen
    left join payer_aliases
        on
            identifiers_seen.identifier_type = payer_aliases.identifier_type
            and identifiers_seen.identifier_value = payer_aliases.identifier_value
    left join known_payer_ids
        on
            identifiers_seen.identifier_type in ('NM1_PR_ID', 'N1_PR_ID', 'REF_2U', 'TRN03')
            and identifiers_seen.identifier_value = known_payer_ids.payer_id
    left join identifier_evidence
        on
            identifiers_seen.side = '835'
            and identifiers_seen.identifier_type = identifier_evidence.identifier_type
            and identifiers_seen.identifier_value = identifier_evidence.identifier_value
)

select * from resolved
