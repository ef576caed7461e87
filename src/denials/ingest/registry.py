"""The file registry: one row per file or archive member, and the quarantine for rejected files."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import duckdb

from denials import __version__
from denials.ingest.x12_loader import insert_rows
from denials.x12.errors import X12Rejected

LOADED, REJECTED, DUPLICATE, UNSUPPORTED = "loaded", "rejected", "duplicate", "unsupported"
# Not a registry status: a file seen again unchanged (or with content already registered from the same
# path) is counted on raw.file_sightings instead of adding a registry row per run.
UNCHANGED = "unchanged"


@dataclass
class RegistryEntry:
    file_id: int
    file_name: str
    source_path: str
    archive_member: str | None
    file_kind: str
    status: str
    received_at: datetime
    content_sha256: str | None = None
    size_bytes: int | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    duplicate_of_file_id: int | None = None
    transaction_types: list[str] = field(default_factory=list)
    interchange_count: int | None = None
    group_count: int | None = None
    transaction_count: int | None = None
    segment_count: int | None = None
    claim_count: int | None = None
    service_line_count: int | None = None
    record_count: int | None = None
    text_encoding: str | None = None
    trailing_text: str | None = None
    finished_at: datetime | None = None
    load_seconds: float | None = None
    loader_version: str = __version__


def next_file_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select nextval('raw.file_id_sequence')").fetchall()[0][0]


def record(con: duckdb.DuckDBPyConnection, entry: RegistryEntry) -> None:
    insert_rows(con, "raw.file_registry", [asdict(entry)])


def size_seen(con: duckdb.DuckDBPyConnection, size_bytes: int) -> bool:
    """Whether any earlier file had this size (only such a file can be a duplicate)."""
    return bool(con.execute("select count(*) from raw.file_registry where size_bytes = ?",
                            [size_bytes]).fetchall()[0][0])


def find_previous(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple[int, str, str | None] | None:
    """An earlier file with the same content that settles this one: loaded, retracted (sending a
    retracted file again does not bring it back) or unsupported, or rejected by this same loader
    version (a newer loader gets to try again)."""
    rows = con.execute(
        """
        select file_id, status, reason
        from raw.file_registry
        where content_sha256 = ?
          and (status in ('loaded', 'retracted', 'unsupported')
               or (status = 'rejected' and loader_version = ?))
        order by file_id
        limit 1
        """,
        [sha256, __version__],
    ).fetchall()
    return rows[0] if rows else None


def quarantine(quarantine_dir: Path, file_id: int, file_name: str,
               open_binary: Callable[[], BinaryIO], reason: str) -> Path | None:
    """Keep a copy of a rejected file beside its reason, so nothing is lost when the inbox is cleaned.

    The copy is written under a temporary name and renamed when complete, so a copy that could not be
    finished (disk full, unreadable member) never looks like the file; the folder is 0700, files 0600.
    """
    from denials.files import FILE_MODE, private_directory

    target = quarantine_dir / f"{file_id:06d}-{Path(file_name).name}"
    partial = target.with_name(f".{target.name}.partial")
    reason_file = target.with_name(target.name + ".reason.txt")
    try:
        private_directory(quarantine_dir)
        reason_file.write_text(reason + "\n", encoding="utf-8")
        os.chmod(reason_file, FILE_MODE)
        with open_binary() as source, open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                                   FILE_MODE), "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        os.replace(partial, target)
        return target
    except (OSError, X12Rejected):
        partial.unlink(missing_ok=True)
        return None


@dataclass(frozen=True)
class Sighting:
    """The last time a path (or archive member) was seen: its size and time, and the file it settled."""

    size_bytes: int
    modified_ns: int | None
    file_id: int
    content_sha256: str | None
    settled: bool  # its registry row still settles re-sent content (see find_previous)


Sightings = dict[tuple[str, str], Sighting]


def load_sightings(con: duckdb.DuckDBPyConnection) -> Sightings:
    rows = con.execute(
        """
        select sightings.source_path, sightings.archive_member, sightings.size_bytes,
               sightings.modified_ns, sightings.file_id, sightings.content_sha256,
               registry.status in ('loaded', 'retracted', 'unsupported', 'duplicate')
                   or (registry.status = 'rejected' and registry.loader_version = ?)
        from raw.file_sightings as sightings
        inner join raw.file_registry as registry on sightings.file_id = registry.file_id
        """,
        [__version__],
    ).fetchall()
    return {(row[0], row[1]): Sighting(row[2], row[3], row[4], row[5], bool(row[6])) for row in rows}


def unchanged(sighting: Sighting | None, size_bytes: int, modified_ns: int | None) -> bool:
    return (sighting is not None and sighting.settled and modified_ns is not None
            and sighting.size_bytes == size_bytes and sighting.modified_ns == modified_ns)


@dataclass
class SightingUpdates:
    """What this ingest saw, written in a few statements at the end (losing them to a kill only means
    those files are read again next time)."""

    new: dict[tuple[str, str], tuple[int, int | None, int, str | None]] = field(default_factory=dict)
    restamped: dict[tuple[str, str], tuple[int, int | None]] = field(default_factory=dict)
    seen_again: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.new) + len(self.restamped) + len(self.seen_again)


def write_sightings(con: duckdb.DuckDBPyConnection, updates: SightingUpdates) -> None:
    """New paths (or new content at a path) replace their row; files seen again are counted, with their
    new time when only that changed."""
    if not len(updates):
        return
    now = datetime.now()
    new_values = list(updates.new.values())
    restamped = [updates.restamped.get(key, (None, None)) for key in updates.seen_again]
    # Lists as parameters, unnested side by side: no Arrow table, whose scan would import pandas (half a
    # second of an ingest of one CSV file).
    columns = {
        "new_sightings": [
            ("source_path", "varchar", [key[0] for key in updates.new]),
            ("archive_member", "varchar", [key[1] for key in updates.new]),
            ("size_bytes", "bigint", [value[0] for value in new_values]),
            ("modified_ns", "bigint", [value[1] for value in new_values]),
            ("file_id", "bigint", [value[2] for value in new_values]),
            ("content_sha256", "varchar", [value[3] for value in new_values]),
        ],
        "seen_again": [
            ("source_path", "varchar", [key[0] for key in updates.seen_again]),
            ("archive_member", "varchar", [key[1] for key in updates.seen_again]),
            ("size_bytes", "bigint", [value[0] for value in restamped]),
            ("modified_ns", "bigint", [value[1] for value in restamped]),
        ],
    }
    try:
        con.begin()
        for table, table_columns in columns.items():
            unnested = ", ".join(f"unnest(?::{kind}[]) as {name}" for name, kind, _ in table_columns)
            con.execute(f"create or replace temp table {table} as select {unnested}",
                        [values for _, _, values in table_columns])
        con.execute("""
            delete from raw.file_sightings
            where (source_path, archive_member) in (select (source_path, archive_member) from new_sightings)
        """)
        con.execute("""
            insert into raw.file_sightings
            select source_path, archive_member, size_bytes, modified_ns, file_id, content_sha256, 1, ?, ?
            from new_sightings
        """, [now, now])
        con.execute("""
            update raw.file_sightings
            set times_seen = times_seen + 1, last_seen_at = ?,
                size_bytes = coalesce(seen_again.size_bytes, file_sightings.size_bytes),
                modified_ns = coalesce(seen_again.modified_ns, file_sightings.modified_ns)
            from seen_again
            where file_sightings.source_path = seen_again.source_path
              and file_sightings.archive_member = seen_again.archive_member
        """, [now])
        con.execute("drop table new_sightings")
        con.execute("drop table seen_again")
        con.commit()
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        raise
