"""Exit codes shared by every command, and the errors that map onto them.

One table for all commands: a cron job or a wrapper script can act on the code without knowing which
command ran. Each code means one thing only.
"""

from __future__ import annotations

import errno

import duckdb

from denials.redaction import first_line

# DuckDB's message (lower-cased) when a query needs more memory than its limit and cannot spill
OUT_OF_MEMORY = "out of memory error"

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_CHECK_FAILED = 3
EXIT_BUILD_FAILED = 4
EXIT_UNUSABLE = 5
EXIT_INTERNAL = 70
EXIT_BUSY = 75
EXIT_INTERRUPTED = 130

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "success"),
    (EXIT_REJECTED, "some input files were rejected (quarantined with their reason); the rest loaded"),
    (EXIT_USAGE, "bad arguments or settings, or nothing to work on: no warehouse, nothing built or "
                 "published, unknown file id"),
    (EXIT_CHECK_FAILED, "a critical data-quality check failed (nothing was published)"),
    (EXIT_BUILD_FAILED, "a dbt build failed (nothing was published)"),
    (EXIT_UNUSABLE, "the warehouse cannot be used: corrupt, another raw layout, read-only or not "
                    "writable, disk full"),
    (EXIT_INTERNAL, "internal error (a bug: please report it; DENIALS_DEBUG=1 shows the traceback)"),
    (EXIT_BUSY, "busy: another writer holds the warehouse (a denials command or another process); "
                "nothing was done, try again later"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C, SIGINT); nothing was published"),
)


def exit_code_help() -> str:
    """The table as plain lines, for `--help` (click keeps lines after a \\b marker as they are)."""
    return "\n".join(f"  {code:>2}  {meaning}" for code, meaning in EXIT_CODES)


class DenialsError(Exception):
    """An error the command line reports in one line, with its exit code."""

    exit_code = EXIT_INTERNAL


class NothingToDo(DenialsError):
    """No warehouse, nothing built or published, an unknown id."""

    exit_code = EXIT_USAGE


class BadSetting(DenialsError):
    """An environment setting the command cannot use."""

    exit_code = EXIT_USAGE


class WarehouseBusy(DenialsError):
    """Another writer holds the warehouse."""

    exit_code = EXIT_BUSY


class WarehouseUnusable(DenialsError):
    """The warehouse file cannot be opened or written: corrupt, wrong layout, read-only, disk full."""

    exit_code = EXIT_UNUSABLE


_LOCK_MARKERS = ("could not set lock", "conflicting lock")
_CORRUPT_MARKERS = ("not a valid duckdb database", "invalid database", "checksum", "corrupt",
                    "failed to read", "magic bytes", "serialization", "invalid block", "database header")
_FULL_MARKERS = ("no space left", "disk is full", "could not write all bytes", "errno 28")
_INVALIDATED_MARKERS = ("database has been invalidated", "invalidated because of a previous fatal error")
_READ_ONLY_MARKERS = ("read-only file system", "permission denied", "read only", "errno 30", "errno 13")


def _first_line(error: BaseException) -> str:
    return first_line(error) or type(error).__name__


def classify(error: BaseException, warehouse: object | None = None) -> DenialsError | None:
    """Map a DuckDB or OS error on the warehouse to the one-line error the CLI reports, or None.

    DuckDB's messages name files, locks and processes, never rows; only their first line is kept.
    """
    if isinstance(error, DenialsError):
        return error
    where = f" {warehouse}" if warehouse is not None else ""
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return WarehouseUnusable(f"disk full while writing{where}: free space and run again "
                                     "(the previous published marts are untouched)")
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return WarehouseUnusable(f"cannot write{where}: {error.strerror} ({error.filename or ''})")
        return None
    if not isinstance(error, duckdb.Error):
        return None
    text = str(error).lower()
    if any(marker in text for marker in _LOCK_MARKERS):
        return WarehouseBusy(f"the warehouse{where} is held by another process, not a denials "
                             f"command (DuckDB allows one writer): {_first_line(error)}")
    if any(marker in text for marker in _FULL_MARKERS):
        return WarehouseUnusable(f"disk full while writing{where}: free space and run again "
                                 "(the previous published marts are untouched)")
    if any(marker in text for marker in _INVALIDATED_MARKERS) or isinstance(error, duckdb.FatalException):
        return WarehouseUnusable(f"writing the warehouse{where} failed (disk full or an I/O error); free "
                                 "space and run again (the previous published marts are untouched)")
    if any(marker in text for marker in _READ_ONLY_MARKERS):
        return WarehouseUnusable(f"the warehouse{where} is read-only or not writable: {_first_line(error)}")
    if any(marker in text for marker in _CORRUPT_MARKERS) or isinstance(
            error, duckdb.SerializationException | duckdb.InternalException):
        return WarehouseUnusable(f"the warehouse{where} is not a readable DuckDB database (corrupt or "
                                 f"another program's file): {_first_line(error)}")
    if isinstance(error, duckdb.IOException):
        return WarehouseUnusable(f"cannot open or write the warehouse{where}: {_first_line(error)}")
    return None
