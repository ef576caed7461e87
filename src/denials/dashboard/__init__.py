"""The static report (`denials report -o FILE.html`; `denials dashboard` and the pipeline's --dashboard
write the same page): the app's charts as Altair/Vega-Lite specs, with Vega, Vega-Lite and vega-embed
inlined from static/vendor, so the one file opens offline, from a shared drive or an e-mail.
"""

from denials.dashboard.page import MartsMissing, build_report, write_dashboard, write_report

__all__ = ["MartsMissing", "build_report", "write_dashboard", "write_report"]
