"""Staging-layer datasets: code values, reference codes, balancing, ranges and keys, per file."""

from __future__ import annotations

from denials.quality.datasets.keys import key_counts_query, key_counts_sql, model_keys
from denials.quality.datasets.warehouse import Skip, Warehouse, literal, registry_join

STG_835 = "staging.stg_x12_835__"
STG_837 = "staging.stg_x12_837__"


def staging_code_values(wh: Warehouse) -> str:
    wh.require(f"{STG_835}adjustments", f"{STG_835}claims", f"{STG_837}claims")
    # Sparse and wide: each row fills one code column, so each value-set expectation reads its own
    # rows (map expectations ignore nulls). A missing code is '(missing)', which no value set holds.
    return f"""
        with counts as (
            select file_id, coalesce(adjustment_group_code, '(missing)') as adjustment_group_code,
                count(*) as row_count
            from {STG_835}adjustments group by all
            union all by name
            select file_id, coalesce(claim_status_code, '(missing)') as claim_status_code,
                count(*) as row_count
            from {STG_835}claims group by all
            union all by name
            select file_id, coalesce(claim_filing_indicator_code, '(missing)') as clp06_filing_indicator,
                count(*) as row_count
            from {STG_835}claims group by all
            union all by name
            select file_id, coalesce(claim_filing_indicator_code, '(missing)') as sbr09_filing_indicator,
                count(*) as row_count
            from {STG_837}claims group by all
        )
        select counts.file_id, files.file_name, counts.adjustment_group_code, counts.claim_status_code,
            counts.clp06_filing_indicator, counts.sbr09_filing_indicator, counts.row_count
        from counts {registry_join()}
    """


def staging_reference_codes(wh: Warehouse) -> str:
    wh.require(f"{STG_835}claims", f"{STG_835}adjustments", f"{STG_835}remarks")
    carc, rarc = wh.seed("carc_codes"), wh.seed("rarc_codes")
    # RARCs only: LQ01 = RX lines carry NCPDP reject codes, which are not in the RARC list.
    return f"""
        with remit_files as (
            select distinct file_id from {STG_835}claims
        ),
        adjustment_counts as (
            select adjustments.file_id, count(*) as carc_count,
                count(*) filter (where known.carc_code is null) as unknown_carc_count
            from {STG_835}adjustments as adjustments
            left join (select distinct cast(carc_code as varchar) as carc_code from {carc}) as known
                on known.carc_code = adjustments.carc_code
            group by adjustments.file_id
        ),
        remark_counts as (
            select remarks.file_id, count(*) as rarc_count,
                count(*) filter (where known.rarc_code is null) as unknown_rarc_count
            from {STG_835}remarks as remarks
            left join (select distinct cast(rarc_code as varchar) as rarc_code from {rarc}) as known
                on known.rarc_code = remarks.remark_code
            where coalesce(remarks.remark_code_qualifier, 'HE') = 'HE'
            group by remarks.file_id
        ),
        counts as (
            select remit_files.file_id,
                coalesce(adjustment_counts.carc_count, 0) as carc_count,
                coalesce(adjustment_counts.unknown_carc_count, 0) as unknown_carc_count,
                coalesce(remark_counts.rarc_count, 0) as rarc_count,
                coalesce(remark_counts.unknown_rarc_count, 0) as unknown_rarc_count
            from remit_files
            left join adjustment_counts on adjustment_counts.file_id = remit_files.file_id
            left join remark_counts on remark_counts.file_id = remit_files.file_id
        )
        select counts.file_id, files.file_name, counts.carc_count, counts.unknown_carc_count,
            counts.unknown_carc_count / nullif(counts.carc_count, 0) as unknown_carc_share,
            counts.rarc_count, counts.unknown_rarc_count,
            counts.unknown_rarc_count / nullif(counts.rarc_count, 0) as unknown_rarc_share
        from counts {registry_join()}
    """


# The balancing models (models/intermediate/balancing) hold the rules and their tolerance; per level of
# the frame: (column prefix, model).
BALANCING_MODELS: tuple[tuple[str, str], ...] = (
    ("line", "intermediate.int_remit_lines_balanced"),
    ("claim", "intermediate.int_remit_claims_balanced"),
    ("transaction", "intermediate.int_remit_transactions_balanced"),
)


def staging_balancing(wh: Warehouse) -> str:
    wh.require(*(model for _, model in BALANCING_MODELS))
    # dbt's singular tests list the unbalanced rows; this keeps only the count and rate per file.
    counts = "\nunion all by name\n".join(
        f"select file_id, count(*) as {level}_count, "
        f"count(*) filter (where not is_balanced) as unbalanced_{level}_count from {model} group by file_id"
        for level, model in BALANCING_MODELS)
    totals = ", ".join(
        f"sum(coalesce({prefix}{level}_count, 0)) as {prefix}{level}_count"
        for level, _ in BALANCING_MODELS for prefix in ("", "unbalanced_"))
    shares = ", ".join(
        f"per_file.{level}_count, per_file.unbalanced_{level}_count, "
        f"per_file.unbalanced_{level}_count / nullif(per_file.{level}_count, 0) as unbalanced_{level}_share"
        for level, _ in BALANCING_MODELS)
    return f"""
        with counts as ({counts}),
        per_file as (select file_id, {totals} from counts group by file_id)
        select per_file.file_id, files.file_name, {shares}
        from per_file {registry_join('per_file')}
    """


# (table, column, kind). Columns a model does not have (yet) are left out, not failed.
RANGE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (f"{STG_835}payments", "total_paid_amount", "amount"),
    (f"{STG_835}payments", "payment_date", "date"),
    (f"{STG_835}payments", "production_date", "date"),
    (f"{STG_835}claims", "claim_charge_amount", "amount"),
    (f"{STG_835}claims", "claim_paid_amount", "amount"),
    (f"{STG_835}claims", "patient_responsibility_amount", "amount"),
    (f"{STG_835}claims", "statement_from_date", "date"),
    (f"{STG_835}claims", "statement_to_date", "date"),
    (f"{STG_835}claims", "claim_received_date", "date"),
    (f"{STG_835}service_lines", "line_charge_amount", "amount"),
    (f"{STG_835}service_lines", "line_paid_amount", "amount"),
    (f"{STG_835}service_lines", "allowed_amount", "amount"),
    (f"{STG_835}service_lines", "units_paid", "units"),
    (f"{STG_835}service_lines", "original_units", "units"),
    (f"{STG_835}service_lines", "service_date", "date"),
    (f"{STG_835}service_lines", "service_from_date", "date"),
    (f"{STG_835}service_lines", "service_to_date", "date"),
    (f"{STG_835}adjustments", "adjustment_amount", "amount"),
    (f"{STG_835}adjustments", "adjustment_quantity", "units"),
    (f"{STG_835}provider_adjustments", "adjustment_amount", "amount"),
    (f"{STG_837}claims", "total_charge_amount", "amount"),
    (f"{STG_837}claims", "statement_from_date", "date"),
    (f"{STG_837}claims", "statement_to_date", "date"),
    (f"{STG_837}service_lines", "line_charge_amount", "amount"),
    (f"{STG_837}service_lines", "service_unit_count", "units"),
    (f"{STG_837}service_lines", "service_from_date", "date"),
    (f"{STG_837}service_lines", "service_to_date", "date"),
    (f"{STG_837}drug_identification", "ndc_quantity", "units"),
    ("staging.stg_administrations__drug_administrations", "administered_amount", "drug_amount"),
    ("staging.stg_administrations__drug_administrations", "wasted_amount", "drug_amount"),
    ("staging.stg_administrations__drug_administrations", "patient_weight_kg", "weight_kg"),
    ("staging.stg_administrations__drug_administrations", "administered_at", "date"),
)
RANGE_KINDS = ("amount", "units", "drug_amount", "weight_kg", "year")


def staging_ranges(wh: Warehouse) -> str:
    present = [(t, c, k) for t, c, k in RANGE_COLUMNS if c in wh.columns(t) and "file_id" in wh.columns(t)]
    if not present:
        raise Skip("table not built: staging models")
    # Sparse and wide again: one row per file, table and column, with the min and max in the columns of
    # its kind. Dates are reduced to their year, so no patient's date of service is ever shown.
    parts = []
    for table, column, kind in present:
        target = "year" if kind == "date" else kind
        low = f"year(min({column}))" if kind == "date" else f"min({column})::double"
        high = f"year(max({column}))" if kind == "date" else f"max({column})::double"
        parts.append(
            f"select file_id, {literal(table)} as table_name, {literal(column)} as column_name, "
            f"{low} as min_{target}, {high} as max_{target} from {table} "
            f"where {column} is not null group by file_id"
        )
    union = "\nunion all by name\n".join(parts)
    columns = ", ".join(f"ranges.min_{k}, ranges.max_{k}" for k in RANGE_KINDS)
    return f"""
        with ranges as ({union})
        select ranges.table_name, ranges.column_name, ranges.file_id, files.file_name, {columns}
        from ranges {registry_join('ranges')}
    """

def staging_keys(wh: Warehouse) -> str:
    parts = key_counts_sql(wh, model_keys(wh.models_dir, "staging"))
    if not parts:
        raise Skip("table not built: staging models")
    return key_counts_query(parts)


MATCHING_MODELS = ("intermediate.int_claims_matched_to_remits",
                   "intermediate.int_remit_transactions_payer_resolved")
# Below this many remitted claims a payer identifier's match share is not judged (null): too few to say.
MIN_REMITTED_CLAIMS_JUDGED = 20


def staging_remit_matching(wh: Warehouse) -> str:
    wh.require(*MATCHING_MODELS, f"{STG_835}claims", f"{STG_835}payments", f"{STG_837}claims")
    # One row per payer identifier as the 835 names it (N1*PR N104, else REF*2U, else TRN03, else the
    # N1*PR name): whether it resolved to a payer, and the share of its remitted claims (re-sent copies
    # left out, as the models do) matched to a submitted claim. Payer ids and names are not PHI; no claim
    # value leaves DuckDB. Without any 837 claim loaded there is nothing to match against: not judged.
    return f"""
        with remits as (
            select matches.remit_claim_id, matches.match_method <> 'unmatched' as is_matched,
                remit_claims.remit_transaction_id
            from intermediate.int_claims_matched_to_remits as matches
            inner join {STG_835}claims as remit_claims on remit_claims.remit_claim_id = matches.remit_claim_id
            where matches.remit_claim_id is not null
        ),
        transactions as (
            select payments.remit_transaction_id,
                case
                    when payments.payer_id is not null then 'N1*PR04 ' || payments.payer_id
                    when payments.payer_additional_id is not null
                        then 'REF*2U ' || payments.payer_additional_id
                    when payments.trace_payer_id is not null then 'TRN03 ' || payments.trace_payer_id
                    else 'N1*PR02 ' || coalesce(payments.payer_name, '(none)')
                end as payer_identifier,
                resolved.payer_key is not null as is_resolved
            from {STG_835}payments as payments
            inner join intermediate.int_remit_transactions_payer_resolved as resolved
                on resolved.remit_transaction_id = payments.remit_transaction_id
        ),
        judged as (
            select count(*) > 0 as has_claims from {STG_837}claims
        ),
        per_identifier as (
            select transactions.payer_identifier, bool_or(transactions.is_resolved) as is_resolved,
                count(remits.remit_claim_id) as remitted_claim_count,
                count(remits.remit_claim_id) filter (where remits.is_matched) as matched_claim_count
            from transactions
            inner join remits on remits.remit_transaction_id = transactions.remit_transaction_id
            group by transactions.payer_identifier
        )
        select per_identifier.payer_identifier, per_identifier.remitted_claim_count,
            per_identifier.matched_claim_count,
            case when per_identifier.remitted_claim_count >= {MIN_REMITTED_CLAIMS_JUDGED}
                then per_identifier.matched_claim_count / per_identifier.remitted_claim_count
            end as matched_share,
            per_identifier.is_resolved
        from per_identifier
        cross join judged
        where judged.has_claims
    """
