"""The file registry: one row per file or archive member, and the quarantine for rejected files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import duckdb

from denials import __version__
from denials.ingest.x12_loader import insert_rows

LOADED, REJECTED, DUPLICATE, UNSUPPORTED = "loaded", "rejected", "duplicate", "unsupported"


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
    """An earlier file with the same content that settles this one: loaded or unsupported, or rejected
    by this same loader version (a newer loader gets to try again)."""
    rows = con.execute(
        """
        select file_id, status, reason
        from raw.file_registry
        where content_sha256 = ?
          and (status in ('loaded', 'unsupported') or (status = 'rejected' and loader_version = ?))
        order by file_id
        limit 1
        """,
        [sha256, __version__],
    ).fetchall()
    return rows[0] if rows else None


def quarantine(quarantine_dir: Path, file_id: int, file_name: str,
               open_binary: Callable[[], BinaryIO], reason: str) -> Path | None:
    """Keep a copy of a rejected file beside its reason, so nothing is lost when the inbox is cleaned."""
    try:
        quarantine_dir.mkdir(parents=True, exist_ok=True)
        target = quarantine_dir / f"{file_id:06d}-{Path(file_name).name}"
        with open_binary() as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
        return target
    except OSError:
        return None
