"""Messages that may quote a value, with the value dropped.

A database error quotes the cell it failed on (DuckDB: `Could not convert string 'MJJ00000000' to
INT32`; Spark: `The value 'MJJ00000000' of the type "STRING" cannot be cast`), and that cell may be a
patient control number, a member id or a name. Every such message the package shows or logs goes through
`redact`, and so does every line dbt writes to its log file and to stdout (`redact_dbt_logs`): a build
that fails on a value says which model failed and why, never the value.
"""

from __future__ import annotations

import re

# From the first single quote of a line to its last: a value may hold a quote itself (O'Brien), and two
# quoted literals on one line lose the words between them, which is the safe side.
_QUOTED = re.compile(r"'[^\n]*'")


def redact(message: str) -> str:
    """`message` with its quoted literals replaced by '…'."""
    return _QUOTED.sub("'…'", message)


def redact_dbt_logs() -> None:
    """Make dbt's loggers (its log file and stdout) redact every line, after dbt's own scrubbing of
    secret environment variables. dbt takes the scrubber of each logger from these two module attributes
    when an invocation sets its loggers up, so this holds for every later invocation in the process;
    calling it again changes nothing."""
    import dbt.events.logging as dbt_logging
    import dbt_common.events.functions as dbt_events

    scrub_secrets = dbt_events.env_scrubber
    if getattr(scrub_secrets, "redacts_values", False):
        return

    def scrubber(message: str) -> str:
        return redact(scrub_secrets(message))

    scrubber.redacts_values = True  # type: ignore[attr-defined]
    dbt_events.env_scrubber = scrubber
    dbt_logging.env_scrubber = scrubber
