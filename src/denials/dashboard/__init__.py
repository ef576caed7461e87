"""The static report (`denials report -o FILE.html`; `denials dashboard` and the pipeline's --dashboard
write the same page): the app's charts as Altair/Vega-Lite specs, with Vega, Vega-Lite and vega-embed
inlined from static/vendor, so the one file opens offline, from a shared drive or an e-mail.

The page module (and Altair, two seconds of imports) loads on first use, not when the command line
registers the report command: every `denials` command would otherwise pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MartsMissing", "build_report", "write_dashboard", "write_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from denials.dashboard import page

        return getattr(page, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
