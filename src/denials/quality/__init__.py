"""Data quality with Great Expectations at every layer of the warehouse (issue #6).

`run_checks(warehouse, suites=None, build_docs=True) -> CheckReport` validates the registry and raw layer,
staging and the marts with the suites in expectations/ (a GX 1.x file context), writes the outcomes to
`quality.check_results` and builds offline Data Docs. `check_command` is the click command registered as
`denials check`. See expectations/README.md for the suites, their thresholds and how the checks scale.
"""

from __future__ import annotations

from denials.quality.cli import check_command
from denials.quality.results import CheckReport, ExpectationOutcome, SuiteOutcome
from denials.quality.runner import run_checks

__all__ = ["CheckReport", "ExpectationOutcome", "SuiteOutcome", "check_command", "run_checks"]
