"""Loop context: which loop, claim and service line each segment belongs to.

Only the segments that open a loop are looked at (a handful per claim), so this costs little on top of
tokenising. The rules follow the implementation guides' loop starts: 835 005010X221A1 (CLP opens 2100,
SVC opens 2110, PLB closes the detail), 837 005010X222A1/X223A2 (HL opens 2000A/B/C, CLM opens 2300,
SBR inside a claim opens 2320, LX opens 2400, LIN 2410, SVD 2430; NM1 opens the 2310/2330/2420 name loops).
"""

from __future__ import annotations


class LoopContext:
    """Mutable context of the transaction being read; `snapshot` is what each segment row carries."""

    __slots__ = ("loop_id", "hl_id", "claim_seq", "line_seq", "_claims", "_lines")

    triggers: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.loop_id: str | None = "header"
        self.hl_id: str | None = None
        self.claim_seq: int | None = None
        self.line_seq: int | None = None
        self._claims = 0
        self._lines = 0

    def snapshot(self) -> tuple[str | None, str | None, int | None, int | None]:
        return (self.loop_id, self.hl_id, self.claim_seq, self.line_seq)

    def on_segment(self, segment_id: str, elements_text: str, element_separator: str) -> None:
        """Update the context for a trigger segment; elements_text is the text after the segment id."""

    def close(self) -> None:
        self.loop_id, self.claim_seq, self.line_seq = "envelope", None, None


class UnsupportedContext(LoopContext):
    """Transactions we keep losslessly but do not interpret (999, 277, 270...)."""

    def __init__(self) -> None:
        super().__init__()
        self.loop_id = None


def _first_element(elements_text: str, element_separator: str) -> str:
    end = elements_text.find(element_separator, 1)
    return elements_text[1:] if end < 0 else elements_text[1:end]


class Remittance835Context(LoopContext):
    triggers = frozenset({"N1", "LX", "CLP", "SVC", "PLB"})

    def on_segment(self, segment_id: str, elements_text: str, element_separator: str) -> None:
        if segment_id == "CLP":
            self._claims += 1
            self._lines = 0
            self.loop_id, self.claim_seq, self.line_seq = "2100", self._claims, None
        elif segment_id == "SVC":
            if self.claim_seq is not None:
                self._lines += 1
                self.loop_id, self.line_seq = "2110", self._lines
        elif segment_id == "LX":
            self.loop_id, self.claim_seq, self.line_seq = "2000", None, None
        elif segment_id == "PLB":
            self.loop_id, self.claim_seq, self.line_seq = "summary", None, None
        elif segment_id == "N1" and self.claim_seq is None:
            qualifier = _first_element(elements_text, element_separator)
            if qualifier == "PR":
                self.loop_id = "1000A"
            elif qualifier == "PE":
                self.loop_id = "1000B"


_HL_LEVELS = {"20": "2000A", "22": "2000B", "23": "2000C"}
_NAME_LOOP_BY_PARENT = {
    "2300": "2310",
    "2310": "2310",
    "2320": "2330",
    "2330": "2330",
    "2400": "2420",
    "2410": "2420",
    "2420": "2420",
}


class Claim837Context(LoopContext):
    triggers = frozenset({"HL", "CLM", "SBR", "NM1", "LX", "LIN", "SVD"})

    def on_segment(self, segment_id: str, elements_text: str, element_separator: str) -> None:
        if segment_id == "NM1":
            name_loop = _NAME_LOOP_BY_PARENT.get(self.loop_id or "")
            if name_loop is not None:
                self.loop_id = name_loop
        elif segment_id == "LX":
            if self.claim_seq is not None:
                self._lines += 1
                self.loop_id, self.line_seq = "2400", self._lines
        elif segment_id == "CLM":
            self._claims += 1
            self._lines = 0
            self.loop_id, self.claim_seq, self.line_seq = "2300", self._claims, None
        elif segment_id == "HL":
            parts = elements_text.split(element_separator)
            self.hl_id = parts[1] if len(parts) > 1 else None
            level = parts[3] if len(parts) > 3 else ""
            self.loop_id = _HL_LEVELS.get(level, "2000")
            self.claim_seq, self.line_seq = None, None
        elif segment_id == "SBR":
            if self.claim_seq is not None and self.line_seq is None:
                self.loop_id = "2320"
        elif segment_id == "LIN":
            if self.line_seq is not None:
                self.loop_id = "2410"
        elif segment_id == "SVD" and self.line_seq is not None:
            self.loop_id = "2430"


SUPPORTED_TRANSACTIONS: dict[str, type[LoopContext]] = {
    "835": Remittance835Context,
    "837": Claim837Context,
}


def context_for(transaction_set_id: str) -> LoopContext:
    return SUPPORTED_TRANSACTIONS.get(transaction_set_id, UnsupportedContext)()
