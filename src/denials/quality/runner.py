"""`run_checks`: every checkpoint of expectations/ against a warehouse, read-only, then one write.

Per dataset (datasets.DATASETS, one suite and one checkpoint each): the dataset's SQL runs on a read-only
DuckDB connection and its result is fed to the checkpoint as pandas frames of at most `chunk_rows` rows
(one batch per chunk; the aggregating queries keep it to one batch on any warehouse seen so far). Chunk
results are merged per expectation: counts add up, and the `mostly` rule is applied to the totals. After
validation the connection is closed, the warehouse is opened read-write only to append the outcomes to
`quality.check_results`, and the Data Docs are built for this run's results and made to work offline.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from denials.compaction import hold_back_merges
from denials.quality.datasets import (
    Dataset,
    Skip,
    Warehouse,
    assert_identifier_free,
    expectation_parameters,
    select_datasets,
)
from denials.quality.docs import build_offline_docs
from denials.quality.project import open_context
from denials.quality.results import CheckReport, ExpectationOutcome, SuiteOutcome, json_safe, to_json
from denials.quiet import quiet_connect
from denials.redaction import cut, first_line
from denials.warehouse import DUCKDB_MEMORY_LIMIT

DEFAULT_CHUNK_ROWS = 100_000
RESULTS_TABLE = "quality.check_results"
RESULTS_DDL = f"""
create schema if not exists quality;
create table if not exists {RESULTS_TABLE} (
    run_id varchar not null,
    run_time timestamp with time zone not null,
    suite varchar not null,
    layer varchar not null,
    source_tables varchar,
    status varchar not null,
    expectation_id varchar,
    expectation_type varchar,
    column_name varchar,
    expectation varchar,
    severity varchar,
    success boolean,
    element_count bigint,
    unexpected_count bigint,
    unexpected_share double,
    observed varchar,
    message varchar
);
"""


def run_checks(warehouse: Path, suites: list[str] | None = None, build_docs: bool = True, *,
               gx_root: Path | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS, record: bool = True,
               run_time: datetime | None = None, run_id: str | None = None,
               docs_identifiers: list[Any] | None = None,
               after_suite: Callable[[SuiteOutcome], None] | None = None) -> CheckReport:
    """Validate the warehouse with every suite (or those named: suite names or layers raw/staging/marts).

    `docs_identifiers` collects the Data Docs resources of this call, so that a caller running several
    calls as one run (`denials run`) builds one set of docs for all of them (`build_run_docs`).
    Raises FileNotFoundError when the warehouse does not exist, ValueError for an unknown suite name and
    duckdb.IOException when the warehouse cannot be opened (another process writes it).
    """
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    datasets = select_datasets(suites)
    context = open_context(gx_root)
    run_time = run_time or datetime.now(timezone.utc)
    report = CheckReport(run_id=run_id or f"{run_time:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
                         run_time=run_time, warehouse=warehouse)
    identifiers: list[Any] = docs_identifiers if docs_identifiers is not None else []
    con = quiet_connect(warehouse, read_only=True)
    try:
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        wh = Warehouse(con)
        parameters = expectation_parameters(wh, run_time.year)
        for dataset in datasets:
            report.suites.append(
                _run_dataset(context, wh, dataset, parameters, report, chunk_rows, identifiers))
            if after_suite is not None:
                after_suite(report.suites[-1])
    finally:
        con.close()
    if record:
        try:
            record_results(warehouse, report)
            report.recorded = True
        except duckdb.Error as error:
            report.record_error = (f"results not written to {RESULTS_TABLE}: {type(error).__name__}: "
                                   f"{first_line(error)}")
    if build_docs:
        try:
            report.docs_index, report.docs_dropped_urls = build_offline_docs(context, identifiers)
        except Exception as error:  # noqa: BLE001 - the checks ran and are recorded; say what the docs lack
            report.docs_error = f"Data Docs not built: {type(error).__name__}: {first_line(error)}"
    return report


def build_run_docs(identifiers: list[Any], gx_root: Path | None = None) -> tuple[Path, list[str]]:
    """Offline Data Docs for the resources collected by one or more `run_checks` calls."""
    return build_offline_docs(open_context(gx_root), identifiers)


def _run_dataset(context: Any, wh: Warehouse, dataset: Dataset, parameters: dict[str, object],
                 report: CheckReport, chunk_rows: int, identifiers: list[Any]) -> SuiteOutcome:
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    identifiers.append(ExpectationSuiteIdentifier(name=dataset.suite))  # its page, even when skipped
    outcome = SuiteOutcome(suite=dataset.suite, layer=dataset.layer, tables=dataset.tables, status="passed")
    try:
        sql = wh.qualify(dataset.build(wh))
    except Skip as skip:
        outcome.status, outcome.reason = "skipped", f"skipped: {skip}"
        return outcome
    if dataset.notes is not None:
        outcome.notes = dataset.notes(wh)
    merged: dict[str, ExpectationOutcome] = {}
    try:
        checkpoint = context.checkpoints.get(dataset.name)
        for number, frame in enumerate(_frames(wh.con, sql, chunk_rows)):
            assert_identifier_free(dataset.name, list(frame.columns))
            run_name = report.run_id if number == 0 else f"{report.run_id}-{number:04d}"
            result = checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters,
                run_id=RunIdentifier(run_name=run_name, run_time=report.run_time),
            )
            outcome.batches += 1
            outcome.rows += len(frame)
            for identifier, validation in result.run_results.items():
                identifiers.append(identifier)
                for expectation_result in validation.results:
                    _merge(merged, dataset, expectation_result, parameters)
    except Exception as error:  # noqa: BLE001 - one broken suite must not stop the others; it fails the run
        outcome.status, outcome.reason = "error", f"{type(error).__name__}: {first_line(error)}"
        return outcome
    outcome.expectations = list(merged.values())
    if outcome.batches > 1:
        for expectation in outcome.expectations:
            _apply_mostly(expectation)
    outcome.status = "failed" if outcome.failed else "passed"
    if any(e.error for e in outcome.expectations):
        outcome.status = "error"
        outcome.reason = "; ".join(f"{e.description}: {e.error}" for e in outcome.expectations if e.error)
    return outcome


def _frames(con: duckdb.DuckDBPyConnection, sql: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The query's rows as pandas frames of `chunk_rows` rows (the last one shorter); one empty frame
    when there are none. DuckDB's Arrow reader hands out small batches; they are regrouped here."""
    relation = con.sql(sql)
    # duckdb 2.x names it to_arrow_reader; 1.x fetch_record_batch (pyproject allows both).
    to_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    reader = to_reader(chunk_rows)
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    sent = False
    for batch in reader:
        while batch.num_rows:
            take = min(batch.num_rows, chunk_rows - pending_rows)
            pending.append(batch.slice(0, take))
            pending_rows += take
            batch = batch.slice(take)
            if pending_rows == chunk_rows:
                yield _to_pandas(pa.Table.from_batches(pending))
                sent, pending, pending_rows = True, [], 0
    if pending_rows or not sent:
        yield _to_pandas(pa.Table.from_batches(pending, schema=reader.schema))


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Plain Python-comparable columns: decimals as int64/float64, nullable ints and dates as objects."""
    columns = []
    for field_ in table.schema:
        column = table.column(field_.name)
        if pa.types.is_decimal(field_.type):
            column = column.cast(pa.int64() if field_.type.scale == 0 and field_.type.precision <= 18
                                 else pa.float64(), safe=False)
        columns.append(column)
    table = pa.table(columns, names=table.schema.names)
    return table.to_pandas(integer_object_nulls=True, date_as_object=True)


def _exception_message(exception_info: Any) -> str | None:
    if not exception_info:
        return None
    if isinstance(exception_info, dict) and "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return cut(str(exception_info.get("exception_message") or "exception"))
        return None
    if isinstance(exception_info, dict):
        for value in exception_info.values():
            message = _exception_message(value)
            if message:
                return message
    return None


def describe_expectation(expectation_type: str, kwargs: dict[str, Any], parameters: dict[str, object]) -> str:
    """'unbalanced_claim_share <= 0.01', 'adjustment_group_code in $group_codes', ..."""
    column = kwargs.get("column", "")

    def show(value: Any) -> str:
        if isinstance(value, dict) and "$PARAMETER" in value:
            name = value["$PARAMETER"]
            resolved = parameters.get(name)
            return f"{resolved} ({name})" if isinstance(resolved, int | float) else f"${name}"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)

    if expectation_type == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if low is not None and high is not None:
            text = f"{column} between {show(low)} and {show(high)}"
        elif high is not None:
            text = f"{column} <= {show(high)}"
        else:
            text = f"{column} >= {show(low)}"
    elif expectation_type == "expect_column_values_to_be_in_set":
        text = f"{column} in {show(kwargs.get('value_set'))}"
    elif expectation_type == "expect_column_values_to_not_be_null":
        text = f"{column} not null"
    else:
        text = f"{expectation_type}({column})"
    mostly = kwargs.get("mostly")
    if mostly is not None and mostly < 1:
        text += f" for at least {mostly:.0%} of rows"
    return text


def _merge(merged: dict[str, ExpectationOutcome], dataset: Dataset, result: Any,
           parameters: dict[str, object]) -> None:
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    key = config.id or f"{config.type}:{sorted(kwargs.items())!r}"
    details = result.result or {}
    severity = (config.meta or {}).get("severity") or str(getattr(config, "severity", "critical"))
    severity = getattr(severity, "value", severity)
    outcome = merged.get(key)
    if outcome is None:
        outcome = merged[key] = ExpectationOutcome(
            suite=dataset.suite, expectation_id=str(config.id), expectation_type=config.type,
            column=kwargs.get("column"), description=describe_expectation(config.type, kwargs, parameters),
            severity=str(severity), success=True, mostly=float(kwargs.get("mostly") or 1.0),
        )
    outcome.success = outcome.success and bool(result.success)
    outcome.element_count += int(details.get("element_count") or 0)
    outcome.missing_count += int(details.get("missing_count") or 0)
    outcome.unexpected_count += int(details.get("unexpected_count") or 0)
    if "observed_value" in details:
        outcome.observed_value = json_safe(details["observed_value"])
    for row in details.get("partial_unexpected_index_list") or []:
        if isinstance(row, dict):
            outcome.failing_rows.append(json_safe(row))
    error = _exception_message(result.exception_info)
    if error:
        outcome.error = error
        outcome.success = False


def _apply_mostly(outcome: ExpectationOutcome) -> None:
    """Across chunks a map expectation holds when the unexpected share of all rows is within `mostly`."""
    if outcome.error or outcome.observed_value is not None:
        return
    checked = outcome.element_count - outcome.missing_count
    allowed = (1.0 - outcome.mostly) * checked
    outcome.success = outcome.unexpected_count <= allowed + 1e-9 * max(checked, 1)


def record_results(warehouse: Path, report: CheckReport) -> None:
    """Append the run's outcomes to quality.check_results (read-write, after validation)."""
    rows = []
    for suite in report.suites:
        tables = ", ".join(suite.tables)
        base = [report.run_id, report.run_time, suite.suite, suite.layer, tables]
        if suite.status in ("skipped", "error") and not suite.expectations:
            rows.append([*base, suite.status, None, None, None, None, None, None, None, None, None, None,
                         suite.reason])
        for note in suite.notes:
            rows.append([*base, "skipped", None, None, None, None, None, None, None, None, None, None, note])
        for outcome in suite.expectations:
            share = outcome.unexpected_share
            rows.append([
                *base, outcome.status, outcome.expectation_id, outcome.expectation_type, outcome.column,
                outcome.description, outcome.severity, outcome.success, outcome.element_count,
                outcome.unexpected_count, None if share is None or math.isnan(share) else share,
                to_json(outcome.observed_summary()),
                None if outcome.success else _message(suite, outcome),
            ])
    con = quiet_connect(warehouse)
    try:
        hold_back_merges(con)
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute(RESULTS_DDL)
        if rows:
            con.executemany(f"insert into {RESULTS_TABLE} values ({', '.join('?' * 17)})", rows)
    finally:
        con.close()


def _message(suite: SuiteOutcome, outcome: ExpectationOutcome) -> str:
    from denials.quality.results import failure_message

    return failure_message(suite, outcome)
