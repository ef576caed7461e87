"""Data quality with Great Expectations at every layer of the warehouse.

`run_checks(warehouse, suites=None, build_docs=True) -> CheckReport` validates the registry and raw layer,
staging and the marts with the suites in expectations/ (a GX 1.x file context), writes the outcomes to
`quality.check_results` and builds offline Data Docs. `check_command` is the click command registered as
`denials check`. See expectations/README.md for the suites, their thresholds and how the checks scale.

Names are imported on first use, so registering the command does not load pandas or Great Expectations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from denials.quality.cli import check_command
    from denials.quality.results import CheckReport, ExpectationOutcome, SuiteOutcome
    from denials.quality.runner import run_checks

_EXPORTS = {
    "check_command": "denials.quality.cli",
    "run_checks": "denials.quality.runner",
    "CheckReport": "denials.quality.results",
    "ExpectationOutcome": "denials.quality.results",
    "SuiteOutcome": "denials.quality.results",
}
__all__ = ["CheckReport", "ExpectationOutcome", "SuiteOutcome", "check_command", "run_checks"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'denials.quality' has no attribute {name!r}")
