"""Prior auth: the payer's policy in force against the authorization number actually sent."""

from __future__ import annotations

import streamlit as st

from denials.app.context import PageContext
from denials.app.widgets import DrillOption, chart, drill, table
from denials.insights import charts, queries
from denials.insights.labels import words

POLICY_SQL = ("case when x.policy_requires_auth then 'required' when not x.policy_requires_auth "
              "then 'not_required' else 'no_policy' end")


def render(context: PageContext) -> None:
    st.header("Prior auth")
    auth = queries.prior_auth(context.con, context.filters)
    expected = auth[(auth["policy_requires_auth"] == "required") & (auth["auth_number_location"] == "absent")]
    a, b, c = st.columns(3)
    a.metric("Denied lines", f"{int(auth['lines'].sum()):,}", border=True)
    b.metric("Policy required auth, none sent", f"{int(expected['lines'].sum()):,} lines", border=True,
             help="The denial the payer's policy predicts: a front-end miss (seed payer_policies).")
    c.metric("Initially denied", f"${auth['initial_denied_amount'].sum():,.0f}", border=True)
    st.subheader("Policy vs authorization sent")
    picked = chart(charts.prior_auth(auth), key="auth_chart")
    pairs = auth.groupby(["policy_requires_auth", "auth_number_location"])["initial_denied_amount"].sum()
    options = [DrillOption(f"{words(policy)}, auth {words(sent).lower()}",
                           [(POLICY_SQL, policy), ("x.auth_number_location", sent)],
                           {"policy_requires_auth": policy, "auth_number_location": sent})
               for policy, sent in pairs.sort_values(ascending=False).index]
    drill(context, picked, options, key="auth_drill", source="missing_auth")
    for column in ("policy_requires_auth", "auth_number_location", "auth_issue"):
        auth[column] = auth[column].map(words)
    table(auth, ["payer_name", "policy_requires_auth", "auth_number_location", "auth_issue", "lines",
                 "initial_denied_amount", "denied_amount"], key="auth_table")
