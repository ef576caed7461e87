"""Generated 837P, 837I and 835 files pass pyx12's 5010 validation with no errors.

pyx12 4.0 maps: 837.5010.X222.A1 (837P), 837Q3.I.5010.X223.A1 (registered for 005010X223A2, 837I),
835.5010.X221.A1. It writes a 999 for 5010 input: a clean file gives IK5*A/AK9*A only.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest

pyx12_document = pytest.importorskip("pyx12.x12n_document")
pyx12_params = pytest.importorskip("pyx12.params")


def _validate(path: Path) -> tuple[bool, list[str]]:
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ack = io.StringIO()
    ok = pyx12_document.x12n_document(
        param=pyx12_params.params(), src_file=str(path), fd_997=ack, fd_html=None
    )
    segments = [segment.strip() for segment in ack.getvalue().split("~") if segment.strip()]
    problems = [
        s for s in segments if s.startswith(("IK3", "IK4", "IK5*R", "IK5*E", "AK9*R", "AK9*E", "AK9*P"))
    ]
    return ok, problems


# Segment shapes the validated set must contain, so a pass means each of them was checked.
SHAPES_837 = {
    "837P": r"ST\*837\*\d+\*005010X222A1~",
    "837I": r"ST\*837\*\d+\*005010X223A2~",
    "prior auth": r"\nREF\*G1\*",
    "claim note": r"\nNTE\*ADD\*",
    "prior payer line (2430)": r"\nSVD\*",
    "drug NDC (2410)": r"\nLIN\*\*N4\*\d{11}~\nCTP\*\*\*\*",
    "76 split": r":76\*",
}
SHAPES_835 = {
    "reversal": r"\nCLP\*[^*]+\*22\*-",
    "secondary": r"\nCLP\*[^*]+\*2\*",
    "claim-level denial, no SVC": (
        r"\nCLP\*[^~]*~\nCAS\*CO\*(27|31)\*[^~]*~\nNM1\*QC[^~]*~\nMOA[^~]*~(\nDTM[^~]*~)+\n(?!SVC)"
    ),
    "provider adjustment": r"\nPLB\*",
    "claim remark": r"\nMOA\*\*\*",
    "line remark": r"\nLQ\*HE\*",
    "allowed": r"\nAMT\*B6\*",
    "notification only": r"BPR\*H\*0\*",
}


def _missing(text: str, shapes: dict[str, str]) -> list[str]:
    return [name for name, pattern in shapes.items() if not re.search(pattern, text)]


def test_837_files_are_valid(shapes_set: Path) -> None:
    files = sorted((shapes_set / "837").glob("*.837"))
    assert _missing("".join(path.read_text() for path in files), SHAPES_837) == []
    for path in files:
        ok, problems = _validate(path)
        assert ok and not problems, (path.name, problems[:10])


def test_835_files_are_valid(shapes_set: Path) -> None:
    files = sorted((shapes_set / "835").glob("*.835"))
    assert _missing("".join(path.read_text() for path in files), SHAPES_835) == []
    separators = {path.read_text()[104] for path in files}
    assert separators == {":", ">"}, "want both component separators covered"
    for path in files:
        ok, problems = _validate(path)
        assert ok and not problems, (path.name, problems[:10])
