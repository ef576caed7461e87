"""One lock for every writer of a warehouse: `<warehouse>.lock` beside it.

Writers (ingest, build, check, run, publish) take it exclusively and without waiting: a second writer
exits at once with the busy code instead of queueing behind a long build or colliding in DuckDB. Commands
that read the warehouse itself (rebuild) take it shared, so they never open the file halfway through a
run (which would make the run's next stage fail on DuckDB's own lock). Readers of the published file
take no lock at all. A process that is not a denials command and holds the DuckDB file is met by DuckDB's
own lock, which `denials.errors.classify` reports with the same busy code.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from denials.errors import WarehouseBusy
from denials.files import private_directory


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def _holder(descriptor: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(descriptor, 200, 0).decode("utf-8", errors="replace").strip()
        if text:
            return f" ({text})"
    return ""


@contextmanager
def writer_lock(warehouse: Path, command: str) -> Iterator[None]:
    """Hold the warehouse for writing for the duration, or raise WarehouseBusy at once."""
    path = lock_path(warehouse)
    private_directory(path.parent)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"another denials command is using {warehouse}{_holder(descriptor)}: nothing done, "
                "try again when it has finished"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"denials {command}, pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(descriptor)


@contextmanager
def reader_lock(warehouse: Path) -> Iterator[None]:
    """Keep writers out while reading the warehouse itself (not the published file)."""
    path = lock_path(warehouse)
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        # No lock file: no denials writer has ever run here (or the folder is read-only to us).
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"a denials command is writing {warehouse}{_holder(descriptor)}: the warehouse cannot be "
                "read until it finishes (the published marts can: `denials summary`)"
            ) from None
        yield
    finally:
        os.close(descriptor)
