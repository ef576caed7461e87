"""Messages that may quote a value lose the value, in each way DuckDB and Spark quote one."""

from __future__ import annotations

import json

import pytest

from denials.redaction import _redact_log_line, redact, redact_dbt_logs

VALUE = "MJJ00000000"


@pytest.mark.parametrize(("message", "kept"), [
    (f"Conversion Error: Could not convert string '{VALUE}' to INT32 from column pcn", "Conversion Error"),
    (f'Conversion Error: Could not convert string "{VALUE}" to DECIMAL(18,2)', "Conversion Error"),
    (f'Invalid Input Error: Could not parse string "{VALUE}" according to format specifier "%Y%m%d"',
     "Invalid Input Error"),
    (f'Constraint Error: Duplicate key "claim_id: {VALUE}" violates primary key constraint.',
     "Constraint Error"),
    (f"Conversion Error: Could not cast value {VALUE} to DECIMAL(18,2)", "Conversion Error"),
    (f'Out of Range Error: Casting value "{VALUE}" to type INTEGER failed', "Out of Range Error"),
    (f'[CAST_INVALID_INPUT] The value \'{VALUE}\' of the type "STRING" cannot be cast',
     "[CAST_INVALID_INPUT]"),
    (f"Could not convert string 'O'Brien {VALUE}' to DATE", "to DATE"),
])
def test_the_value_goes_and_the_kind_of_error_stays(message: str, kept: str) -> None:
    redacted = redact(f"Runtime Error in model stg_x12_835__claims\n  {message}\n")
    assert VALUE not in redacted and "Brien" not in redacted
    assert redacted.startswith("Runtime Error in model stg_x12_835__claims\n")
    assert kept in redacted


def test_an_error_about_the_code_keeps_its_names() -> None:
    message = 'Binder Error: Referenced column "file_id" not found in FROM clause!\nLINE 3: select "claims"'
    assert redact(message) == message


def test_a_json_log_line_stays_json() -> None:
    line = json.dumps({"data": {"msg": f"Could not convert string '{VALUE}' to INT32", "node": "m"},
                       "info": {"msg": "it's 'quoted' twice: 'a' and 'b'"}})
    redacted = _redact_log_line(line)
    assert VALUE not in redacted
    assert json.loads(redacted)["data"]["node"] == "m"


def test_dbt_log_lines_lose_secrets_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line dbt writes loses the values of dbt's secret environment variables, as the environment holds
    them at each invocation (each calls redact_dbt_logs), and then every value it may quote."""
    import dbt_common.events.functions as dbt_events

    monkeypatch.setenv("DBT_ENV_SECRET_TOKEN", "first-s3cret")
    redact_dbt_logs()
    assert dbt_events.env_scrubber("token first-s3cret, Could not convert string 'PCN1' to INT32") == (
        "token *****, Could not convert string '…' to INT32")
    monkeypatch.setenv("DBT_ENV_SECRET_TOKEN", "second-s3cret")
    redact_dbt_logs()
    assert dbt_events.env_scrubber("token second-s3cret") == "token *****"
