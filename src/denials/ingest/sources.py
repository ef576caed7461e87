"""What to ingest: files, directories (recursively) and .zip archives, each as a readable input.

Archives are checked before anything is read from them: members with absolute paths or `..` are refused,
and so are archives whose expanded size or compression ratio is absurd (zip bombs).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

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


def iter_inputs(paths: list[Path]) -> Iterator[InputFile]:
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _from_file(child)
        else:
            yield from _from_file(path)


def _from_file(path: Path) -> Iterator[InputFile]:
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        yield from _from_archive(path)
        return
    yield InputFile(
        display_name=path.name,
        source_path=str(path),
        archive_member=None,
        open_binary=lambda p=path: open(p, "rb"),  # noqa: SIM115 - the caller closes it
        size_hint=path.stat().st_size,
    )


def _archive_record(path: Path, problem: str | None) -> InputFile:
    return InputFile(
        display_name=path.name,
        source_path=str(path),
        archive_member=None,
        open_binary=lambda p=path: open(p, "rb"),  # noqa: SIM115 - the caller closes it
        size_hint=path.stat().st_size,
        problem=problem,
        is_archive=True,
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
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "archive member has an absolute path: refused"
    if ".." in pure.parts:
        return "archive member path contains '..': refused"
    return None


def _from_archive(path: Path) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield _archive_record(path, f"not a readable zip archive ({type(error).__name__})")
        return
    with archive:
        problem = archive_problem(archive, path.stat().st_size)
        yield _archive_record(path, problem)
        if problem:
            return
        for member in archive.infolist():
            if member.is_dir():
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
            )


def _open_member(path: Path, member: zipfile.ZipInfo) -> BinaryIO:
    archive = zipfile.ZipFile(path)
    stream = archive.open(member)
    # Close the archive together with the member stream.
    original_close = stream.close

    def close() -> None:
        original_close()
        archive.close()

    stream.close = close  # type: ignore[method-assign]
    return stream
