"""What a check run found, per suite and per expectation, in a form that holds no identifier.

GX results are summarised into `ExpectationOutcome`s: counts, the observed share, and the failing rows
named by the dataset's index columns (file_id and file_name, table, payer...). The frames GX saw carry no
identifier column (see datasets.py), so neither do these.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

SEVERITIES = ("critical", "warning")
MAX_FAILING_ROWS = 20


@dataclass
class ExpectationOutcome:
    suite: str
    expectation_id: str
    expectation_type: str
    column: str | None
    description: str  # e.g. "unbalanced_claim_share <= 0.01"
    severity: str
    success: bool
    element_count: int = 0
    missing_count: int = 0
    unexpected_count: int = 0
    observed_value: object = None
    failing_rows: list[dict[str, object]] = field(default_factory=list)
    error: str | None = None
    mostly: float = 1.0

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        return "passed" if self.success else "failed"

    @property
    def unexpected_share(self) -> float | None:
        checked = self.element_count - self.missing_count
        return self.unexpected_count / checked if checked else None

    def observed_summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "rows": self.element_count,
            "rows_checked": self.element_count - self.missing_count,
            "unexpected": self.unexpected_count,
        }
        if self.unexpected_share is not None:
            summary["unexpected_share"] = round(self.unexpected_share, 6)
        if self.observed_value is not None:
            summary["observed_value"] = self.observed_value
        if self.failing_rows:
            summary["failing"] = self.failing_rows[:MAX_FAILING_ROWS]
        if self.error:
            summary["error"] = self.error
        return summary


@dataclass
class SuiteOutcome:
    suite: str
    layer: str
    tables: tuple[str, ...]
    status: str  # passed, failed, skipped, error
    reason: str | None = None  # why skipped or errored
    rows: int = 0  # rows of the dataset frame(s) validated
    batches: int = 0
    notes: list[str] = field(default_factory=list)
    expectations: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]

    def failed_with(self, severity: str) -> list[ExpectationOutcome]:
        return [e for e in self.failed if e.severity == severity]

    @property
    def critical(self) -> bool:
        return self.status == "error" or bool(self.failed_with("critical"))


@dataclass
class CheckReport:
    run_id: str
    run_time: datetime
    warehouse: Path
    suites: list[SuiteOutcome] = field(default_factory=list)
    docs_index: Path | None = None
    docs_dropped_urls: list[str] = field(default_factory=list)
    docs_error: str | None = None
    recorded: bool = False
    record_error: str | None = None

    @property
    def critical_failures(self) -> list[SuiteOutcome]:
        return [s for s in self.suites if s.critical]

    @property
    def success(self) -> bool:
        """False when a critical expectation failed or a suite could not run."""
        return not self.critical_failures

    @property
    def exit_code(self) -> int:
        return 0 if self.success else 1

    def messages(self) -> list[str]:
        """One line per failed expectation (critical first), naming the suite, table and file."""
        lines = []
        for severity in SEVERITIES:
            for suite in self.suites:
                if severity == "critical" and suite.status == "error":
                    lines.append(f"CRITICAL {suite.suite} [{', '.join(suite.tables)}]: "
                                 f"could not run: {suite.reason}")
                for outcome in suite.failed_with(severity):
                    lines.append(failure_message(suite, outcome))
        return lines


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def describe_row(row: dict[str, object], column: str | None) -> str:
    """'staging.stg_x12_835__claims.remit_claim_id, file 12 (remits_0003.835): 1'."""
    parts = []
    table = row.get("table_name")
    if table:
        inner = row.get("column_name") or row.get("key_column")
        parts.append(f"{table}.{inner}" if inner else str(table))
    if row.get("file_id") is not None:
        name = row.get("file_name")
        parts.append(f"file {row['file_id']}" + (f" ({name})" if name else ""))
    if row.get("first_sent_in_file_id") is not None:
        parts.append(f"first sent in file {row['first_sent_in_file_id']}")
    if row.get("payer_identifier") is not None:
        parts.append(f"payer {row['payer_identifier']}, {row.get('remitted_claim_count')} remitted claims")
    for key in ("payer_id", "denial_category"):
        if row.get(key) is not None and key != column:
            parts.append(f"{key.replace('_id', '')} {row[key]}")
    where = ", ".join(parts) or "row"
    if column and column in row:
        return f"{where}: {column}={_format(row[column])}"
    return where


def failure_message(suite: SuiteOutcome, outcome: ExpectationOutcome) -> str:
    head = f"{outcome.severity.upper()} {suite.suite} [{', '.join(suite.tables)}]: {outcome.description}"
    if outcome.error:
        return f"{head}: error: {outcome.error}"
    share = outcome.unexpected_share
    counts = f"{outcome.unexpected_count} of {outcome.element_count - outcome.missing_count} rows"
    if share is not None:
        counts += f" ({share:.1%})"
    rows = "; ".join(describe_row(row, outcome.column) for row in outcome.failing_rows[:5])
    more = len(outcome.failing_rows) - 5
    if more > 0:
        rows += f"; and {more} more"
    return f"{head}: {counts} fail: {rows}" if rows else f"{head}: {counts} fail"


def json_safe(value: object) -> object:
    """Plain JSON types; NaN becomes null."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def to_json(value: object) -> str:
    return json.dumps(json_safe(value), sort_keys=True)
