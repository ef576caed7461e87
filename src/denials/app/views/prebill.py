"""Pre-bill risk queue: unremitted lines that break a rule past denials taught, $ at risk; CSV export."""

from __future__ import annotations

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, csv_download, drill, table
from denials.insights import charts, queries
from denials.insights.labels import words

COLUMNS = ["claim_control_number", "line_number", "payer_name", "procedure_code", "procedure_modifiers",
           "units_billed", "service_date", "rule_name", "rule_detail", "dollars_at_risk",
           "billing_provider_npi", "claim_file_id", "claim_segment_position"]


def render(context: PageContext) -> None:
    st.header("Pre-bill risk queue")
    st.caption("Claims not yet remitted whose lines break a rule that explains past denials. The period "
               "filter applies to the service date here (these lines have no remittance yet).")
    rules = queries.prebill_by_rule(context.con, context.filters)
    queue = queries.prebill_queue(context.con, context.filters, limit=None)
    a, b = st.columns(2)
    a.metric("Lines at risk", f"{len(queue):,}", border=True)
    b.metric("Charges at risk", f"${queue['dollars_at_risk'].sum():,.0f}", border=True)
    st.subheader("Charges at risk by rule")
    picked = chart(charts.prebill_rules(rules), key="prebill_chart")
    by_rule = rules.groupby("rule_name")["dollars_at_risk"].sum().sort_values(ascending=False)
    options = [DrillOption(words(rule), [("rule_name", rule)], {"rule_name": rule}) for rule in by_rule.index]
    drill(context, picked, options, key="prebill_drill", noun="lines",
          lines=lambda option: queue[queue["rule_name"] == option.conditions[0][1]])
    st.subheader("Queue")
    shown = queue.assign(rule_name=queue["rule_name"].map(words), rule_detail=queue["rule_detail"].map(
        lambda d: words(d) if d and "_" in d else d))
    table(shown.head(500), COLUMNS, key="prebill_table", height=420,
          show_identifiers=context.show_identifiers)
    csv_download(shown[COLUMNS], f"Download the queue ({len(shown):,} rows, CSV)", "prebill-risk",
                 "prebill_csv", context.show_identifiers)
