"""Page query times of `denials app`: `python bench/app_queries.py --warehouse W [--repeat 5]`.

Runs every query a page of the app issues (denials.insights.queries), on the published copy of W, with no
filter and with a one-payer filter (the selective case), and prints the median and worst of --repeat runs
per query, flagging those over the budget. The first run of each query is a warm-up (DuckDB reads the
file). Build a large warehouse first (`python bench/build.py --claims 1000000 --keep DIR`, then publish
it: `denials run` does). Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from denials.insights import queries
from denials.insights.filters import Filters
from denials.publish import connect_published, published_path

PAGES: dict[str, list[tuple[str, Callable]]] = {
    "sidebar": [("filter_options", lambda con, f: queries.filter_options(con)),
                ("as_of", lambda con, f: queries.as_of(con))],
    "Overview": [("kpi_totals", queries.kpi_totals), ("kpi_trend", queries.kpi_trend),
                 ("denials_by_category", queries.denials_by_category), ("top_reasons", queries.top_reasons),
                 ("drill: category", lambda con, f: queries.claim_lines(
                     con, f, "denials", [("d.denial_category", "unit_error")]))],
    "Payers": [("payer_scorecard", queries.payer_scorecard), ("payer_trend", queries.payer_trend),
               ("payer_drift", queries.payer_drift)],
    "Drugs and unit errors": [("drug_scorecard", queries.drug_scorecard),
                              ("unit_error_causes", queries.unit_error_causes),
                              ("unit_error_units", queries.unit_error_units)],
    "Medical necessity": [("medical_necessity", queries.medical_necessity)],
    "Prior auth": [("prior_auth", queries.prior_auth)],
    "Appeal worklist": [("appeal_totals", lambda con, f: queries.appeal_totals(
                            con, f, date.today(), open_only=False)),
                        ("appeal_worklist", lambda con, f: queries.appeal_worklist(
                            con, f, date.today(), open_only=False)),
                        ("appeal_summary", lambda con, f: queries.appeal_summary(con, f, date.today()))],
    "Pre-bill risk queue": [("prebill_by_rule", queries.prebill_by_rule),
                            ("prebill_queue", lambda con, f: queries.prebill_queue(con, f, limit=None))],
}


# Not a page query: the whole worklist, read only when a user asks for its CSV; timed for the record.
EXPORTS = [("appeal_worklist (CSV)", lambda con, f: queries.appeal_worklist(
    con, f, date.today(), open_only=False, limit=None))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    args = parser.parse_args()
    if not published_path(args.warehouse).exists():
        print(f"nothing published at {published_path(args.warehouse)}: run `denials run` first",
              file=sys.stderr)
        return 2
    con = connect_published(args.warehouse)
    lines = con.execute("select coalesce(sum(adjudicated_lines), 0) "
                        "from marts.mart_denial_kpis_monthly").fetchone()[0]
    payer = con.execute("select payer_id from marts.mart_denial_kpis_monthly where payer_id is not null "
                        "group by 1 order by sum(adjudicated_lines) desc limit 1").fetchone()
    cases = [("all", Filters())] + ([("one payer", Filters(payers=(payer[0],)))] if payer else [])
    print(f"published {published_path(args.warehouse)}: {lines:,} adjudicated lines; "
          f"{args.repeat} runs per query after a warm-up; budget {args.budget_ms:.0f} ms")
    print(f"{'page':22} {'query':22} {'filter':10} {'rows':>8} {'median ms':>10} {'worst ms':>9}")
    over = 0
    for page, page_queries in PAGES.items():
        for name, query in page_queries:
            for label, filters in cases:
                row, worst = time_query(con, page, name, label, query, filters, args.repeat)
                flag = "  OVER" if worst > args.budget_ms else ""
                over += bool(flag)
                print(row + flag)
    print("on request only (not a page query, no budget):")
    for name, query in EXPORTS:
        print(time_query(con, "export", name, "all", query, Filters(), args.repeat)[0])
    con.close()
    print(f"{over} page query runs over {args.budget_ms:.0f} ms")
    return 0


def time_query(con, page: str, name: str, label: str, query: Callable, filters: Filters,  # noqa: ANN001
               repeat: int) -> tuple[str, float]:
    """The printed row (median and worst of `repeat` runs after a warm-up) and the worst, in ms."""
    result = query(con, filters)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        query(con, filters)
        times.append(1000 * (time.perf_counter() - started))
    rows = len(result) if hasattr(result, "__len__") else 1
    row = f"{page:22} {name:22} {label:10} {rows:>8,} {statistics.median(times):>10.1f} {max(times):>9.1f}"
    return row, max(times)


if __name__ == "__main__":
    sys.exit(main())
