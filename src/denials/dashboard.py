"""A self-contained HTML dashboard for revenue-cycle teams, built from the marts.

One file, no server, no network: inline CSS and SVG, so it opens from a shared drive or an e-mail.
Rates are computed from the KPI mart's numerators and denominators (never by averaging rates), so the
dashboard agrees with the metric definitions in models/marts/_marts__metrics.yml. Claim and line
identifiers are masked unless asked for: account numbers are PHI.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

REQUIRED_TABLES = ("mart_denial_kpis_monthly", "fct_denials", "mart_top_denial_reasons",
                   "mart_appeal_worklist", "mart_prebill_risk")


class MartsMissing(RuntimeError):
    """The warehouse has not been built (or not completely)."""


@dataclass
class Totals:
    adjudicated_lines: int
    billed: float
    initially_denied_lines: int
    initially_denied_billed: float
    first_pass_paid_lines: int
    overturned_lines: int
    avoidable_denied_lines: int
    final_denied: float
    days_total: float
    days_lines: int

    def rate(self, numerator: float, denominator: float) -> float | None:
        return numerator / denominator if denominator else None


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _check_tables(con: duckdb.DuckDBPyConnection) -> None:
    tables = _rows(con, "select table_name from duckdb_tables() where schema_name = 'marts'")
    present = {row[0] for row in tables}
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise MartsMissing(f"marts not built ({', '.join(missing)}): run `denials build` first")


KPI_SUMS = """
    sum(adjudicated_lines), sum(billed_amount), sum(initially_denied_lines),
    sum(initially_denied_billed_amount), sum(first_pass_paid_lines), sum(overturned_lines),
    sum(avoidable_denied_lines), sum(final_denied_amount), sum(days_service_to_payment_total),
    sum(paid_lines_with_service_date)
"""


def _totals(row: tuple) -> Totals:
    values = [value or 0 for value in row]
    return Totals(int(values[0]), float(values[1]), int(values[2]), float(values[3]), int(values[4]),
                  int(values[5]), int(values[6]), float(values[7]), float(values[8]), int(values[9]))


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _money(value: float | None) -> str:
    return "–" if value is None else f"${value:,.0f}"


def _mask(identifier: str | None, show: bool) -> str:
    if not identifier:
        return ""
    return identifier if show else "•••" + identifier[-4:]


def _table(headers: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f"<td class='{'num' if i >= numeric_from else ''}'>{html.escape(str(cell))}</td>"
            for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bars(items: list[tuple[str, float]], formatter=_money, width: int = 560) -> str:  # noqa: ANN001
    if not items:
        return "<p class='empty'>No denials.</p>"
    top = max(value for _, value in items) or 1
    row_height = 24
    parts = []
    for index, (label, value) in enumerate(items):
        y = index * row_height
        length = max(2, int((width - 250) * value / top))
        parts.append(
            f"<text x='0' y='{y + 16}'>{html.escape(label)}</text>"
            f"<rect x='170' y='{y + 4}' width='{length}' height='16' rx='2'></rect>"
            f"<text x='{176 + length}' y='{y + 16}' class='value'>{html.escape(formatter(value))}</text>"
        )
    return (f"<svg class='bars' width='{width}' height='{len(items) * row_height + 4}' role='img'>"
            + "".join(parts) + "</svg>")


def _trend(points: list[tuple[str, float | None]], width: int = 560, height: int = 180) -> str:
    values = [v for _, v in points if v is not None]
    if len(values) < 2:
        return "<p class='empty'>Not enough months for a trend.</p>"
    top = max(values) * 1.15 or 1
    step = (width - 60) / (len(points) - 1)
    coordinates = [
        (40 + i * step, height - 30 - (v / top) * (height - 50))
        for i, (_, v) in enumerate(points) if v is not None
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coordinates))
    labels = "".join(
        f"<text x='{40 + i * step:.1f}' y='{height - 8}' class='axis'>{html.escape(month[2:7])}</text>"
        for i, (month, _) in enumerate(points) if i % max(1, len(points) // 8) == 0
    )
    dots = "".join(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3'></circle>" for x, y in coordinates)
    return (f"<svg class='trend' width='{width}' height='{height}' role='img'>"
            f"<text x='0' y='14' class='axis'>{_percent(top)}</text>"
            f"<path d='{path}'></path>{dots}{labels}</svg>")


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2733;
background:#f6f8fa}
h1{margin:0 0 4px 0;font-size:24px} h2{font-size:17px;margin:28px 0 8px}
.sub{color:#5a6876;margin-bottom:16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
.tile{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:12px}
.tile .label{font-size:12px;color:#5a6876;text-transform:uppercase;letter-spacing:.04em}
.tile .value{font-size:24px;font-weight:600;margin-top:4px}
.panel{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:14px;margin-bottom:12px;
overflow-x:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(600px,1fr));gap:12px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #edf0f3;text-align:left;white-space:nowrap}
th{background:#f0f3f6;font-weight:600} td.num{text-align:right;font-variant-numeric:tabular-nums}
svg text{font-size:12px;fill:#1d2733} svg text.value,svg text.axis{fill:#5a6876;font-size:11px}
svg.bars rect{fill:#c0392b} svg.trend path{fill:none;stroke:#2e6da4;stroke-width:2}
svg.trend circle{fill:#2e6da4} .empty{color:#5a6876} .note{color:#5a6876;font-size:12px}
"""


def build_dashboard(con: duckdb.DuckDBPyConnection, show_identifiers: bool = False,
                    title: str = "Denials dashboard") -> str:
    _check_tables(con)
    totals = _totals(_rows(con, f"select {KPI_SUMS} from marts.mart_denial_kpis_monthly")[0])
    as_of = _rows(con, "select max(as_of_date) from marts.mart_appeal_worklist")[0][0]
    rate = totals.rate
    tiles = [
        ("Adjudicated lines", f"{totals.adjudicated_lines:,}"),
        ("Initial denial rate", _percent(rate(totals.initially_denied_lines, totals.adjudicated_lines))),
        ("Denial rate ($)", _percent(rate(totals.initially_denied_billed, totals.billed))),
        ("First-pass yield", _percent(rate(totals.first_pass_paid_lines, totals.adjudicated_lines))),
        ("Overturn rate", _percent(rate(totals.overturned_lines, totals.initially_denied_lines))),
        ("Avoidable share", _percent(rate(totals.avoidable_denied_lines, totals.initially_denied_lines))),
        ("Still denied", _money(totals.final_denied)),
        ("Days to payment", "–" if not totals.days_lines else f"{totals.days_total / totals.days_lines:.1f}"),
    ]
    tiles_html = "".join(
        f"<div class='tile'><div class='label'>{html.escape(label)}</div>"
        f"<div class='value'>{html.escape(value)}</div></div>" for label, value in tiles)

    trend = [
        (str(month), (denied / lines) if lines else None)
        for month, denied, lines in _rows(con, """
            select kpi_month, sum(initially_denied_lines), sum(adjudicated_lines)
            from marts.mart_denial_kpis_monthly where kpi_month is not null
            group by kpi_month order by kpi_month""")
    ]
    categories = [(str(c), float(v or 0)) for c, v in _rows(con, """
        select denial_category, sum(initial_denied_amount) from marts.fct_denials
        group by denial_category order by 2 desc""")]

    payer_rows = []
    for row in _rows(con, f"""
            select payer_name, payer_type, {KPI_SUMS}
            from marts.mart_denial_kpis_monthly group by payer_name, payer_type order by 3 desc"""):
        payer = _totals(row[2:])
        payer_rows.append([
            row[0] or "unknown", row[1] or "", f"{payer.adjudicated_lines:,}",
            _percent(payer.rate(payer.initially_denied_lines, payer.adjudicated_lines)),
            _percent(payer.rate(payer.initially_denied_billed, payer.billed)),
            _percent(payer.rate(payer.first_pass_paid_lines, payer.adjudicated_lines)),
            _percent(payer.rate(payer.avoidable_denied_lines, payer.initially_denied_lines)),
            _percent(payer.rate(payer.overturned_lines, payer.initially_denied_lines)),
            _money(payer.final_denied),
        ])
    drug_rows = []
    for row in _rows(con, f"""
            select drug_code, max(product_name), {KPI_SUMS}
            from marts.mart_denial_kpis_monthly group by drug_code order by 4 desc"""):
        drug = _totals(row[2:])
        drug_rows.append([
            row[0], row[1] or "", f"{drug.adjudicated_lines:,}",
            _percent(drug.rate(drug.initially_denied_lines, drug.adjudicated_lines)),
            _money(drug.initially_denied_billed), _money(drug.final_denied),
        ])
    reasons = [
        [r[0] or "", r[1], f"{r[2] or ''}-{r[3] or ''}", r[4] or "", f"{r[5]:,}", _money(float(r[6] or 0))]
        for r in _rows(con, """
            select payer_name, denial_category, group_code, carc_code, rarc_code, denied_lines,
                   initial_denied_amount
            from marts.mart_top_denial_reasons order by overall_rank limit 15""")
    ]
    worklist = [
        [str(r[0]), _mask(r[1], show_identifiers), r[2] or "", r[3] or "", r[4] or "",
         _money(float(r[5] or 0)), "" if r[6] is None else str(r[6]), str(r[7] or "")]
        for r in _rows(con, """
            select worklist_rank, claim_control_number, payer_name, procedure_code, denial_category,
                   recoverable_amount, days_left_to_appeal, appeal_deadline
            from marts.mart_appeal_worklist order by worklist_rank limit 25""")
    ]
    prebill = [
        [r[0], f"{r[1]:,}", _money(float(r[2] or 0))]
        for r in _rows(con, """
            select rule_name, count(*), sum(dollars_at_risk) from marts.mart_prebill_risk
            group by rule_name order by 3 desc""")
    ]
    generated = datetime.now().strftime("%Y-%m-%d %H:%M")
    identifiers_note = ("Claim numbers shown in full." if show_identifiers
                        else "Claim numbers are masked (account numbers are PHI); "
                             "use --show-identifiers for a working copy.")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<div class="sub">Data through {html.escape(str(as_of or 'n/a'))} · generated {generated} · line-level KPIs,
definitions in models/marts/_marts__metrics.yml</div>
<div class="tiles">{tiles_html}</div>
<div class="grid">
<div class="panel"><h2>Initial denial rate by month</h2>{_trend(trend)}</div>
<div class="panel"><h2>Denied dollars by category</h2>{_bars(categories)}</div>
</div>
<div class="panel"><h2>Payer scorecard</h2>{_table(
    ["Payer", "Type", "Lines", "Denial rate", "Denial rate ($)", "First-pass yield", "Avoidable",
     "Overturned", "Still denied"], payer_rows, numeric_from=2)}</div>
<div class="panel"><h2>Drugs</h2>{_table(
    ["HCPCS", "Product", "Lines", "Denial rate", "Initially denied charges", "Still denied"],
    drug_rows, numeric_from=2)}</div>
<div class="panel"><h2>Top denial reasons</h2>{_table(
    ["Payer", "Category", "Group-CARC", "RARC", "Lines", "Denied"], reasons, numeric_from=4)}</div>
<div class="panel"><h2>Appeal worklist (top 25)</h2>{_table(
    ["Rank", "Claim", "Payer", "HCPCS", "Category", "Recoverable", "Days left", "Deadline"],
    worklist, numeric_from=5)}<p class="note">{html.escape(identifiers_note)}</p></div>
<div class="panel"><h2>Pre-bill risk: claims not yet remitted</h2>{_table(
    ["Rule", "Lines", "Dollars at risk"], prebill)}</div>
</body></html>
"""


def write_dashboard(warehouse: Path, output: Path, show_identifiers: bool = False) -> Path:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        page = build_dashboard(con, show_identifiers=show_identifiers)
    finally:
        con.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return output
