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
# # A worked investigation: one payer's J7189 unit-error spike
#
# J7189 (NovoSeven RT, recombinant factor VIIa) is billed **per microgram**: a 5 mg vial is 5,000 units.
# Billing the milligram figure instead (5 units) is the classic unit error. This notebook follows one
# spike from the chart down to the bytes the payer sent:
#
# 1. **Chart**: J7189 unit-error denials by payer and month; pick the payer-month that spiked.
# 2. **KPIs**: that payer's J7189 denial rate from the KPI mart, month by month, against its trailing months.
# 3. **Claim lines**: the denied lines behind the spike, with root cause, billed vs expected units and
#    lineage (file and segment).
# 4. **Raw segments**: the 835 service loop that denied the top line, and the 837 line that billed it.
#
# Marts come from the published file; raw segments from the warehouse itself, opened read-only after the
# build (a running build holds the file: wait for it). Identifiers are masked throughout.

# %%
from denials.insights import charts
from denials.insights.labels import words
from denials.insights.lineage import loop_segments
from denials.insights.notebook import chart, open_published, show, warehouse
from denials.quiet import quiet_connect

DRUG = "J7189"
con = open_published()


def query(sql: str, params: list | None = None):  # noqa: ANN201 - a pandas frame
    return con.execute(sql, params or []).df()


# %% [markdown]
# ## 1. The spike: J7189 unit-error denials by payer and month
# Lines of `mart_denials_unit_errors`, dated by their first adjudication (`fct_denials.first_remit_date`,
# the month the KPI mart files them under).

# %%
import altair as alt  # noqa: E402

by_month = query("""
    select d.payer_id, d.payer_name, date_trunc('month', d.first_remit_date) as month,
           count(*) as lines, sum(u.dollars_at_stake) as dollars_at_stake
    from marts.mart_denials_unit_errors u join marts.fct_denials d on d.denial_id = u.denial_id
    where u.procedure_code = ? and d.first_remit_date is not null
    group by all order by month""", [DRUG])
if by_month.empty:
    raise SystemExit(f"no {DRUG} unit-error denial in this warehouse: nothing to investigate")
spike = by_month.sort_values(["lines", "dollars_at_stake"], ascending=False).iloc[0]
payer_id, payer_name, month = spike["payer_id"], spike["payer_name"], spike["month"]
print(f"Spike: {payer_name}, {month:%B %Y}: {spike['lines']} {DRUG} unit-error lines, "
      f"${spike['dollars_at_stake']:,.0f} at stake")

chart(alt.Chart(by_month).mark_line(point=True).encode(
    x=alt.X("yearmonth(month):T", title="Month of first adjudication", axis=alt.Axis(format="%b %Y")),
    y=alt.Y("lines:Q", title=f"{DRUG} unit-error lines", scale=alt.Scale(zero=True)),
    color=alt.Color("payer_name:N", title="Payer"),
    strokeWidth=alt.condition(alt.datum.payer_id == payer_id, alt.value(3), alt.value(1)),
    tooltip=[alt.Tooltip("payer_name:N", title="Payer"), alt.Tooltip("yearmonth(month):T", title="Month"),
             alt.Tooltip("lines:Q", title="Lines"),
             alt.Tooltip("dollars_at_stake:Q", title="$ at stake", format="$,.0f")],
).properties(title=f"{DRUG} unit-error denials by payer", width="container", height=280))

# %% [markdown]
# ## 2. Is it a spike in the rate, or just more claims?
# The KPI mart has one row per month x payer x drug, so each point below is the mart's own
# `initial_denial_rate` for that payer and J7189, read as is (no re-computation).

# %%
kpis = query("""
    select kpi_month, adjudicated_lines, initially_denied_lines, initial_denial_rate, initial_denied_amount
    from marts.mart_denial_kpis_monthly
    where payer_id = ? and drug_code = ? and kpi_month is not null
    order by kpi_month""", [payer_id, DRUG])
kpis["spike_month"] = kpis["kpi_month"] == month
chart(alt.Chart(kpis).mark_bar().encode(
    x=alt.X("yearmonth(kpi_month):T", title="Month", axis=alt.Axis(format="%b %Y")),
    y=alt.Y("initial_denial_rate:Q", title="Initial denial rate", axis=alt.Axis(format="%"),
            scale=alt.Scale(zero=True)),
    color=alt.condition(alt.datum.spike_month, alt.value(charts.DENIED), alt.value(charts.VOLUME)),
    tooltip=[alt.Tooltip("yearmonth(kpi_month):T", title="Month"),
             alt.Tooltip("initial_denial_rate:Q", title="Denial rate", format=".1%"),
             alt.Tooltip("adjudicated_lines:Q", title="Lines")],
).properties(title=f"{payer_name}: {DRUG} initial denial rate by month", width="container", height=240))
show(kpis.drop(columns=["spike_month"]), rates=["initial_denial_rate"], money=["initial_denied_amount"],
     counts=["adjudicated_lines", "initially_denied_lines"])

# %% [markdown]
# ## 3. The claim lines behind the spike
# Root cause (one per line, by the mart's precedence), units billed against the units the administration
# record stands for, dollars at stake, and the lineage to the remit and 837 segments.

# %%
lines = query("""
    select u.claim_control_number, u.root_cause, u.procedure_modifiers, u.billed_units,
           u.expected_billed_units, u.billed_to_expected_ratio, u.ndc_quantity, u.ndc_unit_code,
           u.denied_amount, u.dollars_at_stake, u.primary_group_code, u.primary_carc_code,
           u.primary_rarc_code, u.remit_file_id, u.remit_segment_position, u.claim_file_id,
           u.claim_segment_position
    from marts.mart_denials_unit_errors u join marts.fct_denials d on d.denial_id = u.denial_id
    where u.procedure_code = ? and d.payer_id = ? and date_trunc('month', d.first_remit_date) = ?
    order by u.dollars_at_stake desc""", [DRUG, payer_id, month])
causes = lines.groupby("root_cause", dropna=False, as_index=False).agg(
    lines=("dollars_at_stake", "size"), dollars_at_stake=("dollars_at_stake", "sum"))
causes["root_cause"] = causes["root_cause"].map(words)
show(causes.sort_values("dollars_at_stake", ascending=False), money=["dollars_at_stake"], counts=["lines"],
     caption="Root causes in the spike")
shown = lines.assign(root_cause=lines["root_cause"].map(words))
show(shown, money=["denied_amount", "dollars_at_stake"], caption="Lines (claim numbers masked)")

# %% [markdown]
# ## 4. The raw segments of the top line
# The lineage columns point at the 835 SVC (or CLP) segment that denied the line and at the 837 LX
# segment that billed it. `raw.x12_segments` holds every segment as received: here are the loops.
# For a milligram slip, compare SV1 units with the CTP quantity and its unit (ME = milligrams).

# %%
top = lines.iloc[0]
segments_db = quiet_connect(warehouse(), read_only=True)
try:
    remit = loop_segments(segments_db, int(top["remit_file_id"]), int(top["remit_segment_position"]))
    show(remit, caption=f"835 file {top['remit_file_id']}, from segment {top['remit_segment_position']}")
    if top["claim_file_id"] == top["claim_file_id"]:  # not NaN: the line matched an 837 line
        billed = loop_segments(segments_db, int(top["claim_file_id"]), int(top["claim_segment_position"]))
        show(billed, caption=f"837 file {top['claim_file_id']}, from segment {top['claim_segment_position']}")
finally:
    segments_db.close()

# %% [markdown]
# ## What to do
# A line whose root cause is *mcg billed as mg* bills the milligram figure in a per-microgram code: the
# fix is a corrected claim with the units multiplied by 1,000 (`drug_reference.billing_unit_size`), and a
# front-end edit that compares SV1 units with the CTP quantity before the claim goes out (the pre-bill
# risk queue applies exactly that rule to claims not yet remitted).

# %%
print(f"{len(lines)} lines, ${lines['dollars_at_stake'].sum():,.0f} at stake for {payer_name} in {month:%B %Y}")
con.close()
