"""Messages that may quote a value lose the value, whatever it holds."""

from __future__ import annotations

from denials.redaction import redact


def test_a_database_error_keeps_its_words_and_loses_the_value() -> None:
    message = "Conversion Error: Could not convert string 'MJJ00000000' to INT32 when casting"
    assert redact(message) == "Conversion Error: Could not convert string '…' to INT32 when casting"


def test_a_value_holding_a_quote_goes_whole() -> None:
    assert "Brien" not in redact("Could not convert string 'O'Brien' to DATE")


def test_each_line_is_redacted_on_its_own() -> None:
    message = "Runtime Error in model m\n  Could not convert string 'A1' to INT32\n  LINE 1: \"claims\""
    redacted = redact(message)
    assert "A1" not in redacted
    assert redacted.splitlines()[0] == "Runtime Error in model m"
    assert redacted.splitlines()[2] == '  LINE 1: "claims"'
