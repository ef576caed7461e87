"""Retracting a loaded file: the models stop reading it, the raw evidence and its history stay.

A retraction sets the file's registry status to `retracted` (the models read `loaded` files only) and
appends who, when and why to raw.file_retractions. Its segments or CSV rows stay in raw, so
`denials rebuild` still gives the file back. The incremental models already hold the file's rows, so the
next full build (`denials run`, or `denials build` without a selection) rebuilds them from scratch once;
`rebuilt_at` records when that happened, so later builds are incremental again. The same content sent
again is a duplicate of the retracted file and stays out.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from denials import __version__
from denials.errors import NothingToDo
from denials.warehouse import transaction

RETRACTED = "retracted"
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class Retraction:
    file_id: int
    file_name: str
    previous_status: str
    retracted_at: datetime
    retracted_by: str


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


def retract(con: duckdb.DuckDBPyConnection, file_id: int, reason: str) -> Retraction:
    """Retract loaded file `file_id`; NothingToDo when there is no such file or it is not loaded."""
    reason = " ".join(reason.split())
    if not reason:
        raise NothingToDo("a retraction needs a reason (--reason TEXT)")
    if len(reason) > MAX_REASON_LENGTH:
        raise NothingToDo(f"the reason is longer than {MAX_REASON_LENGTH} characters")
    rows = con.execute("select file_name, status from raw.file_registry where file_id = ?",
                       [file_id]).fetchall()
    if not rows:
        raise NothingToDo(f"no file {file_id} in the registry (`denials summary` lists the files)")
    file_name, status = rows[0]
    if status != "loaded":
        raise NothingToDo(f"file {file_id} ({file_name}) is {status}, not loaded: nothing to retract")
    now = datetime.now()
    who = _who()
    with transaction(con):
        con.execute(
            "insert into raw.file_retractions (file_id, previous_status, reason, retracted_at, "
            "retracted_by, loader_version) values (?, ?, ?, ?, ?, ?)",
            [file_id, status, reason, now, who, __version__])
        con.execute("update raw.file_registry set status = ?, reason = ? where file_id = ?",
                    [RETRACTED, f"retracted on {now:%Y-%m-%d %H:%M} by {who} (raw.file_retractions)",
                     file_id])
    return Retraction(file_id, file_name, status, now, who)


def rebuild_pending(warehouse: Path) -> bool:
    """Whether a retraction has not yet been rebuilt out of the incremental models."""
    from denials.warehouse import connect

    con = connect(warehouse)
    try:
        return bool(con.execute(
            "select count(*) from raw.file_retractions where rebuilt_at is null").fetchall()[0][0])
    finally:
        con.close()


def mark_rebuilt(warehouse: Path) -> None:
    """Record that a full build has left every retracted file out."""
    from denials.warehouse import connect

    con = connect(warehouse)
    try:
        con.execute("update raw.file_retractions set rebuilt_at = ? where rebuilt_at is null",
                    [datetime.now()])
    finally:
        con.close()
