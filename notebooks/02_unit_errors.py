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
# Reads the published `mart_denials_unit_errors` (denied lines, one root cause each, by the precedence
# documented in `models/marts/_marts__models.yml`) and `mart_prebill_risk` (the same rules on claims not
# yet remitted). Every unit comparison was made in the mart through the drug's billing unit
# (`drug_reference.billing_unit_size` and `billing_unit_measure`); nothing here assumes a code's unit.
# Only aggregates are shown.

# %%
from denials.insights import charts, queries
from denials.insights.filters import Filters
from denials.insights.labels import words
from denials.insights.notebook import chart, open_published, show

con = open_published()
everything = Filters()


def query(sql: str, params: list | None = None):  # noqa: ANN201 - a pandas frame
    return con.execute(sql, params or []).df()


# %% [markdown]
# ## Root causes: lines and dollars at stake
#
# Dollars at stake are the denied dollars plus, for a magnitude slip that billed too few units, the
# charge of the units left off the claim (`underbilled_amount`).

# %%
causes = queries.unit_error_causes(con, everything)
chart(charts.unit_error_causes(causes).properties(title="Unit-error root causes by drug"))
by_cause = causes.groupby("root_cause", as_index=False)[
    ["lines", "denied_amount", "underbilled_amount", "dollars_at_stake"]].sum()
by_cause["root_cause"] = by_cause["root_cause"].map(words)
show(by_cause.sort_values("dollars_at_stake", ascending=False), counts=["lines"],
     money=["denied_amount", "underbilled_amount", "dollars_at_stake"])

# %% [markdown]
# ## Billed against expected units
#
# `billed_to_expected_ratio` is the units the dose group's lines bill over the units the administration
# record stands for. Near 0.001 a milligram figure was billed as units of a per-microgram code; near
# 1000 the reverse. On the log-log chart those lines sit three decades off the diagonal.

# %%
units = queries.unit_error_units(con, everything)
chart(charts.billed_vs_expected(units).properties(title="Units billed vs units administered"))
ratios = query("""
    select coalesce(root_cause, 'unexplained') as root_cause,
           count(billed_to_expected_ratio) as lines,
           min(billed_to_expected_ratio) as min_ratio,
           median(billed_to_expected_ratio) as median_ratio,
           max(billed_to_expected_ratio) as max_ratio
    from marts.mart_denials_unit_errors
    where is_drug_line
    group by 1 order by 1""")
ratios["root_cause"] = ratios["root_cause"].map(words)
for column in ("min_ratio", "median_ratio", "max_ratio"):
    ratios[column] = ratios[column].map(lambda value: "" if value != value else f"{value:,.4g}")
show(ratios, counts=["lines"])

# %% [markdown]
# ## Factor VIIa (per-microgram codes) in focus
#
# The drug class comes from the `drug_reference` seed, not from a list of codes.

# %%
factor_viia = query("""
    select errors.procedure_code, coalesce(errors.root_cause, 'unexplained') as root_cause,
           count(*) as lines, sum(errors.dollars_at_stake) as dollars_at_stake,
           avg(errors.billed_units) as avg_billed_units, avg(errors.expected_billed_units) as avg_expected_units
    from marts.mart_denials_unit_errors as errors
    inner join reference.drug_reference as drugs on errors.procedure_code = drugs.hcpcs_code
    where drugs.drug_class = 'factor_viia'
    group by 1, 2 order by 1, 4 desc""")
factor_viia["root_cause"] = factor_viia["root_cause"].map(words)
for column in ("avg_billed_units", "avg_expected_units"):
    factor_viia[column] = factor_viia[column].map(lambda value: "" if value != value else f"{value:,.0f}")
show(factor_viia, counts=["lines"], money=["dollars_at_stake"])

# %% [markdown]
# ## JW / JZ / 76 facts on the denied drug lines

# %%
modifiers = query("""
    select coalesce(root_cause, 'unexplained') as root_cause,
           count(*) filter (where has_jw) as with_jw, count(*) filter (where has_jz) as with_jz,
           count(*) filter (where has_76) as with_76,
           count(*) filter (where wasted_billing_units > 0) as dose_with_waste,
           count(*) filter (where dose_group_has_waste_line) as dose_with_jw_line
    from marts.mart_denials_unit_errors
    where is_drug_line
    group by 1 order by 1""")
modifiers["root_cause"] = modifiers["root_cause"].map(words)
show(modifiers)

# %% [markdown]
# ## The same rules before billing: claims not yet remitted

# %%
prebill = queries.prebill_by_rule(con, everything)
prebill = prebill[prebill["rule_name"].isin(["unit_error", "modifier_error"])]
chart(charts.prebill_rules(prebill).properties(title="Unit and modifier risk on unremitted claims"))
prebill = prebill.assign(rule_name=prebill["rule_name"].map(words), rule_detail=prebill["rule_detail"].map(words))
show(prebill, counts=["lines"], money=["dollars_at_risk"])

# %% [markdown]
# ## Paid, but short: drug underpayments
#
# Paid drug lines whose payment falls short of what their paid units should bring: Medicare Part B at the
# ASP payment limit less deductible, 20% coinsurance and sequestration; other payers at the contracted rate
# you file in `seeds/payer_drug_contract_rates.csv`. The ASP figures shipped are illustrative placeholders
# (`price_notes`), so read the Medicare dollars as a shape, not a claim, until the seed holds the CMS file.

# %%
underpaid = query("""
    select payer_type, procedure_code, payment_basis, count(*) as lines,
           sum(shortfall_amount) as shortfall, avg(expected_paid_per_unit) as expected_per_unit,
           avg(paid_per_unit) as paid_per_unit
    from marts.mart_drug_underpayments
    group by 1, 2, 3 order by 5 desc""")
underpaid["payment_basis"] = underpaid["payment_basis"].map(words)
for column in ("expected_per_unit", "paid_per_unit"):
    underpaid[column] = underpaid[column].map(lambda value: "" if value != value else f"${value:,.3f}")
show(underpaid, counts=["lines"], money=["shortfall"])

# %%
con.close()
