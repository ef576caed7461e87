"""ISA/GS/GE/IEA strings and the delimiters every generated file declares.

Segments end with `~` plus a newline: real files arrive both ways and the newline keeps generated
files readable in a diff; the loader keeps it as the next segment's leading text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from denials.generate.amounts import money

ELEMENT = "*"
REPETITION = "^"
TERMINATOR = "~\n"

# Synthetic data is marked as test data (ISA15 = T) so nothing mistakes it for production claims.
USAGE = "T"


@lru_cache(maxsize=8192)
def ymd(day: date) -> str:
    """CCYYMMDD. Cached: strftime is slow and a run only touches a few hundred distinct dates."""
    return day.strftime("%Y%m%d")


def isa(sender: str, receiver: str, on: date, time: str, control: int, component: str) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15.15}*ZZ*{receiver:<15.15}*{on:%y%m%d}*{time}"
        f"*{REPETITION}*00501*{control:09d}*0*{USAGE}*{component}{TERMINATOR}"
    )


def iea(groups: int, control: int) -> str:
    return f"IEA*{groups}*{control:09d}{TERMINATOR}"


def gs(function: str, sender: str, receiver: str, on: date, time: str, control: int, version: str) -> str:
    return f"GS*{function}*{sender}*{receiver}*{on:%Y%m%d}*{time}*{control}*X*{version}{TERMINATOR}"


def ge(transactions: int, control: int) -> str:
    return f"GE*{transactions}*{control}{TERMINATOR}"


def cas_segments(adjustments: Sequence[tuple[str, str, int, int | None]], sign: int = 1) -> list[str]:
    """CAS segments for (group, reason, cents, quantity) adjustments: one group code per segment,
    at most six reason/amount/quantity triplets each, groups in order of first appearance."""
    if len(adjustments) == 1:  # the common case: one CO-45, one denial
        group, reason, amount, quantity = adjustments[0]
        tail = "" if quantity is None else f"*{sign * quantity}"
        return [f"CAS*{group}*{reason}*{money(sign * amount)}{tail}"]
    by_group: dict[str, list[str]] = {}
    for group, reason, amount, quantity in adjustments:
        parts = by_group.get(group)
        if parts is None:
            parts = by_group[group] = []
        parts.append(f"{reason}*{money(sign * amount)}*{'' if quantity is None else sign * quantity}")
    segments = []
    for group, triplets in by_group.items():
        for start in range(0, len(triplets), 6):
            body = "*".join(triplets[start : start + 6]).rstrip("*")
            segments.append(f"CAS*{group}*{body}")
    return segments


class ControlNumbers:
    """Interchange, group and transaction control numbers for one output file.

    Each chunk of the run owns a disjoint block (`base`), so numbers stay unique across files
    even when chunks are written by different processes.
    """

    def __init__(self, base: int) -> None:
        self.base = base
        self._interchange = 0
        self._group = 0
        self._transaction = 0

    def interchange(self) -> int:
        self._interchange += 1
        return self.base + self._interchange

    def group(self) -> int:
        self._group += 1
        return self.base + self._group

    def transaction(self) -> str:
        self._transaction += 1
        return f"{self._transaction:04d}"
