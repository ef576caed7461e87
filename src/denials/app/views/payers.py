"""Payers: scorecard, denial rate per payer by month, drift of the latest full month vs the 3 before."""

from __future__ import annotations

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, drill, lines_only_note, table
from denials.insights import charts, queries
from denials.insights.labels import words


def render(context: PageContext) -> None:
    st.header("Payers")
    lines_only_note(context)
    scorecard = queries.payer_scorecard(context.con, context.filters)
    scorecard["payer_type"] = scorecard["payer_type"].map(words)
    st.subheader("Scorecard")
    table(scorecard, ["payer_name", "payer_type", "adjudicated_lines", "initial_denial_rate",
                      "initial_denial_rate_dollars", "first_pass_yield", "avoidable_denial_share",
                      "denial_overturn_rate", "initial_denied_amount", "final_denied_amount"],
          key="payers_scorecard")
    payer_options = [DrillOption(name, [("d.payer_id", payer_id), ("d.is_initially_denied", True)],
                                 {"payer_id": payer_id})
                     for payer_id, name in zip(scorecard["payer_id"], scorecard["payer_name"], strict=True)]

    left, right = st.columns(2)
    with left:
        st.subheader("Denial rate by month")
        trend = queries.payer_trend(context.con, context.filters)
        picked = chart(charts.payer_trend(trend), key="payers_trend")
        drill(context, picked, payer_options, key="payers_trend_drill", source="adjudicated",
              noun="initially denied lines")
    with right:
        drift = queries.payer_drift(context.con, context.filters)
        month = drift["kpi_month"].iloc[0] if len(drift) else None
        st.subheader("Drift vs the trailing 3 months"
                     + (f" ({month:%B %Y})" if month is not None else ""))
        picked = chart(charts.payer_drift(drift), key="payers_drift")
        st.caption("Latest full month of the period against the 3 months before it, each rate from the "
                   "summed numerators and denominators of the KPI mart. Positive: more denials.")
        table(drift, ["payer_name", "latest_rate", "trailing_rate", "drift", "latest_lines"],
              key="payers_drift_table")
        drill(context, picked, payer_options, key="payers_drift_drill", source="adjudicated",
              noun="initially denied lines")
