"""Overview: KPI tiles (definitions on hover), the monthly trend with volume, denied $ by category."""

from __future__ import annotations

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, drill, lines_only_note, table, tiles
from denials.insights import charts, queries
from denials.insights.labels import words


def render(context: PageContext) -> None:
    st.header("Overview")
    lines_only_note(context)
    totals = queries.kpi_totals(context.con, context.filters)
    tiles(totals, queries.TILE_METRICS)

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Initial denial rate by month")
        trend = queries.kpi_trend(context.con, context.filters)
        picked = chart(charts.denial_trend(trend), key="overview_trend")
        st.caption("Bars: lines adjudicated (right axis). "
                   "Hollow points: months the data covers only in part.")
        drill(context, picked, [
            DrillOption(f"{month:%B %Y}" + (" (partial)" if partial else ""),
                        [("date_trunc('month', d.first_remit_date)", month), ("d.is_initially_denied", True)],
                        {"kpi_month": month})
            for month, partial in zip(trend["kpi_month"], trend["is_partial_month"], strict=True)
        ], key="overview_trend_drill", source="adjudicated", noun="initially denied lines")
    with right:
        st.subheader("Denied dollars by category")
        categories = queries.denials_by_category(context.con, context.filters)
        picked = chart(charts.denials_by_category(categories), key="overview_categories")
        drill(context, picked, [
            DrillOption(words(code), [("d.denial_category", code)], {"denial_category": code})
            for code in categories["denial_category"]
        ], key="overview_category_drill", source="denials", noun="denied lines")

    st.subheader("Top denial reasons")
    reasons = queries.top_reasons(context.con, context.filters)
    reasons["category"] = reasons["denial_category"].map(words)
    reasons["reason"] = (reasons["primary_group_code"] + "-" + reasons["primary_carc_code"] + " "
                         + reasons["carc_description"].fillna(""))
    reasons["rarc"] = reasons["primary_rarc_code"].fillna("") + " " + reasons["rarc_description"].fillna("")
    table(reasons, ["payer_name", "category", "reason", "rarc", "lines", "initial_denied_amount",
                    "final_denied_amount"], key="overview_reasons")
