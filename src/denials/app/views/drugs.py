"""Drugs and unit errors: drug scorecard, billed vs expected units, root causes and the $ at stake."""

from __future__ import annotations

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, drill, lines_only_note, table
from denials.insights import charts, queries
from denials.insights.filters import NON_DRUG
from denials.insights.labels import words

UNEXPLAINED = "unexplained"


def _cause_options(causes: list[str]) -> list[DrillOption]:
    return [DrillOption(words(cause), [("x.root_cause", None if cause == UNEXPLAINED else cause)],
                        {"root_cause": cause}) for cause in causes]


def render(context: PageContext) -> None:
    st.header("Drugs and unit errors")
    lines_only_note(context)
    drugs = queries.drug_scorecard(context.con, context.filters)
    drugs["product_name"] = drugs["product_name"].fillna("")
    drugs["drug_code"] = drugs["drug_code"].replace({NON_DRUG: "–"})
    table(drugs, ["drug_code", "product_name", "adjudicated_lines", "initial_denial_rate",
                  "initial_denial_rate_dollars", "first_pass_yield", "initial_denied_amount",
                  "final_denied_amount"], key="drugs_scorecard")

    causes = queries.unit_error_causes(context.con, context.filters)
    totals = causes[["lines", "denied_amount", "underbilled_amount", "dollars_at_stake"]].sum()
    a, b, c = st.columns(3)
    a.metric("Unit-error lines", f"{int(totals['lines']):,}", border=True)
    b.metric("Still denied", f"${totals['denied_amount']:,.0f}", border=True)
    c.metric("$ at stake (denied + left unbilled)", f"${totals['dollars_at_stake']:,.0f}", border=True,
             help="Denied dollars plus the charge a magnitude slip left off the claim "
                  "(mart_denials_unit_errors.dollars_at_stake).")
    cause_codes = causes.groupby("root_cause")["dollars_at_stake"].sum().sort_values(ascending=False).index
    left, right = st.columns(2)
    with left:
        st.subheader("Root causes")
        picked = chart(charts.unit_error_causes(causes), key="drugs_causes")
        drill(context, picked, _cause_options(list(cause_codes)), key="drugs_causes_drill",
              source="unit_errors")
    with right:
        st.subheader("Billed vs expected units")
        picked = chart(charts.billed_vs_expected(queries.unit_error_units(context.con, context.filters)),
                       key="drugs_units")
        st.caption("Dashed line: billed = expected. Three decades below it: micrograms billed as milligrams.")
        drill(context, picked, _cause_options(list(cause_codes)), key="drugs_units_drill",
              source="unit_errors")
