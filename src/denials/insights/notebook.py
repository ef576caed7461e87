"""What the notebooks share: the published marts opened read-only, tables formatted for people (money
as $, rates as %), and charts that show in Jupyter and stay quiet when a notebook runs as a script."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from denials.insights import formatting
from denials.insights.labels import title
from denials.publish import connect_published, published_path
from denials.warehouse import resolve_warehouse


def _ipython():  # noqa: ANN202 - the running IPython shell, if any
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def warehouse() -> Path:
    return resolve_warehouse(None)


def open_published() -> duckdb.DuckDBPyConnection:
    """The published marts of $DENIALS_WAREHOUSE (else ./warehouse/denials.duckdb), read-only."""
    target = warehouse()
    if not published_path(target).exists():
        raise SystemExit(f"nothing published at {published_path(target)}: run `denials run` first")
    return connect_published(target)


def show(frame: pd.DataFrame, money: Iterable[str] = (), rates: Iterable[str] = (),
         counts: Iterable[str] = (), caption: str | None = None, show_identifiers: bool = False) -> None:
    """A table with titles in words, $ and % formats and identifiers masked."""
    shown = formatting.mask_frame(frame, show_identifiers).copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            monthly = bool((shown[column].dropna().dt.day == 1).all())
            shown[column] = shown[column].dt.strftime("%b %Y" if monthly else "%Y-%m-%d")
    formats = {**{c: formatting.money for c in money}, **{c: formatting.percent for c in rates},
               **{c: formatting.count for c in counts}}
    shell = _ipython()
    if shell is None:
        text = shown.copy().astype(object).where(shown.notna(), "")
        for column, format_value in formats.items():
            text[column] = text[column].map(format_value)
        if caption:
            print(caption)
        print(text.rename(columns=title).to_string(index=False))
        return
    from IPython.display import display

    styler = shown.style.format({c: f for c, f in formats.items() if c in shown.columns}, na_rep="–")
    styler = styler.hide(axis="index").format_index(title, axis=1)
    if caption:
        styler = styler.set_caption(caption)
    display(styler)


def chart(spec) -> None:  # noqa: ANN001 - an Altair chart
    """Show an Altair chart in Jupyter (JupyterLab renders Vega-Lite offline); a script prints its title."""
    if _ipython() is None:
        print(f"[chart: {getattr(spec, 'title', None) or 'see the notebook'}]")
        return
    import altair as alt
    from IPython.display import display

    if "denials" not in alt.renderers.names():
        alt.renderers.register("denials", _jupyterlab_bundle)
    alt.renderers.enable("denials")
    display(spec)


# JupyterLab 4 draws Vega-Lite from a mime bundle with the renderer it bundles, offline; it knows the v5
# mime type, while Altair 6 labels its specs v6 (its default HTML renderer would load Vega from a CDN).
# The project's charts use nothing Vega-Lite 6 added, so they are handed over as v5 specs.
JUPYTERLAB_VEGALITE = "application/vnd.vegalite.v5+json"
JUPYTERLAB_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def _jupyterlab_bundle(spec: dict, **_: object) -> dict:
    return {JUPYTERLAB_VEGALITE: {**spec, "$schema": JUPYTERLAB_SCHEMA}, "text/plain": "<Altair chart>"}
