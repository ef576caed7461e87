"""The global filters (period, payer, payer type, drug, provider, denial category) as SQL predicates.

The period is a range of months of first adjudication, the month a line's KPIs belong to, so the KPI
tiles and the denial lists of a page count the same lines. A drug is an HCPCS code of the drug
reference, or `non_drug` for every other line, exactly as the KPI mart's drug_code.
The KPI mart's grain is month x payer x drug: the provider and category filters narrow the line lists,
not the KPI tiles (the page says so when they are set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

NON_DRUG = "non_drug"


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Where:
    sql: str
    params: list = field(default_factory=list)

    def and_(self, sql: str, *params: object) -> Where:
        return Where(f"{self.sql} and {sql}", [*self.params, *params])


@dataclass(frozen=True)
class Filters:
    month_from: date | None = None
    month_to: date | None = None  # first day of the last month included
    payers: tuple[str, ...] = ()
    payer_types: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def narrows_lines_only(self) -> bool:
        """True when a filter is set that the KPI mart cannot apply (provider, category)."""
        return bool(self.providers or self.categories)

    def kpi_where(self, alias: str = "k") -> Where:
        """Predicates over mart_denial_kpis_monthly."""
        parts, params = ["true"], []
        if self.month_from:
            parts.append(f"{alias}.kpi_month >= ?")
            params.append(self.month_from)
        if self.month_to:
            parts.append(f"{alias}.kpi_month <= ?")
            params.append(self.month_to)
        for column, values in (("payer_id", self.payers), ("payer_type", self.payer_types),
                               ("drug_code", self.drugs)):
            if values:
                parts.append(f"{alias}.{column} in (select unnest(?::varchar[]))")
                params.append(list(values))
        return Where(" and ".join(parts), params)

    def line_where(self, alias: str = "d", date_column: str = "first_remit_date",
                   drug_expression: str | None = None, with_category: bool = True,
                   with_provider: bool = True) -> Where:
        """Predicates over a line-level mart (fct_adjudicated_lines, fct_denials and the like)."""
        drug = drug_expression or (f"case when {alias}.is_drug_line then {alias}.procedure_code "
                                   f"else '{NON_DRUG}' end")
        parts, params = ["true"], []
        if self.month_from:
            parts.append(f"{alias}.{date_column} >= ?")
            params.append(self.month_from)
        if self.month_to:
            parts.append(f"{alias}.{date_column} < ?")
            params.append(add_months(self.month_to, 1))
        columns = [(f"{alias}.payer_id", self.payers), (f"{alias}.payer_type", self.payer_types),
                   (drug, self.drugs)]
        if with_provider:
            columns.append((f"{alias}.billing_provider_npi", self.providers))
        if with_category:
            columns.append((f"{alias}.denial_category", self.categories))
        for column, values in columns:
            if values:
                parts.append(f"{column} in (select unnest(?::varchar[]))")
                params.append(list(values))
        return Where(" and ".join(parts), params)
