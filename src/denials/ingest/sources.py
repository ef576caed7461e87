"""What to ingest: files, directories (recursively) and .zip archives, each as a readable input.

Archives are checked before anything is read from them: members with absolute paths or `..` are refused,
and so are archives whose expanded size or compression ratio is absurd (zip bombs).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from denials.x12.errors import X12Rejected

MAX_ARCHIVE_EXPANDED_BYTES = 20 * 1024**3
MAX_COMPRESSION_RATIO = 200
MAX_ARCHIVE_MEMBERS = 100_000


@dataclass
class InputFile:
    display_name: str
    source_path: str
    archive_member: str | None
    open_binary: Callable[[], BinaryIO]
    size_hint: int
    problem: str | None = None  # set when the input is refused before reading (unsafe member)
    is_archive: bool = False
    # Modification time of the file (of the archive, for a member): with the size and the path, what
    # tells an unchanged file without reading it.
    modified_ns: int | None = None


class InputUnreadable(X12Rejected):
    """The input cannot be read (a corrupt archive member, an I/O error): it is rejected with the reason."""


def iter_inputs(paths: list[Path], skip: Callable[[Path], bool] | None = None) -> Iterator[InputFile]:
    """Every input under `paths`; files for which `skip` is true (the warehouse's own) are never opened."""
    for path in paths:
        if path.is_dir():
            children = []
            for child in path.rglob("*"):
                try:
                    if child.is_file():
                        children.append(child)
                except OSError:
                    continue
            for child in sorted(children):
                if skip is None or not skip(child):
                    yield from _from_file(child)
        elif skip is None or not skip(path):
            yield from _from_file(path)


def _stat(path: Path) -> tuple[int, int | None, str | None]:
    try:
        status = path.stat()
    except OSError as error:
        return 0, None, f"the file cannot be read ({type(error).__name__})"
    return status.st_size, status.st_mtime_ns, None


def _from_file(path: Path) -> Iterator[InputFile]:
    size, modified, problem = _stat(path)
    is_zip = False
    if problem is None:
        try:
            is_zip = path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)
        except OSError as error:
            problem = f"the file cannot be read ({type(error).__name__})"
    if is_zip:
        yield from _from_archive(path)
        return
    yield InputFile(
        display_name=path.name,
        source_path=str(path),
        archive_member=None,
        open_binary=lambda p=path: _open_file(p),
        size_hint=size,
        problem=problem,
        modified_ns=modified,
    )


def _open_file(path: Path) -> BinaryIO:
    try:
        guarded = _Guarded(open(path, "rb"), "the file")  # noqa: SIM115 - the caller closes it
        guarded.disk_path = path
        return guarded
    except OSError as error:
        raise InputUnreadable(f"the file cannot be read ({type(error).__name__})") from None


def _archive_record(path: Path, problem: str | None) -> InputFile:
    size, modified, _ = _stat(path)
    return InputFile(
        display_name=path.name,
        source_path=str(path),
        archive_member=None,
        open_binary=lambda p=path: _open_file(p),
        size_hint=size,
        problem=problem,
        is_archive=True,
        modified_ns=modified,
    )


def archive_problem(archive: zipfile.ZipFile, compressed_size: int) -> str | None:
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        return f"archive holds {len(members)} members, more than the {MAX_ARCHIVE_MEMBERS} allowed"
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_ARCHIVE_EXPANDED_BYTES:
        return f"archive expands to {expanded} bytes, more than the {MAX_ARCHIVE_EXPANDED_BYTES} allowed"
    packed = max(compressed_size, 1)
    if expanded > 10 * 1024**2 and expanded / packed > MAX_COMPRESSION_RATIO:
        return (
            f"archive expands {expanded // packed}x (more than {MAX_COMPRESSION_RATIO}x): "
            "refused as a possible zip bomb"
        )
    return None


def member_problem(name: str) -> str | None:
    if not name:
        return "archive member has no name: refused"
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "archive member has an absolute path: refused"
    if ".." in pure.parts:
        return "archive member path contains '..': refused"
    return None


def _from_archive(path: Path) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        yield _archive_record(path, f"not a readable zip archive ({type(error).__name__})")
        return
    with archive:
        record = _archive_record(path, None)
        problem = archive_problem(archive, record.size_hint)
        record.problem = problem
        yield record
        if problem:
            return
        for member in archive.infolist():
            # ZipInfo.is_dir() fails on a damaged member with an empty name
            if member.filename.endswith("/"):
                continue
            problem = member_problem(member.filename)
            if member.flag_bits & 0x1:
                problem = "archive member is encrypted: refused"
            if PurePosixPath(member.filename).suffix.lower() == ".zip":
                problem = problem or "nested archives are not opened: unzip it first"
            yield InputFile(
                display_name=PurePosixPath(member.filename).name or member.filename,
                source_path=str(path),
                archive_member=member.filename,
                open_binary=lambda m=member, p=path: _open_member(p, m),
                size_hint=member.file_size,
                problem=problem,
                modified_ns=record.modified_ns,
            )


# What zipfile raises for a corrupt member: bad CRC, a size that lies, a broken deflate stream.
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def _member_problem(error: BaseException) -> str:
    text = str(error).lower()
    if "crc" in text:
        what = "its CRC-32 does not match its data"
    elif isinstance(error, EOFError) or "truncated" in text or "size" in text or "eof" in text:
        what = "its data is shorter or longer than its header says"
    elif isinstance(error, NotImplementedError):
        what = "it uses a compression method this loader cannot read"
    else:
        what = f"its data is corrupt ({type(error).__name__})"
    return f"archive member cannot be read: {what}; the rest of the archive is loaded"


def _open_member(path: Path, member: zipfile.ZipInfo) -> BinaryIO:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise InputUnreadable(f"the archive cannot be read again ({type(error).__name__})") from None
    try:
        stream = archive.open(member)
    except _ZIP_READ_ERRORS as error:
        archive.close()
        raise InputUnreadable(_member_problem(error)) from None
    return _Guarded(stream, "archive member", on_close=archive.close)


class _Guarded(io.BufferedIOBase):
    """A binary stream whose read errors become InputUnreadable (a rejection with a reason, never a
    traceback); closing it also closes what it came from (the archive)."""

    def __init__(self, inner: BinaryIO, what: str, on_close: Callable[[], None] | None = None) -> None:
        super().__init__()
        # A plain file's path, so that a reader able to open it by itself (DuckDB's CSV reader) need not
        # copy it first; None for an archive member.
        self.disk_path: Path | None = None
        self._inner = inner
        self._what = what
        self._on_close = on_close

    def readable(self) -> bool:
        return True

    def _reading(self, method: Callable[[int], bytes], size: int) -> bytes:
        try:
            return method(size)
        except _ZIP_READ_ERRORS as error:
            if self._what == "the file":
                raise InputUnreadable(f"the file cannot be read ({type(error).__name__})") from None
            raise InputUnreadable(_member_problem(error)) from None

    def read(self, size: int | None = -1) -> bytes:
        return self._reading(self._inner.read, -1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._reading(getattr(self._inner, "read1", self._inner.read), size)

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                if self._on_close is not None:
                    self._on_close()
        super().close()
