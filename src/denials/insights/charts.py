"""The Altair charts of the app and the static report (the same specs in both).

Every chart has titled axes in the reader's words, money axes in $ and rate axes in %, a zero baseline,
tooltips, and a point selection named `pick` over the field a drill-down filters on (the app turns a
click into the claim lines behind the mark). Widths follow the container.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from denials.insights.labels import words

PICK = "pick"
MONEY = "$,.0f"
RATE = ".1%"
DENIED = "#c0392b"
VOLUME = "#c9d3dd"
RATE_LINE = "#2e6da4"
HEIGHT = 280
# Width follows the container; the height is the plot's, legends and axes come on top of it.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def _size(height: int) -> dict:
    return {"height": height, "width": "container", "autosize": FIT_WIDTH}


def _pick(*fields: str) -> alt.Parameter:
    return alt.selection_point(name=PICK, fields=list(fields), on="click", clear="dblclick")


def _labelled(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    out = frame.copy()
    out[label] = out[column].map(words)
    return out


def _empty(message: str) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"text": [message]})).mark_text(size=14, color="#5a6876").encode(
        text="text:N").properties(**_size(60))


def _month(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["kpi_month"] = pd.to_datetime(out["kpi_month"])
    return out


def denial_trend(trend: pd.DataFrame) -> alt.Chart:
    """Initial denial rate by month over the volume of lines; partial months hollow and named so."""
    if trend.empty:
        return _empty("No adjudicated lines in this selection.")
    data = _month(trend)
    data["month_status"] = data["is_partial_month"].map({True: "Partial month", False: "Full month"})
    pick = _pick("kpi_month")
    # Ordinal months: each point sits over the middle of its month's bar.
    base = alt.Chart(data).encode(
        x=alt.X("yearmonth(kpi_month):O", title="Month of first adjudication",
                axis=alt.Axis(format="%b %Y", labelAngle=-40, labelOverlap=True)))
    tooltip = [alt.Tooltip("yearmonth(kpi_month):T", title="Month", format="%B %Y"),
               alt.Tooltip("initial_denial_rate:Q", title="Denial rate", format=RATE),
               alt.Tooltip("initial_denial_rate_dollars:Q", title="Denial rate ($)", format=RATE),
               alt.Tooltip("adjudicated_lines:Q", title="Lines", format=",d"),
               alt.Tooltip("initially_denied_lines:Q", title="Denied lines", format=",d"),
               alt.Tooltip("month_status:N", title="Coverage")]
    volume = base.mark_bar(color=VOLUME, opacity=0.8).encode(
        y=alt.Y("adjudicated_lines:Q", title="Lines adjudicated", scale=alt.Scale(zero=True),
                axis=alt.Axis(orient="right", format="~s")),
        tooltip=tooltip).add_params(pick)
    line = base.mark_line(color=RATE_LINE, strokeWidth=2.5).encode(
        y=alt.Y("initial_denial_rate:Q", title="Initial denial rate", scale=alt.Scale(zero=True),
                axis=alt.Axis(format="%")))
    points = base.mark_point(size=70, strokeWidth=2, color=RATE_LINE).encode(
        y=alt.Y("initial_denial_rate:Q"),
        fill=alt.Fill("month_status:N", title=None,
                      scale=alt.Scale(domain=["Full month", "Partial month"], range=[RATE_LINE, "white"]),
                      legend=alt.Legend(orient="top")),
        tooltip=tooltip)
    return alt.layer(volume, line + points).resolve_scale(y="independent").properties(**_size(HEIGHT))


def denials_by_category(categories: pd.DataFrame) -> alt.Chart:
    if categories.empty:
        return _empty("No denials in this selection.")
    data = _labelled(categories, "denial_category", "category")
    data["avoidable"] = data["is_avoidable"].map({True: "Avoidable", False: "Not avoidable"})
    data["avoidable"] = data["avoidable"].fillna("Unknown")
    kinds = {"Avoidable": DENIED, "Not avoidable": "#7f8c8d", "Unknown": "#bdc3c7"}
    present = [kind for kind in kinds if kind in set(data["avoidable"])]
    pick = _pick("denial_category")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("category:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("initial_denied_amount:Q", title="Initially denied ($)", axis=alt.Axis(format="$~s"),
                scale=alt.Scale(zero=True)),
        color=alt.Color("avoidable:N", title=None,
                        scale=alt.Scale(domain=present, range=[kinds[kind] for kind in present]),
                        legend=alt.Legend(orient="top")),
        opacity=alt.condition(pick, alt.value(1), alt.value(0.45)),
        tooltip=[alt.Tooltip("category:N", title="Category"),
                 alt.Tooltip("description:N", title="Meaning"),
                 alt.Tooltip("lines:Q", title="Denied lines", format=",d"),
                 alt.Tooltip("initial_denied_amount:Q", title="Initially denied", format=MONEY),
                 alt.Tooltip("final_denied_amount:Q", title="Still denied", format=MONEY),
                 alt.Tooltip("responsible_team:N", title="Team")],
    ).add_params(pick).properties(**_size(max(120, 26 * len(data))))


def payer_trend(trend: pd.DataFrame) -> alt.Chart:
    if trend.empty:
        return _empty("No adjudicated lines in this selection.")
    data = _month(trend)
    pick = _pick("payer_id")
    return alt.Chart(data).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("yearmonth(kpi_month):T", title="Month of first adjudication",
                axis=alt.Axis(format="%b %Y", labelAngle=-40, labelOverlap=True)),
        y=alt.Y("initial_denial_rate:Q", title="Initial denial rate", axis=alt.Axis(format="%"),
                scale=alt.Scale(zero=True)),
        color=alt.Color("payer_name:N", title="Payer", legend=alt.Legend(orient="bottom", columns=2,
                                                                           labelLimit=220)),
        opacity=alt.condition(pick, alt.value(1), alt.value(0.25)),
        tooltip=[alt.Tooltip("payer_name:N", title="Payer"),
                 alt.Tooltip("yearmonth(kpi_month):T", title="Month", format="%B %Y"),
                 alt.Tooltip("initial_denial_rate:Q", title="Denial rate", format=RATE),
                 alt.Tooltip("adjudicated_lines:Q", title="Lines", format=",d")],
    ).add_params(pick).properties(**_size(HEIGHT))


def payer_drift(drift: pd.DataFrame) -> alt.Chart:
    data = drift.dropna(subset=["drift"])
    if data.empty:
        return _empty("No payer has both a latest month and the 3 months before it.")
    data = data.assign(direction=data["drift"].map(lambda v: "Worse" if v > 0 else "Better or same"))
    pick = _pick("payer_id")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("payer_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("drift:Q", title="Latest month minus trailing 3 months",
                axis=alt.Axis(format="+.0%"), scale=alt.Scale(zero=True)),
        color=alt.Color("direction:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["Worse", "Better or same"], range=[DENIED, "#27ae60"])),
        tooltip=[alt.Tooltip("payer_name:N", title="Payer"),
                 alt.Tooltip("latest_rate:Q", title="Latest month", format=RATE),
                 alt.Tooltip("trailing_rate:Q", title="Trailing 3 months", format=RATE),
                 alt.Tooltip("drift:Q", title="Drift", format="+.1%"),
                 alt.Tooltip("latest_lines:Q", title="Lines (latest)", format=",d")],
    ).add_params(pick).properties(**_size(max(120, 30 * len(data))))


def unit_error_causes(causes: pd.DataFrame) -> alt.Chart:
    if causes.empty:
        return _empty("No unit-error denials in this selection.")
    data = _labelled(causes, "root_cause", "cause")
    pick = _pick("root_cause")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("cause:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("sum(dollars_at_stake):Q", title="$ at stake (denied + left unbilled)",
                axis=alt.Axis(format="$~s"), scale=alt.Scale(zero=True)),
        color=alt.Color("procedure_code:N", title="HCPCS", legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("cause:N", title="Root cause"), alt.Tooltip("procedure_code:N", title="HCPCS"),
                 alt.Tooltip("lines:Q", title="Lines", format=",d"),
                 alt.Tooltip("denied_amount:Q", title="Still denied", format=MONEY),
                 alt.Tooltip("underbilled_amount:Q", title="Left unbilled", format=MONEY),
                 alt.Tooltip("dollars_at_stake:Q", title="$ at stake", format=MONEY)],
    ).add_params(pick).properties(**_size(max(120, 30 * data["cause"].nunique())))


def billed_vs_expected(units: pd.DataFrame) -> alt.Chart:
    """Billed against expected units on log scales: the mcg/mg slips sit three decades off the diagonal."""
    if units.empty:
        return _empty("No unit-error line has an administration record to compare with.")
    data = _labelled(units, "root_cause", "cause")
    pick = _pick("root_cause")
    low = float(min(data["billed_units"].min(), data["expected_billed_units"].min()))
    high = float(max(data["billed_units"].max(), data["expected_billed_units"].max()))
    diagonal = alt.Chart(pd.DataFrame({"u": [low, high]})).mark_line(
        color="#7f8c8d", strokeDash=[4, 4]).encode(x="u:Q", y="u:Q")
    points = alt.Chart(data).mark_circle(size=60, opacity=0.8).encode(
        x=alt.X("expected_billed_units:Q", title="Units the administration record stands for",
                scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        y=alt.Y("billed_units:Q", title="Units billed", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        color=alt.Color("cause:N", title="Root cause", legend=alt.Legend(orient="bottom", columns=2,
                                                                        labelLimit=240)),
        tooltip=[alt.Tooltip("cause:N", title="Root cause"), alt.Tooltip("procedure_code:N", title="HCPCS"),
                 alt.Tooltip("payer_name:N", title="Payer"),
                 alt.Tooltip("billed_units:Q", title="Units billed", format=",.0f"),
                 alt.Tooltip("expected_billed_units:Q", title="Units expected", format=",.0f"),
                 alt.Tooltip("billed_to_expected_ratio:Q", title="Billed / expected", format=",.3f"),
                 alt.Tooltip("dollars_at_stake:Q", title="$ at stake", format=MONEY)],
    ).add_params(pick)
    return (diagonal + points).properties(**_size(HEIGHT + 40))


def medical_necessity(signals: pd.DataFrame) -> alt.Chart:
    if signals.empty:
        return _empty("No medical-necessity denials in this selection.")
    data = _labelled(signals, "diagnosis_label_status", "label_status")
    data["documentation"] = [
        "Note and documentation RARC" if note and rarc else "Note only" if note
        else "Documentation RARC only" if rarc else "Neither"
        for note, rarc in zip(data["has_note"], data["has_documentation_rarc"], strict=True)]
    pick = _pick("diagnosis_label_status")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("procedure_code:N", title="HCPCS", sort="-x"),
        x=alt.X("sum(initial_denied_amount):Q", title="Initially denied ($)", axis=alt.Axis(format="$~s"),
                scale=alt.Scale(zero=True)),
        color=alt.Color("label_status:N", title="Diagnosis vs label", legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("procedure_code:N", title="HCPCS"),
                 alt.Tooltip("label_status:N", title="Diagnosis vs label"),
                 alt.Tooltip("documentation:N", title="Documentation signals"),
                 alt.Tooltip("lines:Q", title="Lines", format=",d"),
                 alt.Tooltip("initial_denied_amount:Q", title="Initially denied", format=MONEY),
                 alt.Tooltip("denied_amount:Q", title="Still denied", format=MONEY)],
    ).add_params(pick).properties(**_size(max(120, 36 * data["procedure_code"].nunique())))


def prior_auth(auth: pd.DataFrame) -> alt.Chart:
    """Policy (does the payer require auth for the code?) against where an auth number was sent."""
    if auth.empty:
        return _empty("No missing-authorization denials in this selection.")
    data = _labelled(_labelled(auth, "policy_requires_auth", "policy"), "auth_number_location", "sent")
    pick = _pick("policy_requires_auth", "auth_number_location")
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("sent:N", title="Authorization number sent", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("policy:N", title="Payer policy on prior authorization"),
        color=alt.Color("sum(initial_denied_amount):Q", title="Denied ($)", scale=alt.Scale(scheme="reds"),
                        legend=alt.Legend(format="$~s")),
        tooltip=[alt.Tooltip("policy:N", title="Policy"), alt.Tooltip("sent:N", title="Auth number sent"),
                 alt.Tooltip("sum(lines):Q", title="Lines", format=",d"),
                 alt.Tooltip("sum(initial_denied_amount):Q", title="Initially denied", format=MONEY),
                 alt.Tooltip("sum(denied_amount):Q", title="Still denied", format=MONEY)],
    ).add_params(pick).properties(**_size(200))


def appeal_deadlines(summary: pd.DataFrame) -> alt.Chart:
    if summary.empty:
        return _empty("No open appeal window in this selection.")
    pick = _pick("weeks_left")
    return alt.Chart(summary).mark_bar().encode(
        x=alt.X("weeks_left:O", title="Weeks left to appeal (12 = 12 or more)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(recoverable_amount):Q", title="Recoverable ($)", axis=alt.Axis(format="$~s"),
                scale=alt.Scale(zero=True)),
        color=alt.Color("payer_name:N", title="Payer", legend=alt.Legend(orient="bottom", columns=2,
                                                                        labelLimit=220)),
        tooltip=[alt.Tooltip("payer_name:N", title="Payer"), alt.Tooltip("weeks_left:O", title="Weeks left"),
                 alt.Tooltip("lines:Q", title="Lines", format=",d"),
                 alt.Tooltip("recoverable_amount:Q", title="Recoverable", format=MONEY)],
    ).add_params(pick).properties(**_size(HEIGHT))


def prebill_rules(rules: pd.DataFrame) -> alt.Chart:
    if rules.empty:
        return _empty("No unremitted line breaks a rule in this selection.")
    data = _labelled(_labelled(rules, "rule_name", "rule"), "rule_detail", "detail")
    pick = _pick("rule_name")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("rule:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("sum(dollars_at_risk):Q", title="Charges at risk ($)", axis=alt.Axis(format="$~s"),
                scale=alt.Scale(zero=True)),
        color=alt.Color("detail:N", title="Detail", legend=alt.Legend(orient="bottom", columns=2,
                                                                     labelLimit=260)),
        tooltip=[alt.Tooltip("rule:N", title="Rule"), alt.Tooltip("detail:N", title="Detail"),
                 alt.Tooltip("lines:Q", title="Lines", format=",d"),
                 alt.Tooltip("dollars_at_risk:Q", title="$ at risk", format=MONEY)],
    ).add_params(pick).properties(**_size(max(120, 40 * data["rule"].nunique())))
