"""The script Streamlit runs (`denials app`): sidebar filters, then the chosen page."""

from __future__ import annotations

import streamlit as st

from denials.app.context import page_context
from denials.app.views import render_page

st.set_page_config(page_title="Denials", page_icon="📉", layout="wide")
context = page_context()
if context is not None:
    render_page(context)
