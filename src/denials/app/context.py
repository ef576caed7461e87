"""What every page gets: a read-only connection to the published marts, the global filters, today.

The published file is opened read-only and cached per path and modification time, so a newly published
run is picked up at the next interaction while sessions of the old one keep reading their file.
Identifiers are masked unless the app was started with --show-identifiers (an explicit choice).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from denials.insights import queries
from denials.insights.filters import Filters
from denials.insights.labels import words
from denials.publish import connect_published, published_path
from denials.quiet import no_progress_bar
from denials.warehouse import resolve_warehouse

PAGES = ("Overview", "Payers", "Drugs and unit errors", "Medical necessity", "Prior auth",
         "Appeal worklist", "Pre-bill risk queue")


@dataclass
class PageContext:
    con: duckdb.DuckDBPyConnection
    filters: Filters
    page: str
    show_identifiers: bool
    today: date
    as_of: dict


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--show-identifiers", action="store_true")
    return parser.parse_known_args(sys.argv[1:])[0]


@st.cache_resource(show_spinner=False, max_entries=2)  # the current publication and the one before
def _connection(warehouse: str, modified: int) -> duckdb.DuckDBPyConnection:  # noqa: ARG001 - cache key
    return connect_published(Path(warehouse))


def _options(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, pd.DataFrame]:
    if key not in st.session_state:
        st.session_state[key] = queries.filter_options(con)
    return st.session_state[key]


def _multiselect(label: str, frame: pd.DataFrame, column: str, labels: dict[str, str], key: str,
                 help_text: str | None = None) -> tuple[str, ...]:
    values = frame[column].dropna().tolist()
    chosen = st.sidebar.multiselect(label, values, format_func=lambda v: labels.get(v, str(v)), key=key,
                                    placeholder="All", help=help_text)
    return tuple(chosen)


def sidebar_filters(con: duckdb.DuckDBPyConnection, options: dict[str, pd.DataFrame]) -> Filters:
    months = [m.date() if hasattr(m, "date") else m for m in options["months"]["kpi_month"]]
    month_from = month_to = None
    if months:
        if len(months) > 1:
            month_from, month_to = st.sidebar.select_slider(
                "Period (month of first adjudication)", options=months, value=(months[0], months[-1]),
                format_func=lambda m: m.strftime("%b %Y"), key="period")
        if (month_from, month_to) == (months[0], months[-1]):
            month_from = month_to = None  # the whole range: no filter (claims not yet remitted stay in)
    payers = options["payers"]
    drugs = options["drugs"]
    return Filters(
        month_from=month_from, month_to=month_to,
        payers=_multiselect("Payer", payers, "payer_id", dict(zip(payers.payer_id, payers.payer_name,
                                                                     strict=True)), "payer"),
        payer_types=_multiselect("Payer type", options["payer_types"], "payer_type",
                                 {v: words(v) for v in options["payer_types"]["payer_type"]}, "payer_type"),
        drugs=_multiselect("Drug (HCPCS)", drugs, "drug_code",
                           {code: ("Non-drug services" if code == "non_drug" else f"{code} {name or ''}")
                            for code, name in zip(drugs.drug_code, drugs.product_name, strict=True)}, "drug"),
        providers=_multiselect("Billing provider (NPI)", options["providers"], "billing_provider_npi", {},
                               "provider", "Narrows the claim-line lists; KPI tiles are by payer and drug."),
        categories=_multiselect("Denial category", options["categories"], "denial_category",
                                {v: words(v) for v in options["categories"]["denial_category"]}, "category",
                                "Narrows the denial lists; KPI tiles count every adjudicated line."),
    )


def page_context() -> PageContext | None:
    arguments = _arguments()
    warehouse = resolve_warehouse(arguments.warehouse)
    target = published_path(warehouse)
    if not target.exists():
        st.error(f"Nothing published yet at {target}: run `denials run` first.")
        return None
    con = no_progress_bar(_connection(str(warehouse), target.stat().st_mtime_ns).cursor())
    options = _options(con, f"options:{target}:{target.stat().st_mtime_ns}")
    st.sidebar.title("Denials")
    page = st.sidebar.radio("Page", PAGES, key="page", label_visibility="collapsed")
    st.sidebar.divider()
    filters = sidebar_filters(con, options)
    as_of = queries.as_of(con)
    through = as_of["data_through"]
    st.sidebar.caption((f"Data through {through:%d %b %Y}. " if through else "No remittance yet. ")
                       + ("Identifiers shown (--show-identifiers)." if arguments.show_identifiers
                          else "Claim numbers masked."))
    return PageContext(con, filters, page, arguments.show_identifiers, date.today(), as_of)
