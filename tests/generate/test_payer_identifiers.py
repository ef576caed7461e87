"""The generated 835s name their payer the way real payers do (DOMAIN.md section 1): the 837 carries
the clearinghouse payer id in NM1*PR NM109, the 835 an XV plan id in N1*PR N104 or no N104 at all, and a
REF*2U id or none; no 835 identifier is an 837 payer id or in any seed, so the models have to learn it."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.generate.x12_split import interchanges, transactions


def _segments(folder: Path, suffix: str) -> list[list[list[str]]]:
    return [transaction for path in sorted(folder.glob(f"*.{suffix}"))
            for interchange in interchanges(path) for transaction in transactions(interchange)]


def _seeded_values(reference_dir: Path) -> set[str]:
    values: set[str] = set()
    for name in ("payers", "payer_aliases", "payer_policies"):
        with (reference_dir / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                values |= {value for value in row.values() if value}
    return values


def test_835_payer_identifiers_are_never_the_837s(small_set: Path, reference_dir: Path) -> None:
    claim_payer_ids = {segment[9] for transaction in _segments(small_set / "837", "837")
                       for segment in transaction if segment[:2] == ["NM1", "PR"]}
    remit_ids: set[str] = set()
    without_n104 = with_n104 = 0
    for transaction in _segments(small_set / "835", "835"):
        (payer,) = [segment for segment in transaction if segment[:2] == ["N1", "PR"]]
        if len(payer) > 4 and payer[4]:
            assert payer[3] == "XV"
            remit_ids.add(payer[4])
            with_n104 += 1
        else:
            without_n104 += 1
        remit_ids |= {segment[2] for segment in transaction if segment[:2] == ["REF", "2U"]}
    assert claim_payer_ids and remit_ids
    assert not remit_ids & claim_payer_ids
    assert not remit_ids & _seeded_values(reference_dir)
    assert with_n104 and without_n104, "some remits carry an XV plan id, some no N104 at all"
