"""Private files and folders: the warehouse, its copies and the quarantine hold PHI.

Folders the package creates are 0700 and its files 0600, whatever the umask. A folder that already
existed (the user's choice, maybe shared) is left as it is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(path: Path) -> Path:
    """Create `path` and any missing parents as 0700; return it."""
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=DIRECTORY_MODE)
        os.chmod(directory, DIRECTORY_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file 0600 (a file that is not there, or not ours, is left alone)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if (path.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(path, FILE_MODE)


@contextmanager
def private_umask() -> Iterator[None]:
    """Files created meanwhile (by DuckDB, dbt, this process) start private instead of 0644."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
