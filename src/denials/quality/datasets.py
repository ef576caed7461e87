"""What each suite validates: one small, identifier-free table per suite, computed in DuckDB.

Great Expectations never touches DuckDB here. Its SQL datasource over duckdb-engine returns empty
batches (great_expectations#11579), and an empty batch passes every expectation, so each dataset is a
read-only DuckDB query whose result is handed to a pandas dataframe asset, in chunks of at most
`chunk_rows` rows. The queries aggregate first (one row per file, per file and code, per table or per
payer), so the frames stay small whatever the warehouse holds, and they select counts, shares, codes,
years and lineage (file_id, file_name, table and column names) only: claim and patient control numbers,
member ids and names never leave DuckDB, so they cannot appear in a result, the results table or the
Data Docs. `assert_identifier_free` enforces that on every frame.

A dataset whose tables are not built yet (staging before `denials build`, marts while they are being
written) is skipped with the reason, never validated as empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from denials.transform import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
SEEDS_DIR = PROJECT_ROOT / "seeds"

# Column names that hold (or may hold) identifiers or names. A dataset frame with such a column is a bug.
IDENTIFIER_COLUMN = re.compile(
    r"(control_number|patient|member|subscriber|insured|_name$|^name$|npi|ssn|birth|address|phone"
    r"|identification_code|prior_authorization|reference_number|trace_number|line_note|claim_note)"
)
ALLOWED_NAME_COLUMNS = frozenset({"file_name", "table_name", "column_name", "key_column"})


_SCHEMA_REFERENCE = re.compile(r"(?<![\w\"'./])(raw|staging|intermediate|marts|reference|quality)\.(\w+)\b")


class Skip(Exception):
    """The dataset cannot be built on this warehouse (a table or column is missing); the reason says why."""


def assert_identifier_free(name: str, columns: list[str]) -> None:
    flagged = [c for c in columns if c not in ALLOWED_NAME_COLUMNS and IDENTIFIER_COLUMN.search(c)]
    if flagged:
        raise ValueError(f"dataset {name} selects identifier columns {flagged}: "
                         "aggregate them in SQL instead")


class Warehouse:
    """What a dataset query may look at: the read-only connection, the tables present, the seeds."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seeds_dir: Path = SEEDS_DIR,
                 models_dir: Path = MODELS_DIR) -> None:
        self.con = con
        self.seeds_dir = seeds_dir
        self.models_dir = models_dir
        self.catalog = con.execute("select current_database()").fetchone()[0]
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()"
        ).fetchall()
        self._columns: dict[str, list[str]] = {}
        for schema, table, column in rows:
            self._columns.setdefault(f"{schema}.{table}", []).append(column)

    def qualify(self, sql: str) -> str:
        """Prefix the warehouse's schemas with its catalog: a file named marts.duckdb (catalog `marts`) would
        otherwise make `marts.fct_denials` ambiguous."""
        catalog = '"' + self.catalog.replace('"', '""') + '"'
        return _SCHEMA_REFERENCE.sub(lambda m: f"{catalog}.{m.group(1)}.{m.group(2)}", sql)

    def has(self, table: str) -> bool:
        return table in self._columns

    def columns(self, table: str) -> list[str]:
        return self._columns.get(table, [])

    def tables_in(self, schema: str) -> list[str]:
        return sorted(t for t in self._columns if t.split(".", 1)[0] == schema)

    def require(self, *tables: str) -> None:
        missing = [t for t in tables if not self.has(t)]
        if missing:
            raise Skip(f"table not built: {', '.join(missing)}")

    def pick(self, table: str, candidates: tuple[str, ...], role: str) -> str:
        for column in candidates:
            if column in self.columns(table):
                return column
        raise Skip(f"{table} has no column for {role} (looked for {', '.join(candidates)})")

    def seed(self, name: str) -> str:
        """A relation for a seed: the table dbt loaded into `reference`, else the CSV in seeds/."""
        if self.has(f"reference.{name}"):
            return f"reference.{name}"
        path = self.seeds_dir / f"{name}.csv"
        return f"read_csv({_literal(str(path))}, header = true, all_varchar = true)"

    def seed_values(self, name: str, column: str, where: str | None = None) -> list[str]:
        sql = f"select distinct cast({column} as varchar) from {self.seed(name)}"
        if where:
            sql += f" where {where}"
        return sorted(row[0] for row in self.con.execute(self.qualify(sql)).fetchall() if row[0] is not None)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Dataset:
    """One suite's input. `name` is also the suite, data asset, validation definition and checkpoint name."""

    name: str
    layer: str
    grain: str  # what one row is
    tables: tuple[str, ...]  # the warehouse tables it reads (named in messages)
    index_columns: tuple[str, ...]  # identify a failing row in messages; never identifiers
    build: Callable[[Warehouse], str]  # the SQL, or raises Skip
    notes: Callable[[Warehouse], list[str]] | None = None  # e.g. the tables skipped in a partial run

    @property
    def suite(self) -> str:
        return self.name


def _registry_join(alias: str = "counts") -> str:
    return f"left join raw.file_registry as files on files.file_id = {alias}.file_id"


# ---------------------------------------------------------------- raw (runs right after ingest, before dbt)

def _raw_file_registry(wh: Warehouse) -> str:
    wh.require("raw.file_registry")
    # SE01/GE01/IEA01 mismatches are the loader's count warnings (src/denials/x12/envelope.py).
    return """
        select
            file_id,
            file_name,
            file_kind,
            status,
            case when status <> 'loaded' then coalesce(trim(reason), '') <> '' end as has_reason,
            case when status = 'loaded' and file_kind = 'x12' then
                len(list_filter(coalesce(warnings, []),
                                lambda w: regexp_matches(w, '^(SE01|GE01|IEA01) '))) > 0
            end as has_count_warning
        from raw.file_registry
    """


def _raw_remittance_resends(wh: Warehouse) -> str:
    wh.require("raw.file_registry", "raw.x12_transactions", "raw.x12_segments")
    # The same payment (BPR02 amount, TRN02 trace, TRN03 originating company, N1*PR payer id) in two
    # loaded files: a re-sent remittance under a new envelope, whose hash differs, so the loader could
    # not call it a duplicate. Counting both would double the money. The later file is the re-send.
    return """
        with loaded_files as (
            select file_id, file_name from raw.file_registry where status = 'loaded'
        ),
        remit_transactions as (
            select transactions.file_id, transactions.transaction_seq
            from raw.x12_transactions as transactions
            inner join loaded_files on loaded_files.file_id = transactions.file_id
            where transactions.transaction_set_id = '835'
        ),
        payments as (
            select
                segments.file_id,
                segments.transaction_seq,
                max(case when segments.segment_id = 'BPR'
                    then try_cast(segments.elements[2] as decimal(18, 2)) end) as paid_amount,
                max(case when segments.segment_id = 'TRN' then segments.elements[2] end) as trace,
                max(case when segments.segment_id = 'TRN' then segments.elements[3] end) as trace_payer,
                max(case when segments.segment_id = 'N1' and segments.elements[1] = 'PR'
                    then segments.elements[4] end) as payer
            from raw.x12_segments as segments
            inner join remit_transactions
                on remit_transactions.file_id = segments.file_id
                and remit_transactions.transaction_seq = segments.transaction_seq
            where segments.segment_id in ('BPR', 'TRN', 'N1') and segments.loop_id in ('header', '1000A')
            group by segments.file_id, segments.transaction_seq
        ),
        keyed as (
            select
                file_id,
                min(file_id) over (partition by paid_amount, trace, trace_payer, payer) as first_file_id
            from payments
            where trace is not null
        )
        select
            loaded_files.file_id,
            loaded_files.file_name,
            count(keyed.file_id) as transaction_count,
            count(keyed.file_id) filter (where keyed.first_file_id <> keyed.file_id)
                as resent_transaction_count,
            min(keyed.first_file_id) filter (where keyed.first_file_id <> keyed.file_id)
                as first_sent_in_file_id
        from keyed
        inner join loaded_files on loaded_files.file_id = keyed.file_id
        group by loaded_files.file_id, loaded_files.file_name
    """


# ---------------------------------------------------------------- staging

STG_835 = "staging.stg_x12_835__"
STG_837 = "staging.stg_x12_837__"


def _staging_code_values(wh: Warehouse) -> str:
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
        from counts {_registry_join()}
    """


def _staging_reference_codes(wh: Warehouse) -> str:
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
        from counts {_registry_join()}
    """


def _staging_balancing(wh: Warehouse) -> str:
    wh.require(f"{STG_835}payments", f"{STG_835}claims", f"{STG_835}service_lines",
               f"{STG_835}adjustments", f"{STG_835}provider_adjustments")
    # The three rules of the dbt singular tests in tests/dbt/x12_835/ (missing amounts count as 0,
    # tolerance 0.005). dbt lists the unbalanced rows; this keeps only the rate per file.
    return f"""
        with line_adjustments as (
            select remit_line_id, sum(adjustment_amount) as adjustment_amount
            from {STG_835}adjustments where adjustment_level = 'line' group by remit_line_id
        ),
        lines as (
            select service_lines.file_id,
                abs(coalesce(service_lines.line_charge_amount, 0)
                    - coalesce(line_adjustments.adjustment_amount, 0)
                    - coalesce(service_lines.line_paid_amount, 0)) > 0.005 as is_unbalanced
            from {STG_835}service_lines as service_lines
            left join line_adjustments on line_adjustments.remit_line_id = service_lines.remit_line_id
        ),
        claim_adjustments as (
            select remit_claim_id, sum(adjustment_amount) as adjustment_amount
            from {STG_835}adjustments group by remit_claim_id
        ),
        claims as (
            select claims.file_id,
                abs(coalesce(claims.claim_charge_amount, 0) - coalesce(claim_adjustments.adjustment_amount, 0)
                    - coalesce(claims.claim_paid_amount, 0)) > 0.005 as is_unbalanced
            from {STG_835}claims as claims
            left join claim_adjustments on claim_adjustments.remit_claim_id = claims.remit_claim_id
        ),
        claim_totals as (
            select remit_transaction_id, sum(claim_paid_amount) as claim_paid_amount
            from {STG_835}claims group by remit_transaction_id
        ),
        provider_totals as (
            select remit_transaction_id, sum(adjustment_amount) as adjustment_amount
            from {STG_835}provider_adjustments group by remit_transaction_id
        ),
        transactions as (
            select payments.file_id,
                abs(coalesce(claim_totals.claim_paid_amount, 0)
                    - coalesce(provider_totals.adjustment_amount, 0)
                    - coalesce(payments.total_paid_amount, 0)) > 0.005 as is_unbalanced
            from {STG_835}payments as payments
            left join claim_totals on claim_totals.remit_transaction_id = payments.remit_transaction_id
            left join provider_totals on provider_totals.remit_transaction_id = payments.remit_transaction_id
        ),
        counts as (
            select file_id, count(*) as transaction_count,
                count(*) filter (where is_unbalanced) as unbalanced_transaction_count,
                0 as claim_count, 0 as unbalanced_claim_count, 0 as line_count, 0 as unbalanced_line_count
            from transactions group by file_id
            union all by name
            select file_id, count(*) as claim_count,
                count(*) filter (where is_unbalanced) as unbalanced_claim_count
            from claims group by file_id
            union all by name
            select file_id, count(*) as line_count,
                count(*) filter (where is_unbalanced) as unbalanced_line_count
            from lines group by file_id
        ),
        per_file as (
            select file_id,
                sum(coalesce(line_count, 0)) as line_count,
                sum(coalesce(unbalanced_line_count, 0)) as unbalanced_line_count,
                sum(coalesce(claim_count, 0)) as claim_count,
                sum(coalesce(unbalanced_claim_count, 0)) as unbalanced_claim_count,
                sum(coalesce(transaction_count, 0)) as transaction_count,
                sum(coalesce(unbalanced_transaction_count, 0)) as unbalanced_transaction_count
            from counts group by file_id
        )
        select per_file.file_id, files.file_name,
            per_file.line_count, per_file.unbalanced_line_count,
            per_file.unbalanced_line_count / nullif(per_file.line_count, 0) as unbalanced_line_share,
            per_file.claim_count, per_file.unbalanced_claim_count,
            per_file.unbalanced_claim_count / nullif(per_file.claim_count, 0) as unbalanced_claim_share,
            per_file.transaction_count, per_file.unbalanced_transaction_count,
            per_file.unbalanced_transaction_count / nullif(per_file.transaction_count, 0)
                as unbalanced_transaction_share
        from per_file {_registry_join('per_file')}
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


def _staging_ranges(wh: Warehouse) -> str:
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
            f"select file_id, {_literal(table)} as table_name, {_literal(column)} as column_name, "
            f"{low} as min_{target}, {high} as max_{target} from {table} "
            f"where {column} is not null group by file_id"
        )
    union = "\nunion all by name\n".join(parts)
    columns = ", ".join(f"ranges.min_{k}, ranges.max_{k}" for k in RANGE_KINDS)
    return f"""
        with ranges as ({union})
        select ranges.table_name, ranges.column_name, ranges.file_id, files.file_name, {columns}
        from ranges {_registry_join('ranges')}
    """


def model_keys(models_dir: Path, layer: str) -> dict[str, str]:
    """`schema.model` -> its key column: the first column with a `unique` test in the layer's YAML."""
    keys: dict[str, str] = {}
    folder = models_dir / layer
    if not folder.is_dir():
        return keys
    for path in sorted(folder.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for column in model.get("columns") or []:
                tests = [*(column.get("data_tests") or []), *(column.get("tests") or [])]
                names = {t if isinstance(t, str) else next(iter(t), "") for t in tests}
                if "unique" in names:
                    keys[f"{layer}.{model['name']}"] = column["name"]
                    break
    return keys


def _key_counts_sql(wh: Warehouse, keys: dict[str, str],
                    file_columns: tuple[str, ...] = ("file_id",)) -> list[str]:
    parts = []
    for table, key in sorted(keys.items()):
        if key not in wh.columns(table):
            continue
        file_column = next((c for c in file_columns if c in wh.columns(table)), None)
        parts.append(
            f"select {_literal(table)} as table_name, {_literal(key)} as key_column, "
            f"{file_column + '::bigint' if file_column else 'null::bigint'} as file_id, "
            "count(*) as row_count, "
            f"count(*) - count({key}) as null_key_count from {table}"
            + (f" group by {file_column}" if file_column else "")
        )
    return parts


def _staging_keys(wh: Warehouse) -> str:
    parts = _key_counts_sql(wh, model_keys(wh.models_dir, "staging"))
    if not parts:
        raise Skip("table not built: staging models")
    union = "\nunion all\n".join(parts)
    return f"""
        with counts as ({union})
        select counts.table_name, counts.key_column, counts.file_id, files.file_name, counts.row_count,
            counts.null_key_count
        from counts {_registry_join()}
    """


# ---------------------------------------------------------------- marts (written ahead of the marts)

# The marts issue names these tables (and KPI tables, whose names are not settled: every other table dbt
# builds in `marts` is checked too). marts.keys reports "skipped: table not built" for each one missing.
MART_TABLES: tuple[str, ...] = (
    "marts.fct_denials",
    "marts.mart_denials_medical_necessity",
    "marts.mart_denials_unit_errors",
    "marts.mart_denials_missing_auth",
    "marts.mart_appeal_worklist",
    "marts.mart_prebill_risk",
)
# Key column when a mart's YAML does not mark one `unique` (first match wins).
MART_KEY_CANDIDATES: tuple[str, ...] = (
    "denial_id", "adjudicated_line_id", "worklist_id", "risk_id", "kpi_id", "claim_line_id", "remit_line_id",
    "claim_id", "remit_claim_id",
)
# Column naming the file a mart row came from, to name it in messages (marts carry the 835's file id).
MART_FILE_COLUMNS: tuple[str, ...] = ("file_id", "remit_file_id", "claim_file_id")
FCT_DENIALS = "marts.fct_denials"
FCT_ADJUDICATED_LINES = "marts.fct_adjudicated_lines"
# Roles the fct_denials checks need, with the column names they accept (first match wins).
PAYER_COLUMNS = ("payer_id",)
CATEGORY_COLUMNS = ("denial_category",)
DENIED_AMOUNT_COLUMNS = ("denied_amount", "denial_amount")
# The denied unit: fct_denials is one row per 837 service line denied at least once.
DENIED_UNIT_COLUMNS = ("claim_line_id", "remit_line_id", "claim_id", "remit_claim_id")


def mart_tables(wh: Warehouse) -> list[str]:
    """The marts the suites know of, plus any other table dbt has built in `marts`."""
    return sorted(set(MART_TABLES) | set(wh.tables_in("marts")))


def _mart_keys(wh: Warehouse) -> dict[str, str]:
    """Built mart -> key column ('' when neither its YAML nor the usual names give one)."""
    declared = model_keys(wh.models_dir, "marts")
    keys = {}
    for table in mart_tables(wh):
        if wh.has(table):
            key = declared.get(table) or next((c for c in MART_KEY_CANDIDATES if c in wh.columns(table)), "")
            keys[table] = key if key in wh.columns(table) else ""
    return keys


def _marts_notes(wh: Warehouse) -> list[str]:
    notes = [f"skipped: table not built: {t}" for t in MART_TABLES if not wh.has(t)]
    notes += [f"not key-checked: {t} has no column marked unique in the marts' YAML"
              for t, key in _mart_keys(wh).items() if not key]
    return notes


def _marts_keys(wh: Warehouse) -> str:
    keys = _mart_keys(wh)
    if not keys:
        raise Skip(f"table not built: {', '.join(MART_TABLES)}")
    parts = _key_counts_sql(wh, {t: k for t, k in keys.items() if k}, MART_FILE_COLUMNS)
    if not parts:
        raise Skip("no key column found in the built marts (mark one `unique` in the marts' YAML)")
    union = "\nunion all\n".join(parts)
    return f"""
        with counts as ({union})
        select counts.table_name, counts.key_column, counts.file_id, files.file_name, counts.row_count,
            counts.null_key_count
        from counts {_registry_join()}
    """


def _marts_denial_rates(wh: Warehouse) -> str:
    wh.require(FCT_DENIALS)
    payer = wh.pick(FCT_DENIALS, PAYER_COLUMNS, "the payer")
    unit = wh.pick(FCT_DENIALS, DENIED_UNIT_COLUMNS, "the denied line or claim")
    # Denominator: adjudicated (remitted) lines per payer at the same grain, from fct_adjudicated_lines;
    # without it, remitted 835 lines (or claims) from staging.
    if wh.has(FCT_ADJUDICATED_LINES) and {unit, payer} <= set(wh.columns(FCT_ADJUDICATED_LINES)):
        remitted_filter = ("where first_remit_date is not null"
                           if "first_remit_date" in wh.columns(FCT_ADJUDICATED_LINES) else "")
        remitted = f"""
            select {payer} as payer_id, count(distinct {unit}) as remitted_count
            from {FCT_ADJUDICATED_LINES} {remitted_filter} group by {payer}"""
    else:
        wh.require(f"{STG_835}payments", f"{STG_835}claims", f"{STG_835}service_lines")
        remits = f"{STG_835}claims" if unit in ("claim_id", "remit_claim_id") else f"{STG_835}service_lines"
        remitted = f"""
            select payments.payer_id, count(*) as remitted_count
            from {remits} as remitted
            inner join {STG_835}payments as payments
                on payments.remit_transaction_id = remitted.remit_transaction_id
            group by payments.payer_id"""
    # Payers with fewer than 50 remitted lines get no rate (null, not judged): too few to say.
    return f"""
        with remitted as ({remitted}),
        denied as (
            select {payer} as payer_id, count(distinct {unit}) as denied_count
            from {FCT_DENIALS} group by {payer}
        )
        select coalesce(remitted.payer_id, denied.payer_id) as payer_id,
            coalesce(remitted.remitted_count, 0) as remitted_count,
            coalesce(denied.denied_count, 0) as denied_count,
            case when remitted.remitted_count >= 50
                then coalesce(denied.denied_count, 0) / remitted.remitted_count end as denial_rate
        from remitted
        full outer join denied on denied.payer_id = remitted.payer_id
    """


def _marts_denial_categories(wh: Warehouse) -> str:
    wh.require(FCT_DENIALS)
    category = wh.pick(FCT_DENIALS, CATEGORY_COLUMNS, "the denial category")
    return f"""
        with counts as (
            select coalesce({category}, '(missing)') as denial_category, count(*) as denial_count
            from {FCT_DENIALS} group by 1
        )
        select denial_category, denial_count,
            denial_count / sum(denial_count) over () as denial_share,
            case when denial_category in ('other', '(missing)')
                then denial_count / sum(denial_count) over () end as unclassified_share
        from counts
    """


def _marts_denied_dollars(wh: Warehouse) -> str:
    wh.require(FCT_DENIALS)
    payer = wh.pick(FCT_DENIALS, PAYER_COLUMNS, "the payer")
    amount = wh.pick(FCT_DENIALS, DENIED_AMOUNT_COLUMNS, "the denied amount")
    unit = wh.pick(FCT_DENIALS, DENIED_UNIT_COLUMNS, "the denied line or claim")
    # Reversals (CLP02 = 22) carry negated amounts. Netted over the reversal chain (fct_denials does it per
    # line; summing per line again is a no-op then, and nets rows if a mart keeps one row per version),
    # denied dollars are never negative. The line id is grouped on in DuckDB and never leaves it.
    return f"""
        with netted as (
            select {payer} as payer_id, {unit} as denied_unit, sum({amount}) as net_denied_amount
            from {FCT_DENIALS} group by all
        )
        select payer_id, count(*) as line_count,
            count(*) filter (where net_denied_amount < -0.005) as negative_net_count,
            min(net_denied_amount)::double as min_net_denied_amount
        from netted group by payer_id
    """


KPI_COLUMN = re.compile(r"(_rate|_share|yield)(_|$)")


def _marts_kpi_bounds(wh: Warehouse) -> str:
    numeric = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT")
    types = dict(((row[0], row[1]), row[2]) for row in wh.con.execute(
        "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_catalog = current_database()").fetchall())
    columns = [(table, column) for (table, column), kind in sorted(types.items())
               if KPI_COLUMN.search(column) and kind.upper().startswith(numeric)]
    if not columns:
        built = [t for t in MART_TABLES if wh.has(t)]
        raise Skip("no rate or share column in the built marts" if built
                   else f"table not built: {', '.join(MART_TABLES)}")
    # One row per KPI column: its smallest and largest value over the whole table.
    parts = [
        f"select {_literal(table)} as table_name, {_literal(column)} as column_name, "
        f"count({column}) as value_count, "
        f"min({column})::double as min_value, max({column})::double as max_value from {table}"
        for table, column in columns
    ]
    return "\nunion all\n".join(parts)


DATASETS: tuple[Dataset, ...] = (
    Dataset("raw.file_registry", "raw", "one row per file or archive member seen by the loader",
            ("raw.file_registry",), ("file_id", "file_name"), _raw_file_registry),
    Dataset("raw.remittance_resends", "raw", "one row per loaded 835 file",
            ("raw.file_registry", "raw.x12_transactions", "raw.x12_segments"),
            ("file_id", "file_name", "first_sent_in_file_id"), _raw_remittance_resends),
    Dataset("staging.code_values", "staging", "one row per file and code value (CAS01, CLP02, CLP06, SBR09)",
            (f"{STG_835}adjustments", f"{STG_835}claims", f"{STG_837}claims"),
            ("file_id", "file_name"), _staging_code_values),
    Dataset("staging.reference_codes", "staging", "one row per 835 file: CARC and RARC counts",
            (f"{STG_835}adjustments", f"{STG_835}remarks"), ("file_id", "file_name"),
            _staging_reference_codes),
    Dataset("staging.balancing", "staging", "one row per 835 file: unbalanced lines, claims, transactions",
            (f"{STG_835}payments", f"{STG_835}claims", f"{STG_835}service_lines", f"{STG_835}adjustments",
             f"{STG_835}provider_adjustments"), ("file_id", "file_name"), _staging_balancing),
    Dataset("staging.ranges", "staging", "one row per file, table and column: min and max",
            tuple(sorted({t for t, _, _ in RANGE_COLUMNS})),
            ("table_name", "column_name", "file_id", "file_name"),
            _staging_ranges),
    Dataset("staging.keys", "staging", "one row per staging table and file: null keys",
            ("staging.*",), ("table_name", "key_column", "file_id", "file_name"), _staging_keys),
    Dataset("marts.keys", "marts", "one row per mart table (and file, where it has file_id): null keys",
            MART_TABLES, ("table_name", "key_column", "file_id", "file_name"), _marts_keys, _marts_notes),
    Dataset("marts.denial_rates", "marts", "one row per payer: denied over remitted lines",
            (FCT_DENIALS, FCT_ADJUDICATED_LINES), ("payer_id",), _marts_denial_rates),
    Dataset("marts.denial_categories", "marts", "one row per denial category: count and share",
            (FCT_DENIALS,), ("denial_category",), _marts_denial_categories),
    Dataset("marts.kpi_bounds", "marts", "one row per rate, share or yield column of a mart: min and max",
            ("marts.mart_denial_kpis_monthly",), ("table_name", "column_name"), _marts_kpi_bounds),
    Dataset("marts.denied_dollars", "marts",
            "one row per payer: denied lines whose net denied dollars are negative",
            (FCT_DENIALS,), ("payer_id",), _marts_denied_dollars),
)
LAYERS: tuple[str, ...] = ("raw", "staging", "marts")


def select_datasets(names: list[str] | None) -> list[Dataset]:
    """Every dataset, or those named: a suite name (`staging.balancing`) or a layer (`staging`)."""
    if not names:
        return list(DATASETS)
    chosen: list[Dataset] = []
    unknown = []
    for name in names:
        matches = [d for d in DATASETS if d.name == name or d.layer == name]
        if not matches:
            unknown.append(name)
        chosen.extend(d for d in matches if d not in chosen)
    if unknown:
        known = ", ".join([*LAYERS, *(d.name for d in DATASETS)])
        raise ValueError(f"unknown suite {', '.join(unknown)}; known: {known}")
    return chosen


def expectation_parameters(wh: Warehouse, run_year: int) -> dict[str, object]:
    """Run-time values the suites refer to with {"$PARAMETER": name}: value sets from the seeds."""
    return {
        "group_codes": wh.seed_values("group_codes", "group_code"),
        "claim_status_codes": wh.seed_values("claim_status_codes", "claim_status_code"),
        "filing_indicators_835": wh.seed_values(
            "claim_filing_indicators", "claim_filing_indicator_code",
            "cast(valid_in_835 as varchar) = 'true'"),
        "filing_indicators_837": wh.seed_values(
            "claim_filing_indicators", "claim_filing_indicator_code",
            "cast(valid_in_837 as varchar) = 'true'"),
        "denial_categories": [*wh.seed_values("denial_categories", "denial_category",
                                              "cast(is_denial as varchar) = 'true'")],
        "latest_plausible_year": run_year + 1,
    }
