"""Run dbt in-process against a throwaway warehouse, for tests of the dbt models.

Every run gets its own target and log folders under the test's tmp folder, so parallel runs (and a
developer's own `dbt build` in the checkout) never share a manifest, a partial-parse file or a log.
"""

from __future__ import annotations

from pathlib import Path

from denials.transform import PROJECT_ROOT, DbtOutcome, release_warehouse
from denials.transform import run_dbt as run_project_dbt

REPO_ROOT = PROJECT_ROOT
LOG_TAIL_LINES = 60


class DbtRunError(AssertionError):
    """A dbt invocation failed; the message carries the failing nodes and the tail of dbt's log."""


def run_dbt(args: list[str], warehouse: Path, tmp: Path) -> DbtOutcome:
    """Invoke `dbt <args>` on the repo's project with DENIALS_WAREHOUSE pointing at `warehouse`.

    Target and log paths go under `tmp`. Raises DbtRunError with the failing nodes and the tail of
    dbt.log when the invocation does not succeed; warnings do not fail it. The warehouse file is
    released afterwards, so the caller may open it (even read-only) or ingest into it.
    """
    outcome = run_project_dbt(args, warehouse, target_path=tmp / "dbt_target", log_path=tmp / "dbt_logs")
    if not outcome.success:
        failed = "\n".join(outcome.failed_nodes) or "(no failing node reported)"
        raise DbtRunError(
            f"dbt {' '.join(args)} failed against {warehouse}\n"
            f"exception: {outcome.exception!r}\n"
            f"failing nodes:\n{failed}\n"
            f"--- last {LOG_TAIL_LINES} lines of dbt.log ---\n{outcome.log_tail(LOG_TAIL_LINES)}"
        )
    return outcome


__all__ = ["REPO_ROOT", "DbtRunError", "release_warehouse", "run_dbt"]
