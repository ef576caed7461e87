"""Build the static report page from the published marts (the app's queries and charts, no filters).

Days left to appeal count from the day the report is written (it is meant for cron and e-mail).
Claim numbers are masked unless asked for.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from denials.insights import charts, formatting, queries
from denials.insights.filters import Filters
from denials.insights.labels import title, words
from denials.insights.metrics import metric
from denials.publish import connect_published, published_path
from denials.quiet import quiet_connect

VENDOR = Path(__file__).with_name("static") / "vendor"
VENDORED = ("vega-6.3.0/vega.min.js", "vega-lite-6.4.1/vega-lite.min.js",
            "vega-embed-7.3.0/vega-embed.min.js")
REQUIRED_TABLES = ("mart_denial_kpis_monthly", "fct_adjudicated_lines", "fct_denials", "mart_appeal_worklist",
                   "mart_prebill_risk", "mart_denials_unit_errors", "mart_denials_medical_necessity",
                   "mart_denials_missing_auth")
TILES = {"adjudicated_lines": "Lines adjudicated", "initial_denial_rate": "Initial denial rate",
         "initial_denial_rate_dollars": "Denial rate ($)", "first_pass_yield": "First-pass yield",
         "denial_overturn_rate": "Overturn rate", "avoidable_denial_share": "Avoidable share",
         "initial_denied_amount": "Initially denied", "final_denied_amount": "Still denied",
         "overturned_amount": "Recovered by overturns", "avg_days_service_to_payment": "Days to payment"}
MONEY = {"initial_denied_amount", "final_denied_amount", "overturned_amount", "recoverable_amount",
         "dollars_at_risk"}
RATES = {"initial_denial_rate", "initial_denial_rate_dollars", "first_pass_yield", "denial_overturn_rate",
         "avoidable_denial_share"}


class MartsMissing(RuntimeError):
    """Nothing published yet, or the published file lacks a mart the report reads."""


def _runtime() -> str:
    scripts = []
    for name in VENDORED:
        source = (VENDOR / name).read_text(encoding="utf-8")
        source = re.sub(r"//# sourceMappingURL=\S+\s*$", "", source)
        source = source.replace("</script", "<\\/script")
        scripts.append(f"<script>{source}</script>")
    return "\n".join(scripts)


def _check(con: duckdb.DuckDBPyConnection) -> None:
    present = {name for (name,) in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise MartsMissing(f"the published marts lack {', '.join(missing)}: run `denials run` first")


def _value(name: str, value: object) -> str:
    if name == "adjudicated_lines":
        return formatting.count(value)
    if name == "avg_days_service_to_payment":
        return formatting.days(value)
    return formatting.money(value) if name in MONEY else formatting.percent(value)


def _tiles(totals: pd.Series) -> str:
    return "".join(
        f"<div class='tile' title='{html.escape(metric(name).help, quote=True)}'>"
        f"<div class='label'>{html.escape(label)}</div>"
        f"<div class='value' data-metric='{name}'>{html.escape(_value(name, totals[name]))}</div></div>"
        for name, label in TILES.items())


def _table(frame: pd.DataFrame, columns: list[str], show_identifiers: bool) -> str:
    shown = formatting.mask_frame(frame, show_identifiers)
    head = "".join(f"<th>{html.escape(title(c))}</th>" for c in columns)
    rows = []
    for record in shown[columns].itertuples(index=False):
        cells = []
        for column, value in zip(columns, record, strict=True):
            numeric = column in MONEY or column in RATES or isinstance(value, (int, float))
            text = (formatting.money(value) if column in MONEY or column.endswith("_amount")
                    else formatting.percent(value) if column in RATES
                    else formatting.count(value) if column in ("lines", "adjudicated_lines")
                    else "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))
            cells.append(f"<td class='{'num' if numeric else ''}'>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<div class='scroll'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:20px;color:#1d2733;
background:#f6f8fa;max-width:1600px;margin-inline:auto}
h1{margin:0 0 4px 0;font-size:24px} h2{font-size:16px;margin:0 0 8px}
.sub{color:#5a6876;margin-bottom:16px;font-size:14px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px;margin-bottom:14px}
.tile{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:10px 12px;min-width:0;cursor:help}
.tile .label{font-size:12px;color:#5a6876;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tile .value{font-size:22px;font-weight:600;margin-top:4px;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:12px}
.panel{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:14px;margin-bottom:12px;min-width:0}
.chart{width:100%} .scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #edf0f3;text-align:left;white-space:nowrap}
th{background:#f0f3f6;font-weight:600} td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#5a6876;font-size:12px;margin-top:6px}
"""


def _chart_panels(specs: list[tuple[str, str, alt.TopLevelMixin]]) -> tuple[str, str]:
    panels, calls = [], []
    for index, (heading, note, spec) in enumerate(specs):
        panels.append(f"<div class='panel'><h2>{html.escape(heading)}</h2>"
                      f"<div class='chart' id='chart{index}' data-title='{html.escape(heading, quote=True)}'>"
                      f"</div>{f'<p class=note>{html.escape(note)}</p>' if note else ''}</div>")
        calls.append(f"vegaEmbed('#chart{index}', {json.dumps(spec.to_dict())}, OPTIONS);")
    return "".join(panels), "\n".join(calls)


def _charts(con: duckdb.DuckDBPyConnection, everything: Filters, today: date) -> list:
    def run(query, *extra):  # noqa: ANN001, ANN202 - a query function of denials.insights.queries
        return query(con, everything, *extra)

    q, c = queries, charts
    return [
        ("Initial denial rate by month",
         "Bars: lines adjudicated (right axis). Hollow points: partial months.",
         c.denial_trend(run(q.kpi_trend))),
        ("Denied dollars by category", "", c.denials_by_category(run(q.denials_by_category))),
        ("Denial rate by payer and month", "", c.payer_trend(run(q.payer_trend))),
        ("Payer drift: latest full month vs the 3 before", "", c.payer_drift(run(q.payer_drift))),
        ("Unit errors: root causes and $ at stake", "", c.unit_error_causes(run(q.unit_error_causes))),
        ("Unit errors: billed vs expected units", "Dashed line: billed = expected.",
         c.billed_vs_expected(run(q.unit_error_units))),
        ("Medical necessity: denied $ by drug and diagnosis", "",
         c.medical_necessity(run(q.medical_necessity))),
        ("Prior auth: policy vs authorization sent", "", c.prior_auth(run(q.prior_auth))),
        (f"Appeals: recoverable $ by weeks left (from {today:%d %b %Y})", "",
         c.appeal_deadlines(run(q.appeal_summary, today))),
        ("Pre-bill risk: charges at risk by rule", "", c.prebill_rules(run(q.prebill_by_rule))),
    ]


def build_report(con: duckdb.DuckDBPyConnection, show_identifiers: bool = False, today: date | None = None,
                 title_text: str = "Denials report") -> str:
    _check(con)
    today = today or date.today()
    everything = Filters()
    stamp = queries.as_of(con)
    totals = queries.kpi_totals(con, everything)
    scorecard = queries.payer_scorecard(con, everything)
    scorecard["payer_type"] = scorecard["payer_type"].map(words)
    reasons = queries.top_reasons(con, everything)
    reasons["reason"] = (reasons["primary_group_code"] + "-" + reasons["primary_carc_code"] + " "
                         + reasons["carc_description"].fillna(""))
    reasons["rarc"] = reasons["primary_rarc_code"].fillna("") + " " + reasons["rarc_description"].fillna("")
    reasons["denial_category"] = reasons["denial_category"].map(words)
    worklist = queries.appeal_worklist(con, everything, today, open_only=True, limit=25)
    worklist["denial_category"] = worklist["denial_category"].map(words)
    prebill = queries.prebill_by_rule(con, everything)
    prebill["rule_name"] = prebill["rule_name"].map(words)
    panels, calls = _chart_panels(_charts(con, everything, today))
    through = stamp["data_through"]
    published = stamp["published_at"]
    identifiers_note = ("Claim numbers shown in full." if show_identifiers
                        else "Claim numbers are masked (account numbers are PHI).")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title_text)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>
{_runtime()}</head>
<body>
<h1>{html.escape(title_text)}</h1>
<div class="sub" id="as-of">As of {html.escape(f"{through:%d %B %Y}" if through else "n/a")}
(latest remittance)
· published {html.escape(f"{published:%Y-%m-%d %H:%M} UTC" if published else "n/a")}
· written {datetime.now():%Y-%m-%d %H:%M} · line-level KPIs as defined in models/marts/_marts__metrics.yml
(hover a tile for its definition)</div>
<div class="tiles">{_tiles(totals)}</div>
<div class="grid">{panels}</div>
<div class="panel"><h2>Payer scorecard</h2>{_table(scorecard, [
    "payer_name", "payer_type", "adjudicated_lines", "initial_denial_rate", "initial_denial_rate_dollars",
    "first_pass_yield", "avoidable_denial_share", "denial_overturn_rate", "initial_denied_amount",
    "final_denied_amount"], show_identifiers)}</div>
<div class="panel"><h2>Top denial reasons</h2>{_table(reasons, [
    "payer_name", "denial_category", "reason", "rarc", "lines", "initial_denied_amount",
    "final_denied_amount"], show_identifiers)}</div>
<div class="panel"><h2>Appeal worklist: top 25 open (days left from {today:%d %b %Y})</h2>{_table(worklist, [
    "claim_control_number", "payer_name", "procedure_code", "denial_category", "primary_carc_code",
    "recoverable_amount", "appeal_deadline", "days_left", "remit_file_id", "remit_segment_position"],
    show_identifiers)}<p class="note">{html.escape(identifiers_note)} The app (`denials app`) has the whole
list with CSV export.</p></div>
<div class="panel"><h2>Pre-bill risk: claims not yet remitted</h2>{_table(prebill, [
    "rule_name", "rule_detail", "lines", "dollars_at_risk"], show_identifiers)}</div>
<script>
const OPTIONS = {{actions: false, renderer: "svg"}};
{calls}
</script>
</body></html>
"""


def write_report(warehouse: Path, output: Path, show_identifiers: bool = False,
                 today: date | None = None) -> Path:
    """Write the report for `warehouse`, reading its published copy (read-only)."""
    if not published_path(warehouse).exists():
        raise MartsMissing(f"nothing published yet at {published_path(warehouse)}: run `denials run` first")
    con = connect_published(warehouse)
    try:
        page = build_report(con, show_identifiers=show_identifiers, today=today)
    finally:
        con.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return output


def write_dashboard(warehouse: Path, output: Path, show_identifiers: bool = False) -> Path:
    """The name the pipeline's --dashboard option and `denials dashboard` call: the same report.

    The pipeline calls it while it holds the run lock; should it do so before anything was published,
    the report reads the warehouse it has just built (read-only) rather than fail the run.
    """
    if published_path(warehouse).exists():
        return write_report(warehouse, output, show_identifiers=show_identifiers)
    if not warehouse.exists():
        raise MartsMissing(f"no warehouse at {warehouse}: run `denials run` first")
    con = quiet_connect(warehouse, read_only=True)
    try:
        page = build_report(con, show_identifiers=show_identifiers)
    finally:
        con.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return output
