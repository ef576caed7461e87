"""Appeal worklist: open CO denials by deadline and dollars, days left counted from today; CSV export."""

from __future__ import annotations

from datetime import date

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, csv_download, drill, table
from denials.insights import charts, queries
from denials.insights.labels import words

DUE_SOON_DAYS = 14
TABLE_ROWS = 500
DRILL_ROWS = 1000
COLUMNS = ["claim_control_number", "payer_name", "procedure_code", "denial_category", "primary_carc_code",
           "carc_description", "recoverable_amount", "appeal_deadline", "days_left", "service_date",
           "billing_provider_npi", "remit_file_id", "remit_segment_position", "claim_file_id",
           "claim_segment_position"]


def render(context: PageContext) -> None:
    st.header("Appeal worklist")
    data_date = context.as_of["data_through"]
    left, right = st.columns([2, 1])
    basis = left.radio("Count days left from", ["Today", "The data's last remit date"], horizontal=True,
                       key="appeal_basis",
                       help="Today is the working view. The data's date shows the worklist as it stood "
                            "when the latest remittance arrived (useful on old or sample data).")
    reference: date = context.today if basis == "Today" or data_date is None else data_date
    open_only = right.checkbox("Open windows only", value=True, key="appeal_open_only")
    totals = queries.appeal_totals(context.con, context.filters, reference, open_only=open_only,
                                   due_within_days=DUE_SOON_DAYS)
    summary = queries.appeal_summary(context.con, context.filters, reference)
    a, b, c = st.columns(3)
    a.metric("Denials to appeal", f"{int(totals['denials']):,}", border=True)
    b.metric("Recoverable", f"${totals['recoverable_amount']:,.0f}", border=True,
             help="Denied dollars still open after the reversal chain (mart_appeal_worklist).")
    c.metric(f"Due within {DUE_SOON_DAYS} days",
             f"{int(totals['due_denials']):,} (${totals['due_amount']:,.0f})", border=True)
    st.caption(f"Days left count from {reference:%d %b %Y}. Order: open windows first, then recoverable "
               "dollars (most first), then days left (fewest first).")
    if not totals["denials"] and open_only:
        st.info("No appeal window is open on that date. Count from the data's last remit date, or show "
                "closed windows too.")
    st.subheader("Recoverable dollars by weeks left")
    picked = chart(charts.appeal_deadlines(summary), key="appeal_chart")
    weeks = sorted(summary["weeks_left"].unique())
    options = [DrillOption(f"{int(w)} weeks left" + (" or more" if w >= 12 else ""), [("weeks_left", int(w))],
                           {"weeks_left": int(w)}) for w in weeks]
    drill(context, picked, options, key="appeal_drill", noun="denials",
          lines=lambda option: queries.appeal_worklist(
              context.con, context.filters, reference, open_only=open_only, limit=DRILL_ROWS,
              weeks_left=option.conditions[0][1]))
    st.subheader("Worklist")
    worklist = queries.appeal_worklist(context.con, context.filters, reference, open_only=open_only,
                                       limit=TABLE_ROWS)
    shown = worklist.assign(denial_category=worklist["denial_category"].map(words))
    if totals["denials"] > TABLE_ROWS:
        st.caption(f"The {TABLE_ROWS:,} most urgent of {int(totals['denials']):,} denials; the CSV holds "
                   "them all.")
    table(shown, COLUMNS, key="appeal_table", height=420, show_identifiers=context.show_identifiers)
    # a worklist of hundreds of thousands of rows is read only when someone asks for the file
    wanted = st.toggle(f"Prepare the whole worklist as CSV ({int(totals['denials']):,} rows)",
                       key="appeal_csv_all")
    if wanted:
        everything = queries.appeal_worklist(context.con, context.filters, reference, open_only=open_only,
                                             limit=None)
        everything = everything.assign(denial_category=everything["denial_category"].map(words))
        csv_download(everything[COLUMNS], f"Download the worklist ({len(everything):,} rows, CSV)",
                     "appeal-worklist", "appeal_csv", context.show_identifiers)
