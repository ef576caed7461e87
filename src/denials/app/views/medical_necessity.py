"""Medical necessity: diagnoses against the drug's label (off-label) and documentation signals."""

from __future__ import annotations

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, drill, table
from denials.insights import charts, queries
from denials.insights.labels import words


def render(context: PageContext) -> None:
    st.header("Medical necessity")
    signals = queries.medical_necessity(context.con, context.filters)
    a, b, c = st.columns(3)
    off_label = signals[signals["diagnosis_label_status"] == "off_label"]
    signals_sent = signals["has_note"].astype(bool) | signals["has_documentation_rarc"].astype(bool)
    undocumented = signals[~signals_sent]
    a.metric("Denied lines", f"{int(signals['lines'].sum()):,}", border=True)
    b.metric("Off-label diagnosis", f"{int(off_label['lines'].sum()):,} lines", border=True,
             help="None of the diagnoses the line is checked against (its pointed ones, else the "
                  "claim's) is on the drug's label (seed labeled_diagnoses).")
    c.metric("No note, no documentation RARC", f"{int(undocumented['lines'].sum()):,} lines", border=True)
    st.subheader("Initially denied dollars by drug and diagnosis")
    picked = chart(charts.medical_necessity(signals), key="mednec_chart")
    statuses = signals.groupby("diagnosis_label_status")["initial_denied_amount"].sum().sort_values(
        ascending=False).index
    drill(context, picked, [DrillOption(words(s), [("x.diagnosis_label_status", s)],
                                        {"diagnosis_label_status": s}) for s in statuses],
          key="mednec_drill", source="medical_necessity")
    signals["diagnosis_label_status"] = signals["diagnosis_label_status"].map(words)
    table(signals, ["procedure_code", "diagnosis_label_status", "has_note", "has_documentation_rarc", "lines",
                    "initial_denied_amount", "denied_amount"], key="mednec_table")
