"""Pieces every page uses: KPI tiles with their definitions, readable tables, drill-down, CSV export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import altair as alt
import pandas as pd
import streamlit as st

from denials.app.context import PageContext
from denials.insights import formatting, queries
from denials.insights.charts import PICK
from denials.insights.labels import title
from denials.insights.metrics import metric

MONEY_COLUMNS = {"billed_amount", "paid_amount", "initial_denied_amount", "denied_amount",
                 "final_denied_amount", "recoverable_amount", "dollars_at_stake", "dollars_at_risk",
                 "underbilled_amount", "overturned_amount"}
RATE_COLUMNS = {"initial_denial_rate", "initial_denial_rate_dollars", "first_pass_yield",
                "denial_overturn_rate", "avoidable_denial_share", "latest_rate", "trailing_rate", "drift"}
COUNT_COLUMNS = {"adjudicated_lines", "lines", "denied_lines", "latest_lines", "trailing_lines"}
TILE_FORMATS: dict[str, Callable[[object], str]] = {
    "adjudicated_lines": formatting.count, "initial_denied_amount": formatting.money_short,
    "final_denied_amount": formatting.money_short, "overturned_amount": formatting.money_short,
    "avg_days_service_to_payment": formatting.days,
}
TILE_LABELS = {
    "adjudicated_lines": "Lines adjudicated", "initial_denial_rate": "Initial denial rate",
    "initial_denial_rate_dollars": "Denial rate ($)", "first_pass_yield": "First-pass yield",
    "denial_overturn_rate": "Overturn rate", "avoidable_denial_share": "Avoidable share",
    "initial_denied_amount": "Initially denied", "final_denied_amount": "Still denied",
    "overturned_amount": "Recovered (overturns)", "avg_days_service_to_payment": "Days to payment",
}


def tiles(values: pd.Series, names: tuple[str, ...], per_row: int = 5) -> None:
    """One st.metric per KPI; hovering the ? shows the definition and formula from the metrics file."""
    for start in range(0, len(names), per_row):
        columns = st.columns(per_row)
        for column, name in zip(columns, names[start:start + per_row], strict=False):
            shown = TILE_FORMATS.get(name, formatting.percent)(values[name])
            exact = (f" Exactly {formatting.money(values[name], cents=True)}."
                     if TILE_FORMATS.get(name) is formatting.money_short else "")
            column.metric(TILE_LABELS.get(name, title(name)), shown, help=metric(name).help + exact,
                          border=True)


def lines_only_note(context: PageContext) -> None:
    if context.filters.narrows_lines_only:
        st.info("Provider and category filters narrow the denial lists and charts, not the KPI tiles and "
                "trends: the KPI mart counts lines by month, payer and drug.", icon="ℹ️")


def table(frame: pd.DataFrame, columns: list[str], key: str, height: int | str = "auto",
          show_identifiers: bool = False) -> None:
    """A readable table: titles in words, money as $, rates as %, identifiers masked."""
    shown = formatting.mask_frame(frame[columns], show_identifiers).copy()
    config = {}
    for column in columns:
        if column in MONEY_COLUMNS:
            config[column] = st.column_config.NumberColumn(title(column), format="dollar")
        elif column in RATE_COLUMNS:  # shown as percent with one decimal (the frame holds the fraction x 100)
            shown[column] = shown[column] * 100
            config[column] = st.column_config.NumberColumn(title(column), format="%.1f%%")
        elif column in COUNT_COLUMNS:
            config[column] = st.column_config.NumberColumn(title(column), format="localized")
        elif pd.api.types.is_datetime64_any_dtype(shown[column]):
            config[column] = st.column_config.DateColumn(title(column), format="YYYY-MM-DD")
        else:
            config[column] = st.column_config.Column(title(column))
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", height=height, key=key)


def csv_download(frame: pd.DataFrame, label: str, file_stem: str, key: str, show_identifiers: bool) -> None:
    """CSV of the rows shown, identifiers masked the same way, columns titled in words."""
    shown = formatting.mask_frame(frame, show_identifiers).rename(columns=title)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    st.download_button(label, shown.to_csv(index=False).encode("utf-8"), file_name=f"{file_stem}-{stamp}.csv",
                       mime="text/csv", key=key, icon=":material/download:")


@dataclass
class DrillOption:
    label: str
    conditions: list[tuple[str, object]]
    match: dict = field(default_factory=dict)  # the chart's picked fields that select this option


def chart(spec: alt.TopLevelMixin, key: str) -> dict | None:
    """Draw a chart; return the fields of the clicked mark (if any)."""
    if f'"{PICK}"' not in spec.to_json():  # an empty-state chart has nothing to click
        st.altair_chart(spec, width="stretch", key=key)
        return None
    event = st.altair_chart(spec, width="stretch", on_select="rerun", selection_mode=[PICK], key=key)
    picked = (event or {}).get("selection", {}).get(PICK) if event else None
    return picked[0] if picked else None


def _same(picked: object, value: object) -> bool:
    if isinstance(value, (date, pd.Timestamp)) and isinstance(picked, (int, float)):
        return pd.Timestamp(picked, unit="ms").date() == pd.Timestamp(value).date()
    return str(picked) == str(value)


def drill(context: PageContext, picked: dict | None, options: list[DrillOption], key: str,
          source: str | None = None, lines: Callable[[DrillOption], pd.DataFrame] | None = None,
          noun: str = "claim lines") -> None:
    """The claim lines behind a chart: click a mark, or choose it here; lineage to file and segment."""
    if not options:
        return
    labels = [option.label for option in options]
    if picked:
        for option in options:
            if option.match and all(_same(picked.get(f), v) for f, v in option.match.items()):
                if st.session_state.get(f"{key}_last") != option.label:
                    st.session_state[key] = option.label
                    st.session_state[f"{key}_last"] = option.label
                break
    choice = st.selectbox(f"Show the {noun} behind", [None, *labels], key=key,
                          format_func=lambda v: "— click a bar or pick one —" if v is None else v)
    if choice is None:
        return
    option = options[labels.index(choice)]
    frame = lines(option) if lines else queries.claim_lines(context.con, context.filters, source or "denials",
                                                          option.conditions)
    st.caption(f"{len(frame):,} {noun} behind “{choice}” (largest first, at most 1,000). Lineage: the remit "
               "file and the position of its SVC (or CLP) segment, the 837 file and its LX segment.")
    columns = [c for c in frame.columns if c in LINE_COLUMNS]
    table(frame, columns, key=f"{key}_table", height=320, show_identifiers=context.show_identifiers)
    csv_download(frame[columns], "Download these lines (CSV)", f"denials-{key}", f"{key}_csv",
                 context.show_identifiers)


LINE_COLUMNS = ["claim_control_number", "line_control_number", "payer_name", "procedure_code",
                "billing_provider_npi", "service_date", "first_remit_date", "denial_category",
                "primary_group_code", "primary_carc_code", "carc_description", "primary_rarc_code",
                "final_status", "rule_name",
                "rule_detail", "billed_amount", "paid_amount", "initial_denied_amount", "denied_amount",
                "recoverable_amount", "dollars_at_risk", "appeal_deadline", "days_left", "remit_file_id",
                "remit_segment_position", "claim_file_id", "claim_segment_position"]
