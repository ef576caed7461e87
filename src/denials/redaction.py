"""Messages that may quote a value, with the value dropped.

A database error may quote the cell it failed on, and that cell may be a patient control number, a
member id or a name. DuckDB does it in several ways: `Could not convert string 'X' to INT32`, `Could not
convert string "X" to DECIMAL(18,2)`, `Duplicate key "X" violates ...`, `Could not cast value 123 to
DECIMAL(18,2)`; Spark: `The value 'X' of the type "STRING" cannot be cast`. So `redact`:
  - withholds the rest of a line once it names an error of the kinds that come from data (a conversion,
    a constraint, invalid input, a value out of range), keeping the kind;
  - replaces every single-quoted literal with '…', from a line's first single quote to its last, so that a
    value holding a quote (O'Brien) goes whole;
  - keeps double-quoted text otherwise: DuckDB quotes names of columns and tables that way, and an error
    about the code (a binder or catalog error) needs them.
Every such message the package shows or logs goes through it, and so does every line dbt writes to its log
file and to stdout (`redact_dbt_logs`): a build that fails on a value says which model failed and the kind
of error, never the value.
"""

from __future__ import annotations

import json
import re

# DuckDB's error kinds whose messages are about a value read, not about the code (DuckDB prefixes its
# messages with "<kind> Error: "; Spark's error classes come in brackets)
DATA_ERROR_KINDS = ("Conversion Error", "Constraint Error", "Invalid Input Error", "Out of Range Error",
                    "Mismatch Type Error", "Decimal Error", "[CAST_INVALID_INPUT]", "[CAST_OVERFLOW]",
                    "[NUMERIC_VALUE_OUT_OF_RANGE]")
WITHHELD = ": … (withheld: it may quote a value)"
_DATA_ERROR = re.compile("(" + "|".join(re.escape(kind) for kind in DATA_ERROR_KINDS) + ")[^\n]*")
_QUOTED = re.compile(r"'[^\n]*'")


def redact(message: str) -> str:
    """`message` without the values it may quote (see the module's docstring)."""
    return _QUOTED.sub("'…'", _DATA_ERROR.sub(lambda found: found.group(1).rstrip(":") + WITHHELD, message))


def first_line(error: BaseException, limit: int = 300) -> str:
    """The first line of an error's message, redacted and then cut to `limit` characters (a cut first could
    leave half a value); empty when the message is."""
    lines = str(error).strip().splitlines()
    return cut(lines[0], limit) if lines else ""


def cut(message: str, limit: int = 300) -> str:
    """`message` redacted, then cut to `limit` characters."""
    return redact(message)[:limit]


def _redact_log_line(line: str) -> str:
    """A line of dbt's log: text, or a JSON object (`--log-format json`), whose strings are redacted one by
    one so that the line stays JSON."""
    if line.startswith("{"):
        try:
            return json.dumps(_redact_strings(json.loads(line)), sort_keys=True)
        except ValueError:
            pass
    return redact(line)


def _redact_strings(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_strings(item) for key, item in value.items()}
    return value


# dbt's secret environment variables (DBT_ENV_SECRET_*) as of the last redact_dbt_logs call
_dbt_secrets: list[str] = []


def redact_dbt_logs() -> None:
    """Make dbt's loggers (its log file and stdout) redact every line, after scrubbing the values of dbt's
    secret environment variables as dbt does. dbt takes the scrubber of each logger from these two module
    attributes when an invocation sets its loggers up, so this holds for every later invocation in the
    process. dbt's own scrubber lists the environment again for every line it formats, which was about a
    tenth of a daily build's Python (profiled at a million claims), so the secrets are listed here instead,
    at every call: call it before each invocation, whose environment does not change while dbt runs."""
    import dbt.events.logging as dbt_logging
    import dbt_common.events.functions as dbt_events
    from dbt_common.exceptions.base import env_secrets, scrub_secrets

    _dbt_secrets[:] = env_secrets()
    if getattr(dbt_events.env_scrubber, "redacts_values", False):
        return

    def scrubber(message: str) -> str:
        return _redact_log_line(scrub_secrets(message, _dbt_secrets))

    scrubber.redacts_values = True  # type: ignore[attr-defined]
    dbt_events.env_scrubber = scrubber
    dbt_logging.env_scrubber = scrubber
