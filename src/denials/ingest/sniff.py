"""First pass over a file: content hash, size, encoding and what kind of file it is.

The hash decides duplicates before any parsing; the encoding check rejects binary and UTF-16 early with
a byte offset, so the parser only ever sees text it can store losslessly.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

READ_SIZE = 8 * 1024 * 1024
HEAD_BYTES = 4096
ADMINISTRATION_HEADER_MARK = "administration_id"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Control characters other than tab, CR, LF, form feed and the X12-customary FS/GS/RS/US separators.
BINARY_BYTES = bytes(range(0, 9)) + bytes((11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 127))


@dataclass(frozen=True)
class Sniffed:
    sha256: str
    size_bytes: int
    encoding: str | None  # "utf-8" or "latin-1"; None when the content is not text
    kind: str  # "x12", "administrations_csv", "empty", "binary", "utf16", "unknown"
    problem: str | None = None


class ContentCheck:
    """Hash, size, encoding and control bytes of a file, fed chunk by chunk in order."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.size = 0
        self.utf8_ok = True
        self.binary_at: int | None = None
        self.head = b""

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk; b"" marks the end of the file."""
        if not chunk:
            self._finish_utf8()
            return
        self._digest.update(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if self.binary_at is None:
            translated = chunk.translate(None, BINARY_BYTES)
            if len(translated) != len(chunk):
                self.binary_at = self.size + next(i for i, b in enumerate(chunk) if b in BINARY_BYTES)
        # ASCII is valid UTF-8 whatever came before, unless a multi-byte character is still open.
        if self.utf8_ok and not (chunk.isascii() and not self._decoder.getstate()[0]):
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError:
                self.utf8_ok = False
        self.size += len(chunk)

    def _finish_utf8(self) -> None:
        if self.utf8_ok:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.utf8_ok = False

    def result(self, file_name: str) -> Sniffed:
        self._finish_utf8()
        return classify(self._digest.hexdigest(), self.size, self.head, self.utf8_ok, self.binary_at,
                        file_name)


def sniff(open_binary: Callable[[], BinaryIO], file_name: str) -> Sniffed:
    check = ContentCheck()
    with open_binary() as stream:
        while True:
            block = stream.read(READ_SIZE)
            if not block:
                break
            check.feed(block)
    return check.result(file_name)


def sniff_head(open_binary: Callable[[], BinaryIO], file_name: str) -> Sniffed:
    """What the first bytes say (kind, likely encoding); hash and size cover the head only."""
    check = ContentCheck()
    with open_binary() as stream:
        check.feed(stream.read(HEAD_BYTES))
    # A head cut inside a multi-byte character is still UTF-8 so far.
    return classify("", check.size, check.head, check.utf8_ok, check.binary_at, file_name)


def classify(sha: str, size: int, head: bytes, utf8_ok: bool, binary_at: int | None,
             file_name: str) -> Sniffed:
    if size == 0:
        return Sniffed(sha, 0, None, "empty", "the file is empty (0 bytes)")
    if head.startswith(UTF16_BOMS) or (len(head) > 8 and head[1:8:2] == b"\x00\x00\x00\x00"):
        return Sniffed(sha, size, None, "utf16", "the file is UTF-16 encoded; X12 files must be 8-bit text")
    if binary_at is not None:
        return Sniffed(sha, size, None, "binary", binary_problem(binary_at))
    encoding = "utf-8" if utf8_ok else "latin-1"
    text_head = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if text_head.startswith("ISA"):
        return Sniffed(sha, size, encoding, "x12")
    first_line = text_head.split("\n", 1)[0].lower()
    if file_name.lower().endswith(".csv") or ADMINISTRATION_HEADER_MARK in first_line:
        return Sniffed(sha, size, encoding, "administrations_csv")
    if not text_head.strip():
        return Sniffed(sha, size, encoding, "empty", "the file holds only whitespace")
    return Sniffed(sha, size, encoding, "x12")  # the X12 reader names what is wrong with it


def binary_problem(offset: int) -> str:
    return f"binary content (control byte at offset {offset})"
