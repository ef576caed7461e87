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
# # Unit errors: what went wrong between the administration record and the claim
#
# Reads `mart_denials_unit_errors` (denied lines, one root cause each, by the precedence documented in
# `models/marts/_marts__models.yml`) and `mart_prebill_risk` (the same rules on claims not yet remitted).
# Every unit comparison goes through the drug's billing unit (`drug_reference.billing_unit_size` and
# `billing_unit_measure`), so nothing here assumes a code's unit.
#
# The warehouse path comes from `DENIALS_WAREHOUSE`; its published marts are opened read-only; only
# aggregates are printed.

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
# ## Root causes: lines and dollars at stake
#
# Dollars at stake are the denied dollars plus, for a magnitude slip that billed too few units, the
# charge of the units left off the claim (`underbilled_amount`).

# %%
causes = query(
    """
    select
        coalesce(root_cause, '(unexplained)') as root_cause,
        min(root_cause_precedence) as precedence,
        any_value(prebill_rule) as prebill_rule,
        count(*) as denied_lines,
        sum(case when is_open_denial then 1 else 0 end) as still_open,
        sum(denied_amount) as denied_now,
        sum(coalesce(underbilled_amount, 0)) as underbilled,
        sum(dollars_at_stake) as dollars_at_stake
    from marts.mart_denials_unit_errors
    group by 1
    order by precedence nulls last
    """
)
print(causes.to_string(index=False))

# %% [markdown]
# ## Root cause by drug (lines)

# %%
by_drug = query(
    """
    select
        procedure_code,
        any_value(billing_unit_size) as billing_unit_size,
        any_value(billing_unit_measure) as billing_unit_measure,
        coalesce(root_cause, '(unexplained)') as root_cause,
        count(*) as lines
    from marts.mart_denials_unit_errors
    group by procedure_code, root_cause
    """
)
if by_drug.empty:
    print("no unit-error denials")
else:
    pivot = by_drug.pivot_table(
        index="root_cause", columns="procedure_code", values="lines", aggfunc="sum", fill_value=0
    )
    print(pivot.to_string())

# %% [markdown]
# ## Billed against administered: the ratio behind the magnitude slips
#
# `billed_to_expected_ratio` is the units the dose group's lines bill over the units the administration
# record stands for. Near 0.001 a milligram figure was billed as units of a per-microgram code; near
# 1000 the reverse.

# %%
ratios = query(
    """
    select
        coalesce(root_cause, '(unexplained)') as root_cause,
        count(billed_to_expected_ratio) as lines_with_administration,
        min(billed_to_expected_ratio) as min_ratio,
        median(billed_to_expected_ratio) as median_ratio,
        max(billed_to_expected_ratio) as max_ratio
    from marts.mart_denials_unit_errors
    where is_drug_line
    group by 1
    order by 1
    """
)
print(ratios.to_string(index=False, float_format=lambda value: f"{value:,.6f}"))

# %% [markdown]
# ## Factor VIIa (per-microgram codes) in focus
#
# The drug class comes from the `drug_reference` seed, not from a list of codes.

# %%
factor_viia = query(
    """
    select
        errors.procedure_code,
        coalesce(errors.root_cause, '(unexplained)') as root_cause,
        count(*) as lines,
        sum(errors.dollars_at_stake) as dollars_at_stake,
        round(avg(errors.billed_units), 1) as avg_billed_units,
        round(avg(errors.expected_billed_units), 1) as avg_expected_units
    from marts.mart_denials_unit_errors as errors
    inner join reference.drug_reference as drugs
        on errors.procedure_code = drugs.hcpcs_code
    where drugs.drug_class = 'factor_viia'
    group by 1, 2
    order by 1, 2
    """
)
print(factor_viia.to_string(index=False) if not factor_viia.empty else "no factor VIIa unit-error denials")

# %% [markdown]
# ## JW / JZ / 76 facts on the denied lines

# %%
modifiers = query(
    """
    select
        coalesce(root_cause, '(unexplained)') as root_cause,
        sum(case when has_jw then 1 else 0 end) as with_jw,
        sum(case when has_jz then 1 else 0 end) as with_jz,
        sum(case when has_76 then 1 else 0 end) as with_76,
        sum(case when wasted_billing_units > 0 then 1 else 0 end) as dose_with_waste,
        sum(case when dose_group_has_waste_line then 1 else 0 end) as dose_with_jw_line
    from marts.mart_denials_unit_errors
    where is_drug_line
    group by 1
    order by 1
    """
)
print(modifiers.to_string(index=False))

# %% [markdown]
# ## The same rules before billing: claims not yet remitted

# %%
prebill = query(
    """
    select rule_name, rule_detail, count(*) as lines, sum(dollars_at_risk) as dollars_at_risk
    from marts.mart_prebill_risk
    where rule_name in ('unit_error', 'modifier_error')
    group by 1, 2
    order by dollars_at_risk desc
    """
)
print(prebill.to_string(index=False) if not prebill.empty else "no unit/modifier risk on unremitted claims")

# %%
con.close()
