"""835 balancing at line, claim and transaction level, and envelope counts, by an independent reader.

Service line:  SVC02 - sum(line CAS amounts)            = SVC03
Claim:         CLP03 - sum(claim and line CAS amounts)  = CLP04, and CLP05 = sum(PR adjustments)
Transaction:   sum(CLP04) - sum(PLB amounts)            = BPR02
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from tests.generate.x12_split import interchanges, transactions

ZERO = Decimal(0)


def _cas_amounts(segment: list[str]) -> list[tuple[str, Decimal]]:
    """(group, amount) for each reason/amount/quantity triplet of a CAS segment."""
    group = segment[1]
    return [(group, Decimal(segment[i])) for i in range(3, len(segment), 3) if segment[i]]


def _plb_amounts(segment: list[str]) -> list[Decimal]:
    return [Decimal(segment[i]) for i in range(4, len(segment), 2) if segment[i]]


def _check_835_transaction(segments: list[list[str]]) -> dict[str, int]:
    counts = {"CLP": 0, "SVC": 0}
    bpr = Decimal(next(s for s in segments if s[0] == "BPR")[2])
    paid_total, plb_total = ZERO, ZERO
    claim: dict | None = None
    line: dict | None = None

    def close_line() -> None:
        nonlocal line
        if line is not None:
            assert line["charge"] - line["cas"] == line["paid"], line
            line = None

    def close_claim() -> None:
        nonlocal claim
        close_line()
        if claim is not None:
            assert claim["charge"] - claim["cas"] == claim["paid"], claim
            assert claim["responsibility"] == claim["pr"], claim
            claim = None

    for segment in segments:
        tag = segment[0]
        if tag == "CLP":
            close_claim()
            counts["CLP"] += 1
            paid = Decimal(segment[4])
            paid_total += paid
            responsibility = Decimal(segment[5]) if len(segment) > 5 and segment[5] else ZERO
            claim = {
                "id": segment[1],
                "charge": Decimal(segment[3]),
                "paid": paid,
                "cas": ZERO,
                "responsibility": responsibility,
                "pr": ZERO,
            }
        elif tag == "SVC":
            close_line()
            counts["SVC"] += 1
            line = {
                "procedure": segment[1],
                "charge": Decimal(segment[2]),
                "paid": Decimal(segment[3]),
                "cas": ZERO,
            }
        elif tag == "CAS":
            assert claim is not None
            for group, amount in _cas_amounts(segment):
                claim["cas"] += amount
                if group == "PR":
                    claim["pr"] += amount
                if line is not None:
                    line["cas"] += amount
        elif tag == "PLB":
            close_claim()
            plb_total += sum(_plb_amounts(segment))
        elif tag == "SE":
            close_claim()
    assert paid_total - plb_total == bpr, (paid_total, plb_total, bpr)
    assert bpr >= 0
    return counts


def _check_envelopes(path: Path) -> list[list[list[str]]]:
    found = []
    for interchange in interchanges(path):
        segments = interchange.segments
        isa, iea = segments[0], segments[-1]
        assert iea[0] == "IEA" and iea[2] == isa[13]
        groups = [s for s in segments if s[0] == "GS"]
        assert int(iea[1]) == len(groups)
        sets = list(transactions(interchange))
        for transaction in sets:
            st, se = transaction[0], transaction[-1]
            assert int(se[1]) == len(transaction), (path.name, st)
            assert se[2] == st[2]
        group_ends = [s for s in segments if s[0] == "GE"]
        assert sum(int(ge[1]) for ge in group_ends) == len(sets)
        assert [ge[2] for ge in group_ends] == [gs[6] for gs in groups]
        found.extend(sets)
    return found


def test_835_balances_everywhere(small_set: Path) -> None:
    totals = defaultdict(int)
    for path in sorted((small_set / "835").glob("*.835")):
        for transaction in _check_envelopes(path):
            for key, value in _check_835_transaction(transaction).items():
                totals[key] += value
    assert totals["CLP"] > 100 and totals["SVC"] > totals["CLP"]


def test_837_envelopes_and_claim_totals(small_set: Path) -> None:
    claims = 0
    for path in sorted((small_set / "837").glob("*.837")):
        for transaction in _check_envelopes(path):
            total, charges = None, ZERO
            for segment in transaction:
                if segment[0] == "CLM":
                    if total is not None:
                        assert total == charges
                    claims += 1
                    total, charges = Decimal(segment[2]), ZERO
                elif segment[0] in ("SV1", "SV2"):
                    charges += Decimal(segment[2] if segment[0] == "SV1" else segment[3])
            assert total == charges
    assert claims == 240


def test_reversals_negate_the_original_and_precede_the_correction(scenario_set: Path) -> None:
    """A CLP02=22 repeats an earlier CLP (same CLP01 and CLP07) with every amount negated,
    and is followed by the corrected claim, which pays more than the reversed one."""
    seen: dict[tuple[str, str], list[str]] = {}
    reversals = 0
    for path in sorted((scenario_set / "835").glob("*.835")):
        for interchange in interchanges(path):
            for transaction in transactions(interchange):
                clps = [s for s in transaction if s[0] == "CLP"]
                for index, clp in enumerate(clps):
                    key = (clp[1], clp[7])
                    if clp[2] != "22":
                        seen[key] = clp
                        continue
                    reversals += 1
                    original = seen[key]
                    assert [Decimal(v) for v in clp[3:5]] == [-Decimal(v) for v in original[3:5]]
                    correction = clps[index + 1]
                    assert correction[1] == clp[1] and correction[2] in ("1", "2", "3")
                    assert Decimal(correction[4]) > Decimal(original[4])
    assert reversals > 0
