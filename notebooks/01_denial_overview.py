# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Denial overview
#
# Where denials come from and what is still open, from the published marts (`denials run` writes them):
#
# - line-level KPIs by month, payer and drug (`mart_denial_kpis_monthly`), rolled up exactly as
#   `models/marts/_marts__metrics.yml` defines each rate (`denials.insights.metrics` reads the formulas
#   from that file; nothing here re-derives one);
# - the denial mix by category and the top reasons with their CARC/RARC meanings (`fct_denials`, seeds);
# - the appeal worklist by payer, days left counted from today (`mart_appeal_worklist`);
# - the pre-bill risk on claims not yet remitted (`mart_prebill_risk`).
#
# The charts are the app's (`denials app`) and the report's (`denials report`). Only aggregates are shown.

# %%
from datetime import date

import pandas as pd

from denials.insights import charts, formatting, queries
from denials.insights.filters import Filters
from denials.insights.labels import title, words
from denials.insights.metrics import metric
from denials.insights.notebook import chart, open_published, show

con = open_published()
everything = Filters()
stamp = queries.as_of(con)
print(f"Data through {stamp['data_through']}, published {stamp['published_at']}")

# %% [markdown]
# ## Headline KPIs
# The same tiles as the app; the formula column is the metrics file's.

# %%
totals = queries.kpi_totals(con, everything)


def shown(name: str) -> str:
    if name.endswith("_amount"):
        return formatting.money(totals[name])
    if name.startswith("avg_days"):
        return formatting.days(totals[name])
    return formatting.percent(totals[name]) if metric(name).is_ratio else formatting.count(totals[name])


show(pd.DataFrame({"kpi": [title(name) for name in queries.TILE_METRICS],
                   "value": [shown(name) for name in queries.TILE_METRICS],
                   "formula": [metric(name).formula for name in queries.TILE_METRICS]}))

# %% [markdown]
# ## Initial denial rate by month, with volume
# Hollow points are months the data covers only in part: their rate is not comparable.

# %%
trend = queries.kpi_trend(con, everything)
chart(charts.denial_trend(trend).properties(title="Initial denial rate by month"))
show(trend, rates=["initial_denial_rate", "initial_denial_rate_dollars", "first_pass_yield"],
     counts=["adjudicated_lines", "initially_denied_lines"])

# %% [markdown]
# ## By payer: scorecard, trend and drift

# %%
scorecard = queries.payer_scorecard(con, everything)
scorecard["payer_type"] = scorecard["payer_type"].map(words)
show(scorecard.drop(columns=["payer_id"]),
     rates=["initial_denial_rate", "initial_denial_rate_dollars", "first_pass_yield", "avoidable_denial_share",
            "denial_overturn_rate"],
     money=["initial_denied_amount", "final_denied_amount"], counts=["adjudicated_lines"])
chart(charts.payer_trend(queries.payer_trend(con, everything)).properties(title="Denial rate by payer"))
drift = queries.payer_drift(con, everything)
chart(charts.payer_drift(drift).properties(title="Latest full month vs the 3 months before"))

# %% [markdown]
# ## By drug

# %%
drugs = queries.drug_scorecard(con, everything)
drugs["drug_code"] = drugs["drug_code"].replace({"non_drug": "–"})
show(drugs, rates=["initial_denial_rate", "initial_denial_rate_dollars", "first_pass_yield",
                   "avoidable_denial_share", "denial_overturn_rate"],
     money=["initial_denied_amount", "final_denied_amount"], counts=["adjudicated_lines"])

# %% [markdown]
# ## Denial mix and top reasons

# %%
categories = queries.denials_by_category(con, everything)
chart(charts.denials_by_category(categories).properties(title="Denied dollars by category"))
reasons = queries.top_reasons(con, everything, limit=10)
reasons["denial_category"] = reasons["denial_category"].map(words)
show(reasons, money=["initial_denied_amount", "final_denied_amount"], counts=["lines"])

# %% [markdown]
# ## Appeal worklist by payer (days left from today)

# %%
today = date.today()
worklist = queries.appeal_worklist(con, everything, today, open_only=False, limit=None)
by_payer = worklist.assign(open=worklist["days_left"] >= 0, due_14=worklist["days_left"].between(0, 14))
by_payer = by_payer.groupby("payer_name", as_index=False).agg(
    denials=("recoverable_amount", "size"), recoverable_amount=("recoverable_amount", "sum"),
    open_windows=("open", "sum"), due_within_14_days=("due_14", "sum"))
show(by_payer.sort_values("recoverable_amount", ascending=False), money=["recoverable_amount"],
     caption=f"Days left counted from {today}")
chart(charts.appeal_deadlines(queries.appeal_summary(con, everything, stamp["data_through"] or today))
      .properties(title="Recoverable $ by weeks left, as of the latest remittance"))

# %% [markdown]
# ## Pre-bill risk on claims not yet remitted

# %%
rules = queries.prebill_by_rule(con, everything)
chart(charts.prebill_rules(rules).properties(title="Charges at risk by rule"))
rules["rule_name"] = rules["rule_name"].map(words)
show(rules, money=["dollars_at_risk"], counts=["lines"])

# %%
con.close()
