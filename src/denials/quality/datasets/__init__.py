"""What each suite validates: one small, identifier-free table per suite, computed in DuckDB.

Great Expectations never touches DuckDB here. Its SQL datasource over duckdb-engine returns empty
batches (great_expectations#11579), and an empty batch passes every expectation, so each dataset is a
read-only DuckDB query whose result is handed to a pandas dataframe asset, in chunks of at most
`chunk_rows` rows. The queries aggregate first (one row per file, per file and code, per table or per
payer), so the frames stay small whatever the warehouse holds, and they select counts, shares, codes,
years and lineage (file_id, file_name, table and column names) only: claim and patient control numbers,
member ids and names never leave DuckDB, so they cannot appear in a result, the results table or the
Data Docs. `assert_identifier_free` enforces that on every frame.

The queries live in one module per layer (raw, staging, marts); warehouse.py holds what they may look
at, keys.py the null-key counts two layers share. This module lists the datasets.

A dataset whose tables are not built yet (staging before `denials build`, marts while they are being
written) is skipped with the reason, never validated as empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from denials.quality.datasets.marts import (
    FCT_ADJUDICATED_LINES,
    FCT_DENIALS,
    MART_TABLES,
    marts_denial_categories,
    marts_denial_rates,
    marts_denied_dollars,
    marts_keys,
    marts_kpi_bounds,
    marts_notes,
)
from denials.quality.datasets.raw import raw_file_registry, raw_remittance_resends
from denials.quality.datasets.staging import (
    BALANCING_MODELS,
    MATCHING_MODELS,
    RANGE_COLUMNS,
    STG_835,
    STG_837,
    staging_balancing,
    staging_code_values,
    staging_keys,
    staging_ranges,
    staging_reference_codes,
    staging_remit_matching,
)
from denials.quality.datasets.warehouse import Skip, Warehouse, assert_identifier_free

__all__ = ["DATASETS", "LAYERS", "Dataset", "Skip", "Warehouse", "assert_identifier_free",
           "expectation_parameters", "select_datasets"]


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


DATASETS: tuple[Dataset, ...] = (
    Dataset("raw.file_registry", "raw", "one row per file or archive member seen by the loader",
            ("raw.file_registry",), ("file_id", "file_name"), raw_file_registry),
    Dataset("raw.remittance_resends", "raw", "one row per loaded 835 file",
            ("raw.file_registry", "raw.x12_transactions", "raw.x12_segments"),
            ("file_id", "file_name", "first_sent_in_file_id"), raw_remittance_resends),
    Dataset("staging.code_values", "staging", "one row per file and code value (CAS01, CLP02, CLP06, SBR09)",
            (f"{STG_835}adjustments", f"{STG_835}claims", f"{STG_837}claims"),
            ("file_id", "file_name"), staging_code_values),
    Dataset("staging.reference_codes", "staging", "one row per 835 file: CARC and RARC counts",
            (f"{STG_835}adjustments", f"{STG_835}remarks"), ("file_id", "file_name"),
            staging_reference_codes),
    Dataset("staging.balancing", "staging", "one row per 835 file: unbalanced lines, claims, transactions",
            tuple(model for _, model in BALANCING_MODELS), ("file_id", "file_name"), staging_balancing),
    Dataset("staging.ranges", "staging", "one row per file, table and column: min and max",
            tuple(sorted({t for t, _, _ in RANGE_COLUMNS})),
            ("table_name", "column_name", "file_id", "file_name"),
            staging_ranges),
    Dataset("staging.remit_matching", "staging",
            "one row per 835 payer identifier: resolved or not, remitted claims matched to a submitted claim",
            MATCHING_MODELS,
            ("payer_identifier", "remitted_claim_count"), staging_remit_matching),
    Dataset("staging.keys", "staging", "one row per staging table and file: null keys",
            ("staging.*",), ("table_name", "key_column", "file_id", "file_name"), staging_keys),
    Dataset("marts.keys", "marts", "one row per mart table (and file, where it has file_id): null keys",
            MART_TABLES, ("table_name", "key_column", "file_id", "file_name"), marts_keys, marts_notes),
    Dataset("marts.denial_rates", "marts", "one row per payer: denied over remitted lines",
            (FCT_DENIALS, FCT_ADJUDICATED_LINES), ("payer_id",), marts_denial_rates),
    Dataset("marts.denial_categories", "marts", "one row per denial category: count and share",
            (FCT_DENIALS,), ("denial_category",), marts_denial_categories),
    Dataset("marts.kpi_bounds", "marts", "one row per rate, share or yield column of a mart: min and max",
            ("marts.mart_denial_kpis_monthly",), ("table_name", "column_name"), marts_kpi_bounds),
    Dataset("marts.denied_dollars", "marts",
            "one row per payer: denied lines whose net denied dollars are negative",
            (FCT_DENIALS,), ("payer_id",), marts_denied_dollars),
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
