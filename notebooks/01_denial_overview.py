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
# Where denials come from and what is still open, read from the marts (`dbt build` first):
#
# - line-level KPIs by month, payer and drug (`mart_denial_kpis_monthly`), re-aggregated by summing the
#   numerator and denominator columns and dividing, exactly as `models/marts/_marts__metrics.yml` defines
#   each rate (never averaging rates);
# - the top denial reasons per payer (`mart_top_denial_reasons`);
# - the denial mix by category and its avoidable share (`fct_denials`);
# - the appeal worklist by payer and days left (`mart_appeal_worklist`);
# - the pre-bill risk on claims not yet remitted (`mart_prebill_risk`).
#
# The warehouse path comes from `DENIALS_WAREHOUSE`; its published marts (what `denials run` checked and
# published) are opened read-only. Only aggregates are printed: no patient control numbers, line control
# numbers or other identifiers.

# %%
import os
from pathlib import Path

import pandas as pd

from denials.publish import connect_published

WAREHOUSE = Path(os.environ.get("DENIALS_WAREHOUSE", "warehouse/denials.duckdb"))
try:
    # The published copy of the marts: never blocked by a build running meanwhile.
    con = connect_published(WAREHOUSE)
except FileNotFoundError as missing:
    raise SystemExit(f"{missing} (set DENIALS_WAREHOUSE)") from None

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 30)


def query(sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


# %% [markdown]
# ## Headline KPIs
#
# Each rate is `sum(numerator) / sum(denominator)` over the whole period, with the column names of the
# KPI mart, so this table agrees with the dashboard and with any other roll-up.

# %%
RATES = {
    "initial_denial_rate": ("initially_denied_lines", "adjudicated_lines"),
    "initial_denial_rate_dollars": ("initially_denied_billed_amount", "billed_amount"),
    "zero_pay_denial_rate": ("zero_pay_denied_lines", "adjudicated_lines"),
    "partial_pay_denial_rate": ("partial_pay_denied_lines", "adjudicated_lines"),
    "first_pass_yield": ("first_pass_paid_lines", "adjudicated_lines"),
    "denial_overturn_rate": ("overturned_lines", "initially_denied_lines"),
    "avoidable_denial_share": ("avoidable_denied_lines", "initially_denied_lines"),
    "avoidable_denial_share_dollars": ("avoidable_denied_amount", "initial_denied_amount"),
    "avg_days_service_to_payment": ("days_service_to_payment_total", "paid_lines_with_service_date"),
    "avg_days_received_to_payment": ("days_received_to_payment_total", "paid_lines_with_received_date"),
}


def kpis(group_by: list[str]) -> pd.DataFrame:
    """The KPI mart rolled up to `group_by` (empty for one overall row), every rate recomputed."""
    sums = ", ".join(
        f"sum({column}) as {column}"
        for column in sorted({part for pair in RATES.values() for part in pair})
    )
    keys = ", ".join(group_by)
    select_keys = f"{keys}, " if keys else ""
    group = f"group by {keys} order by {keys}" if keys else ""
    frame = query(f"select {select_keys}{sums} from marts.mart_denial_kpis_monthly {group}")
    for rate, (numerator, denominator) in RATES.items():
        frame[rate] = (
            frame[numerator].astype(float) / frame[denominator].astype(float).where(frame[denominator] != 0)
        )
    return frame


overall = kpis([])
headline = overall[["adjudicated_lines", "billed_amount", *RATES]].T.rename(columns={0: "value"})
print(headline.to_string(float_format=lambda value: f"{value:,.4f}"))

# %% [markdown]
# ## By payer

# %%
by_payer = kpis(["payer_id", "payer_type"])
print(
    by_payer[
        ["payer_id", "payer_type", "adjudicated_lines", "initial_denial_rate", "initial_denial_rate_dollars",
         "first_pass_yield", "denial_overturn_rate", "avoidable_denial_share", "avg_days_received_to_payment"]
    ].to_string(index=False, float_format=lambda value: f"{value:,.3f}")
)

# %% [markdown]
# ## Monthly trend (all payers)

# %%
by_month = kpis(["kpi_month"])
print(
    by_month[
        ["kpi_month", "adjudicated_lines", "initial_denial_rate", "zero_pay_denial_rate", "first_pass_yield"]
    ].to_string(index=False, float_format=lambda value: f"{value:,.3f}")
)

# %% [markdown]
# ## By drug

# %%
by_drug = kpis(["drug_code"])
print(
    by_drug[
        ["drug_code", "adjudicated_lines", "billed_amount", "initial_denial_rate",
         "initial_denial_rate_dollars"]
    ].to_string(index=False, float_format=lambda value: f"{value:,.3f}")
)

# %% [markdown]
# ## Top denial reasons per payer

# %%
top_reasons = query(
    """
    select payer_id, payer_rank, denial_category, group_code, carc_code, coalesce(rarc_code, '') as rarc_code,
        denied_lines, initial_denied_amount, final_denied_amount
    from marts.mart_top_denial_reasons
    where payer_rank <= 3
    order by payer_id, payer_rank
    """
)
print(top_reasons.to_string(index=False))

# %% [markdown]
# ## Denial mix: category, avoidable share, final status

# %%
mix = query(
    """
    select
        denial_category,
        any_value(is_avoidable) as is_avoidable,
        count(*) as denied_lines,
        sum(initial_denied_amount) as initial_denied_amount,
        sum(denied_amount) as denied_amount_now,
        sum(case when is_overturned then 1 else 0 end) as overturned_lines,
        sum(case when is_claim_level_denial then 1 else 0 end) as claim_level_lines
    from marts.fct_denials
    group by denial_category
    order by initial_denied_amount desc
    """
)
mix["share_of_denied_dollars"] = mix["initial_denied_amount"] / mix["initial_denied_amount"].sum()
print(mix.to_string(index=False, float_format=lambda value: f"{value:,.3f}"))

status = query(
    """
    select final_status, count(*) as lines, sum(denied_amount) as denied_amount
    from marts.fct_denials
    group by final_status
    order by lines desc
    """
)
print(status.to_string(index=False))

# %% [markdown]
# ## Appeal worklist
#
# Open CO denials by payer, split by days left in the payer's appeal window (counted to the worklist's
# reference date: the latest remit date, or the dbt var `as_of_date`).

# %%
worklist = query(
    """
    select
        payer_id,
        any_value(as_of_date) as as_of_date,
        count(*) as open_denials,
        sum(recoverable_amount) as recoverable_amount,
        sum(case when is_appeal_window_open and days_left_to_appeal <= 14 then 1 else 0 end)
            as due_in_14_days,
        sum(case when not is_appeal_window_open then 1 else 0 end) as window_closed
    from marts.mart_appeal_worklist
    group by payer_id
    order by recoverable_amount desc
    """
)
print(worklist.to_string(index=False))

# %% [markdown]
# ## Pre-bill risk on claims not yet remitted

# %%
prebill = query(
    """
    select
        rule_name,
        count(*) as lines,
        count(distinct claim_id) as claims,
        sum(dollars_at_risk) as dollars_at_risk
    from marts.mart_prebill_risk
    group by rule_name
    order by dollars_at_risk desc
    """
)
print(prebill.to_string(index=False))

# %%
con.close()
