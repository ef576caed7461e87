{{ config(**partitioned_by('patient_control_number')) }}

-- One row per remitted claim (835 CLP, loop 2100) with its place in the reversal/correction chain.
--
-- The steps before this one put the remits of a claim key in order (int_remit_claims_sequenced), link
-- each to the version it follows (int_remit_claims_linked) and find each chain's first version
-- (int_remit_claims_rooted). This model names the version each one replaces and the reversal that
-- reversed it, numbers the versions, picks the final one, flags overturns and sums the chain.
-- The chain's key is payer id + CLP01 + the first version's CLP07 (payer id + CLP01 when that CLP07 is
-- missing). Duplicate claims reusing CLP01 under other CLP07s keep chains of their own; a correction or a
-- reprocessing under a new CLP07 stays in the chain of its claim. Chain sums count standing versions only.
-- A remit in a later file changes is_final and the chain totals of versions loaded earlier, so appending by
-- file would leave them wrong; a chain stays within its claim key (payer + CLP01): partitioned by
-- patient_control_number, a daily build recomputes the chains of the numbers new files carry.

with

remit_claims_sequenced as {{ read_in_place() }} (
    select
        remit_claim_id,
        remit_transaction_id,
        file_id,
        segment_position,
        payer_id,
        payer_id_source,
        patient_control_number,
        payer_claim_control_number,
        claim_key,
        claim_key_sequence,
        remit_date,
        remit_date_source,
        claim_status_code,
        is_reversal,
        is_denied_status,
        claim_charge_amount,
        claim_paid_amount,
        patient_responsibility_amount,
        denied_amount,
        denial_adjustment_count
    from {{ ref('int_remit_claims_sequenced') }}
    {{ affected_only('patient_control_number', 'pcn') }}
),

version_parents as {{ read_in_place() }} (
    select
        remit_claim_id,
        claim_key_sequence,
        reversed_remit_claim_id,
        parent_remit_claim_id
    from {{ ref('int_remit_claims_linked') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

version_chain_roots as (
    select
        remit_claim_id,
        chain_root_remit_claim_id
    from {{ ref('int_remit_claims_rooted') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

---------- the first reversal of each reversed version
reversed_by_ranked as (
    select
        reversed_remit_claim_id,
        remit_claim_id as reversed_by_remit_claim_id,
        row_number() over (
            partition by reversed_remit_claim_id
            order by claim_key_sequence
        ) as reversal_rank
    from version_parents
    where reversed_remit_claim_id is not null
),

reversed_by as (
    select
        reversed_remit_claim_id,
        reversed_by_remit_claim_id
    from reversed_by_ranked
    where reversal_rank = 1
),

---------- each version with its parent, its chain root and the version it replaces
versions_linked as (
    select
        versions.remit_claim_id,
        versions.remit_transaction_id,
        versions.file_id,
        versions.segment_position,
        versions.payer_id,
        versions.payer_id_source,
        versions.patient_control_number,
        versions.payer_claim_control_number,
        versions.claim_key,
        versions.claim_key_sequence,
        versions.remit_date,
        versions.remit_date_source,
        versions.claim_status_code,
        versions.is_reversal,
        versions.claim_charge_amount,
        versions.claim_paid_amount,
        versions.patient_responsibility_amount,
        versions.denied_amount,
        versions.denial_adjustment_count,
        version_parents.parent_remit_claim_id,
        version_parents.reversed_remit_claim_id,
        reversed_by.reversed_by_remit_claim_id,
        coalesce(parents.is_reversal, false) and not versions.is_reversal as is_correction,
        case
            when versions.is_reversal then null
            when parents.is_reversal then parent_links.reversed_remit_claim_id
            else version_parents.parent_remit_claim_id
        end as replaces_remit_claim_id,
        version_chain_roots.chain_root_remit_claim_id,
        roots.payer_claim_control_number as chain_root_payer_claim_control_number
    from remit_claims_sequenced as versions
    inner join version_parents
        on versions.remit_claim_id = version_parents.remit_claim_id
    inner join version_chain_roots
        on versions.remit_claim_id = version_chain_roots.remit_claim_id
    left join remit_claims_sequenced as parents
        on version_parents.parent_remit_claim_id = parents.remit_claim_id
    left join version_parents as parent_links
        on version_parents.parent_remit_claim_id = parent_links.remit_claim_id
    left join remit_claims_sequenced as roots
        on version_chain_roots.chain_root_remit_claim_id = roots.remit_claim_id
    left join reversed_by
        on versions.remit_claim_id = reversed_by.reversed_remit_claim_id
),

versions_compared as (
    select
        versions_linked.remit_claim_id,
        versions_linked.remit_transaction_id,
        versions_linked.file_id,
        versions_linked.segment_position,
        versions_linked.payer_id,
        versions_linked.payer_id_source,
        versions_linked.patient_control_number,
        versions_linked.payer_claim_control_number,
        versions_linked.claim_key,
        versions_linked.claim_key_sequence,
        versions_linked.remit_date,
        versions_linked.remit_date_source,
        versions_linked.claim_status_code,
        versions_linked.is_reversal,
        versions_linked.claim_charge_amount,
        versions_linked.claim_paid_amount,
        versions_linked.patient_responsibility_amount,
        versions_linked.denied_amount,
        versions_linked.denial_adjustment_count,
        versions_linked.parent_remit_claim_id,
        versions_linked.reversed_remit_claim_id,
        versions_linked.reversed_by_remit_claim_id,
        versions_linked.is_correction,
        versions_linked.replaces_remit_claim_id,
        versions_linked.chain_root_remit_claim_id,
        versions_linked.chain_root_payer_claim_control_number,
        -- overturn: a correction after a reversal pays more than the version reversed, or a version
        -- that denied something (a denial CAS, or a denied claim status in claim_status_codes) is
        -- replaced by one that pays more
        coalesce(
            not versions_linked.is_reversal
            and versions_linked.claim_paid_amount > replaced.claim_paid_amount
            and (
                versions_linked.is_correction
                or replaced.denied_amount > 0
                or replaced.is_denied_status
            ),
            false
        ) as is_overturn,
        -- the version the payer stands by: the latest one neither a reversal nor reversed
        max(
            case
                when not versions_linked.is_reversal and versions_linked.reversed_by_remit_claim_id is null
                    then versions_linked.claim_key_sequence
            end
        ) over (partition by versions_linked.chain_root_remit_claim_id) as final_claim_key_sequence
    from versions_linked
    left join remit_claims_sequenced as replaced
        on versions_linked.replaces_remit_claim_id = replaced.remit_claim_id
),

---------- standing versions: the final one, every reversal and every version a reversal cancels; a version
---------- replaced without a reversal (reprocessed) no longer counts, so nothing is counted twice
versions_standing as (
    select
        remit_claim_id,
        chain_root_remit_claim_id,
        claim_key_sequence,
        is_reversal,
        reversed_by_remit_claim_id,
        is_overturn,
        claim_charge_amount,
        claim_paid_amount,
        patient_responsibility_amount,
        denied_amount,
        case
            when is_reversal or reversed_by_remit_claim_id is not null then 1
            when claim_key_sequence = final_claim_key_sequence then 1
            else 0
        end as standing_weight
    from versions_compared
),

versions_ranked as (
    select
        remit_claim_id,
        chain_root_remit_claim_id,
        row_number() over (
            partition by chain_root_remit_claim_id
            order by claim_key_sequence
        ) as version_number,
        count(*) over (partition by chain_root_remit_claim_id) as version_count,
        row_number() over (
            partition by chain_root_remit_claim_id
            order by
                case when not is_reversal and reversed_by_remit_claim_id is null then 0 else 1 end,
                claim_key_sequence desc
        ) as final_rank,
        cast(sum(claim_charge_amount * standing_weight) over (partition by chain_root_remit_claim_id) as decimal(18, 2))
            as chain_net_charge_amount,
        cast(sum(claim_paid_amount * standing_weight) over (partition by chain_root_remit_claim_id) as decimal(18, 2))
            as chain_net_paid_amount,
        cast(
            sum(coalesce(patient_responsibility_amount, 0) * standing_weight)
                over (partition by chain_root_remit_claim_id)
            as decimal(18, 2)
        ) as chain_net_patient_responsibility_amount,
        cast(sum(denied_amount * standing_weight) over (partition by chain_root_remit_claim_id) as decimal(18, 2))
            as chain_net_denied_amount,
        max(case when is_overturn then 1 else 0 end) over (partition by chain_root_remit_claim_id)
            as chain_overturn_flag
    from versions_standing
),

final as (
    select
        ---------- ids and lineage
        versions_compared.remit_claim_id,
        versions_compared.remit_transaction_id,
        versions_compared.file_id,
        versions_compared.segment_position,

        ---------- claim key and chain
        versions_compared.payer_id,
        versions_compared.payer_id_source,
        versions_compared.patient_control_number,
        versions_compared.payer_claim_control_number,
        versions_compared.claim_key,
        versions_compared.claim_key_sequence,
        {{ dbt.concat([
            "versions_compared.claim_key",
            "case when versions_compared.chain_root_payer_claim_control_number is not null then ':' else '' end",
            "coalesce(versions_compared.chain_root_payer_claim_control_number, '')"
        ]) }} as chain_key,
        versions_compared.chain_root_remit_claim_id,
        versions_ranked.version_number,
        versions_ranked.version_count,
        versions_compared.remit_date,
        versions_compared.remit_date_source,

        ---------- place in the chain
        versions_compared.claim_status_code,
        versions_compared.is_reversal,
        versions_compared.parent_remit_claim_id,
        versions_compared.reversed_remit_claim_id,
        versions_compared.reversed_by_remit_claim_id,
        versions_compared.reversed_by_remit_claim_id is not null as is_reversed,
        versions_compared.is_correction,
        versions_compared.replaces_remit_claim_id,
        versions_ranked.final_rank = 1
        and not versions_compared.is_reversal
        and versions_compared.reversed_by_remit_claim_id is null as is_final,
        versions_ranked.version_number = versions_ranked.version_count as is_latest,
        versions_compared.is_overturn,
        versions_ranked.chain_overturn_flag = 1 as is_chain_overturned,

        ---------- amounts of the version, signed as sent (a reversal's are negative)
        versions_compared.claim_charge_amount,
        versions_compared.claim_paid_amount,
        versions_compared.patient_responsibility_amount,
        versions_compared.denied_amount,
        versions_compared.denial_adjustment_count,

        ---------- chain totals: reversals net out, so these are what the payer stands by
        versions_ranked.chain_net_charge_amount,
        versions_ranked.chain_net_paid_amount,
        versions_ranked.chain_net_patient_responsibility_amount,
        versions_ranked.chain_net_denied_amount
    from versions_compared
    inner join versions_ranked
        on versions_compared.remit_claim_id = versions_ranked.remit_claim_id
)

select * from final
