"""Money as integer cents, and the arithmetic that keeps remittances balanced.

Every amount the generator computes is an int of cents. Floats never touch money, so the 835
balancing rules (line, claim, transaction) hold exactly and a test can check them with `==`.
"""

from __future__ import annotations

from collections.abc import Sequence


def money(cents: int) -> str:
    """X12 R-type rendering: `1234.50`, `-0.05`, `0`.

    Zero is written bare because payers send `0` for nothing paid, and it keeps denied lines short.
    Called tens of times per claim, hence %-formatting (the fastest spelling in CPython).
    """
    if cents > 0:
        return "%d.%02d" % (cents // 100, cents % 100)  # noqa: UP031 - measured faster than f-strings
    if cents == 0:
        return "0"
    cents = -cents
    return "-%d.%02d" % (cents // 100, cents % 100)  # noqa: UP031


def percent_of(cents: int, basis_points: int) -> int:
    """`cents * basis_points / 10000`, rounded half up, for non-negative amounts."""
    return (cents * basis_points + 5000) // 10000


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` cents in proportion to `weights`; the rounding remainder goes on the last share.

    Used to attribute a claim-level adjustment to the claim's lines (truth `denied_amount`): the
    shares always add back up to `total`, so line truth sums to the claim-level CAS.
    """
    basis = sum(weights)
    if not weights:
        return []
    if basis == 0:
        shares = [0] * len(weights)
        shares[-1] = total
        return shares
    shares = [total * weight // basis for weight in weights[:-1]]
    shares.append(total - sum(shares))
    return shares
