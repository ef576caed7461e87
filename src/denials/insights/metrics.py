"""The KPI definitions, read from the one place they are written: models/marts/_marts__metrics.yml.

Every column of mart_denial_kpis_monthly carries its formula in `meta.formula`. A count or a sum rolls up
by summing the column; a rate `numerator / denominator` rolls up by dividing the summed numerator by the
summed denominator, as the metrics file prescribes (never an average of the monthly rates). This module
only turns those formulas into SQL over the mart; it defines no formula of its own, so the app, the
report and the notebooks all agree with the mart to the cent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

KPI_MART = "mart_denial_kpis_monthly"
RATIO = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*/\s*([a-z_][a-z0-9_]*)\s*$")
# How a ratio is computed in the mart (macro marts_ratio): exact decimals, then rounded to the column's type.
RATIO_SQL = ("cast(cast(sum({numerator}) as decimal(38, 10)) "
             "/ nullif(cast(sum({denominator}) as decimal(38, 10)), 0) as {data_type})")


@dataclass(frozen=True)
class Metric:
    name: str
    description: str
    formula: str
    data_type: str
    numerator: str | None = None
    denominator: str | None = None

    @property
    def is_ratio(self) -> bool:
        return self.numerator is not None

    @property
    def help(self) -> str:
        """What a tile shows on hover: the definition and the formula, as the metrics file states them."""
        return f"{self.description} Formula: {self.formula}."

    def rollup_expression(self) -> str:
        """SQL that rolls this column of the KPI mart up over any set of its rows."""
        if self.is_ratio:
            return RATIO_SQL.format(numerator=self.numerator, denominator=self.denominator,
                                    data_type=self.data_type)
        return f"sum({self.name})"

    def rollup_sql(self, alias: str | None = None) -> str:
        return f"{self.rollup_expression()} as {alias or self.name}"


def metrics_file() -> Path:
    from denials.transform import project_root

    return project_root() / "models" / "marts" / "_marts__metrics.yml"


@lru_cache(maxsize=1)
def kpi_metrics() -> dict[str, Metric]:
    """Every measure column of the KPI mart (grain columns left out), keyed by column name."""
    document = yaml.safe_load(metrics_file().read_text(encoding="utf-8"))
    model = next(m for m in document["models"] if m["name"] == KPI_MART)
    columns = {column["name"]: column for column in model["columns"]}
    metrics: dict[str, Metric] = {}
    for name, column in columns.items():
        formula = (column.get("meta") or {}).get("formula")
        if not formula or not _is_measure(formula):
            continue
        ratio = RATIO.match(formula)
        numerator, denominator = (ratio.group(1), ratio.group(2)) if ratio else (None, None)
        if ratio and not (numerator in columns and denominator in columns):
            raise ValueError(f"{metrics_file()}: {name}: formula names a column the mart does not have")
        metrics[name] = Metric(name, column.get("description", "").strip(), formula,
                               column["data_type"], numerator, denominator)
    return metrics


def _is_measure(formula: str) -> bool:
    return bool(RATIO.match(formula)) or formula.startswith(("count(", "sum("))


def metric(name: str) -> Metric:
    try:
        return kpi_metrics()[name]
    except KeyError:
        raise KeyError(f"{name} is not a measure of {KPI_MART} in {metrics_file()}") from None


def rollup_columns(names: list[str] | tuple[str, ...]) -> str:
    """A select list rolling up the named measures (use with the KPI mart and a group by)."""
    return ",\n    ".join(metric(name).rollup_sql() for name in names)
