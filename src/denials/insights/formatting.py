"""How numbers and identifiers read: money as $, rates as %, account numbers masked."""

from __future__ import annotations

import math

import pandas as pd

MASK = "•••"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def money(value: object, cents: bool = False) -> str:
    if _missing(value):
        return "–"
    return f"${float(value):,.2f}" if cents else f"${float(value):,.0f}"


def money_short(value: object) -> str:
    """Dollars for a tile: whole dollars below a million, else millions with two decimals ($10.58M)."""
    if _missing(value):
        return "–"
    amount = float(value)
    return f"${amount / 1e6:,.2f}M" if abs(amount) >= 1e6 else f"${amount:,.0f}"


def percent(value: object, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{100 * float(value):.{digits}f}%"


def points(value: object) -> str:
    """A difference of two rates, in percentage points with its sign."""
    return "–" if _missing(value) else f"{100 * float(value):+.1f} pts"


def count(value: object) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def days(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):,.1f}"


def mask(identifier: object, show: bool = False) -> str:
    """An account or authorization number: only its last 4 characters unless identifiers are shown."""
    if _missing(identifier) or identifier == "":
        return ""
    text = str(identifier)
    return text if show else MASK + text[-4:]


IDENTIFIER_COLUMNS = ("claim_control_number", "line_control_number", "claim_authorization_number",
                      "line_authorization_number", "remit_authorization_number")


def mask_frame(frame: pd.DataFrame, show: bool = False) -> pd.DataFrame:
    """Mask every identifier column of a frame (a copy); nothing else changes."""
    if show:
        return frame
    masked = frame.copy()
    for column in IDENTIFIER_COLUMNS:
        if column in masked.columns:
            masked[column] = masked[column].map(lambda value: mask(value, False))
    return masked
