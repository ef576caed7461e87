"""Reading truth rows back: claim submissions and the X12 segments they should produce."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def submission(row: dict[str, str]) -> str:
    """Line control numbers are `<submission id>-<line number>`; a resubmitted duplicate may
    reuse CLM01, so claims are counted by submission, not by claim_control_number."""
    return row["line_control_number"].rsplit("-", 1)[0]


REMITS_PER_OUTCOME = {"reversed_then_corrected": 3, "reprocessed_then_paid": 2}


def expected_remit_segments(rows: list[dict[str, str]]) -> Counter[str]:
    """CLP and SVC segments the 835s must hold for these truth rows.

    An overturned claim appears three times (original, reversal, correction), a claim reprocessed
    without reversal twice (original, reprocessing); a claim-level denial has a CLP but no SVC; an
    unremitted claim has neither.
    """
    expected: Counter[str] = Counter()
    claims: dict[str, str] = {}
    for row in rows:
        outcome = row["outcome"]
        claims[submission(row)] = outcome
        if outcome == "not_remitted" or row["is_claim_level_denial"] == "true":
            continue
        expected["SVC"] += REMITS_PER_OUTCOME.get(outcome, 1)
    for outcome in claims.values():
        if outcome != "not_remitted":
            expected["CLP"] += REMITS_PER_OUTCOME.get(outcome, 1)
    return expected
