{{ config(**partitioned_by('remit_claim_id', 'remit_claim_id')) }}

-- One row per remark scope (a remit line, or a remit claim for its MOA/MIA remarks) and CARC that a
-- denial_category_pairs pair names, when a remark of the scope (alert or not) is the pair's RARC: the
-- pair's category for a CAS triplet of that scope with that CARC. When several pairs of one CARC match a
-- scope, the first by RARC code counts, so there is one row per scope and CARC. A scope belongs to one remit
-- claim: partitioned by remit_claim_id (kind remit_claim_id).

with

remarks_scoped as (
    select
        remit_claim_id,
        scope_level,
        scope_id,
        rarc_code
    from {{ ref('int_remarks_scoped') }}
    {{ affected_only('remit_claim_id', 'remit_claim_id') }}
),

category_pairs as (
    select
        carc_code,
        rarc_code,
        denial_category
    from {{ ref('denial_category_pairs') }}
),

pairs_matched as (
    select distinct
        remarks_scoped.remit_claim_id,
        remarks_scoped.scope_level,
        remarks_scoped.scope_id,
        category_pairs.carc_code,
        category_pairs.rarc_code,
        category_pairs.denial_category
    from remarks_scoped
    inner join category_pairs
        on remarks_scoped.rarc_code = category_pairs.rarc_code
),

pairs_ranked as (
    select
        remit_claim_id,
        scope_level,
        scope_id,
        carc_code,
        rarc_code,
        denial_category,
        row_number() over (partition by scope_level, scope_id, carc_code order by rarc_code) as pair_rank
    from pairs_matched
)

select
    remit_claim_id,
    scope_level,
    scope_id,
    carc_code,
    rarc_code,
    denial_category
from pairs_ranked
where pair_rank = 1
