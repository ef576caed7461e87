"""Ingest a set of paths: every input gets exactly one registry row and one outcome in the report."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from denials.errors import classify
from denials.ingest import registry
from denials.ingest.administrations import load_administrations
from denials.ingest.registry import DUPLICATE, LOADED, REJECTED, UNCHANGED, UNSUPPORTED, RegistryEntry
from denials.ingest.sniff import ContentCheck, Sniffed, binary_problem, sniff, sniff_head
from denials.ingest.sources import InputFile, InputUnreadable, iter_inputs
from denials.ingest.x12_loader import insert_envelopes, load_x12, remove_unregistered_rows
from denials.publish import is_warehouse_artifact
from denials.warehouse import connect
from denials.x12.errors import X12Rejected


@dataclass
class FileOutcome:
    file_id: int
    name: str
    source_path: str
    archive_member: str | None
    status: str
    reason: str | None
    warnings: list[str]
    size_bytes: int
    segments: int
    records: int
    seconds: float
    quarantined_to: str | None = None
    content_sha256: str | None = None

    @property
    def label(self) -> str:
        return f"{self.source_path}!{self.archive_member}" if self.archive_member else self.source_path


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts(self) -> Counter:
        return Counter(outcome.status for outcome in self.files)

    @property
    def segments(self) -> int:
        return sum(outcome.segments for outcome in self.files)

    @property
    def bytes_loaded(self) -> int:
        return sum(o.size_bytes for o in self.files if o.status in (LOADED, UNSUPPORTED))

    @property
    def exit_code(self) -> int:
        return 1 if any(outcome.status == REJECTED for outcome in self.files) else 0


ProgressHook = Callable[[int], None]


def ingest_paths(paths: list[Path], warehouse: Path, quarantine_dir: Path | None = None,
                 on_bytes: ProgressHook | None = None,
                 on_file: Callable[[FileOutcome], None] | None = None) -> IngestReport:
    """Load every file under `paths` into the warehouse. Never raises for a bad input file; raises
    (after undoing the file in progress) when the warehouse itself fails: locked, disk full, I/O."""
    started = time.perf_counter()
    quarantine_dir = quarantine_dir or warehouse.parent / "quarantine"
    report = IngestReport()
    con = connect(warehouse)
    updates = registry.SightingUpdates()
    try:
        remove_unregistered_rows(con)
        sightings = registry.load_sightings(con)
        quarantine_root = quarantine_dir.resolve()

        def own_output(path: Path) -> bool:
            """The warehouse's own files and the quarantine are never ingested, even inside the inbox."""
            return is_warehouse_artifact(path, warehouse) or path.resolve().is_relative_to(quarantine_root)

        for item in iter_inputs(paths, skip=own_output):
            report.files.append(_ingest_seen(con, item, sightings, updates, quarantine_dir, on_bytes))
            if len(updates) >= SIGHTINGS_BATCH:
                registry.write_sightings(con, updates)
                updates = registry.SightingUpdates()
            if on_file is not None:
                on_file(report.files[-1])
        registry.write_sightings(con, updates)
    except BaseException:
        # The first failure is the one to report (a full disk fails this too).
        with contextlib.suppress(duckdb.Error):
            registry.write_sightings(con, updates)
        raise
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report


SIGHTINGS_BATCH = 1000


def _ingest_seen(con: duckdb.DuckDBPyConnection, item: InputFile, sightings: registry.Sightings,
                 updates: registry.SightingUpdates, quarantine_dir: Path,
                 on_bytes: ProgressHook | None) -> FileOutcome:
    """Skip an unchanged file without reading it; otherwise ingest it and note where it was seen."""
    key = (item.source_path, item.archive_member or "")
    sighting = sightings.get(key)
    if registry.unchanged(sighting, item.size_hint, item.modified_ns):
        updates.seen_again.append(key)
        if on_bytes is not None:
            on_bytes(item.size_hint)
        return _unchanged(item, sighting.file_id, "unchanged since it was registered")
    outcome = _ingest_one(con, item, quarantine_dir, on_bytes, sighting)
    if outcome.status == UNCHANGED:
        # Same content from the same path, only its time changed: count it and remember the new time.
        updates.seen_again.append(key)
        updates.restamped[key] = (item.size_hint, item.modified_ns)
    else:
        updates.new[key] = (item.size_hint, item.modified_ns, outcome.file_id, outcome.content_sha256)
    sightings[key] = registry.Sighting(item.size_hint, item.modified_ns, outcome.file_id,
                                       outcome.content_sha256, True)
    return outcome


def _unchanged(item: InputFile, file_id: int, reason: str) -> FileOutcome:
    return FileOutcome(file_id=file_id, name=item.display_name, source_path=item.source_path,
                       archive_member=item.archive_member, status=UNCHANGED, reason=reason, warnings=[],
                       size_bytes=item.size_hint, segments=0, records=0, seconds=0.0)


def _environment_error(error: BaseException) -> bool:
    """A failure of the warehouse or the machine (disk full, lock, I/O), not of the input file: the run
    stops instead of rejecting a good file for ever."""
    if isinstance(error, duckdb.IOException | duckdb.OutOfMemoryException | duckdb.FatalException | OSError
                  | MemoryError):
        return True
    return isinstance(error, duckdb.Error) and classify(error) is not None


def _ingest_one(con: duckdb.DuckDBPyConnection, item: InputFile, quarantine_dir: Path,
                on_bytes: ProgressHook | None, sighting: registry.Sighting | None = None) -> FileOutcome:
    started = time.perf_counter()
    entry = RegistryEntry(
        file_id=registry.next_file_id(con),
        file_name=item.display_name,
        source_path=item.source_path,
        archive_member=item.archive_member,
        file_kind="zip" if item.is_archive else "unknown",
        status=REJECTED,
        received_at=datetime.now(),
    )
    try:
        return _settle(con, entry, item, quarantine_dir, on_bytes, sighting, started)
    except InputUnreadable as error:
        # A read failed outside the loaders' own handling (while hashing, say): reject with the reason.
        _rollback(con, entry.file_id)
        _reset_counts(entry)
        entry.reason = str(error)
        entry.size_bytes = entry.size_bytes or item.size_hint
        return _finish(con, entry, started, item=item, quarantine_dir=quarantine_dir)


def _settle(con: duckdb.DuckDBPyConnection, entry: RegistryEntry, item: InputFile, quarantine_dir: Path,
            on_bytes: ProgressHook | None, sighting: registry.Sighting | None, started: float) -> FileOutcome:
    if item.is_archive:
        entry.status = REJECTED if item.problem else LOADED
        entry.reason = item.problem or "archive opened; its members have rows of their own"
        entry.size_bytes = item.size_hint
        return _finish(con, entry, started, on_bytes_total=(on_bytes, item.size_hint))
    if item.problem:
        entry.reason = item.problem
        entry.size_bytes = item.size_hint
        return _finish(con, entry, started, on_bytes_total=(on_bytes, item.size_hint))

    if item.size_hint and not registry.size_seen(con, item.size_hint):
        # No earlier file has this size, so this one cannot be a duplicate: hash it while loading
        # instead of reading it twice.
        head = sniff_head(item.open_binary, item.display_name)
        if head.kind == "x12" and head.problem is None and head.encoding is not None:
            streamed = _ingest_x12_in_one_pass(con, entry, item, head.encoding, quarantine_dir, on_bytes,
                                               started)
            if streamed is not None:
                return streamed

    sniffed = sniff(item.open_binary, item.display_name)
    _take_content(entry, sniffed)
    if sniffed.problem:
        entry.reason = sniffed.problem
        return _finish(con, entry, started, item=item, quarantine_dir=quarantine_dir,
                       on_bytes_total=(on_bytes, sniffed.size_bytes))

    previous = registry.find_previous(con, sniffed.sha256)
    if previous is not None and sighting is not None and sighting.content_sha256 == sniffed.sha256:
        # The same content from the same path again (touched, or copied over itself): counted on its
        # sighting, not registered again.
        if on_bytes is not None:
            on_bytes(sniffed.size_bytes)
        outcome = _unchanged(item, sighting.file_id, "same content as when it was registered")
        outcome.content_sha256 = sniffed.sha256
        return outcome
    if previous is not None:
        previous_id, previous_status, previous_reason = previous
        entry.status = DUPLICATE
        entry.duplicate_of_file_id = previous_id
        entry.reason = f"same content as file {previous_id} ({previous_status})"
        if previous_status == REJECTED:
            entry.reason += f", rejected earlier: {previous_reason}"
        return _finish(con, entry, started, on_bytes_total=(on_bytes, sniffed.size_bytes))

    try:
        if sniffed.kind == "administrations_csv":
            con.begin()
            entry.record_count = load_administrations(con, entry.file_id, item.open_binary,
                                                      sniffed.encoding)
            entry.status = LOADED
            entry.transaction_types = ["administrations"]
            if on_bytes is not None:
                on_bytes(sniffed.size_bytes)
        else:
            progress = None if on_bytes is None else (lambda chunk: on_bytes(len(chunk)))
            _load_x12_entry(con, entry, item, sniffed.encoding, progress)
        outcome = _finish(con, entry, started)
        con.commit()
        return outcome
    except Exception as error:  # noqa: BLE001 - a bad file must never stop the run or print values
        entry.reason = _undo(con, entry.file_id, error)
    _reset_counts(entry)
    return _finish(con, entry, started, item=item, quarantine_dir=quarantine_dir)


def _ingest_x12_in_one_pass(con: duckdb.DuckDBPyConnection, entry: RegistryEntry, item: InputFile,
                            encoding: str, quarantine_dir: Path, on_bytes: ProgressHook | None,
                            started: float) -> FileOutcome | None:
    """Load an X12 file while hashing and checking its bytes. Returns None when the file is not the
    UTF-8 its head suggested: nothing is kept and the caller sniffs it whole and loads it again."""
    check = ContentCheck()

    def on_chunk(chunk: bytes) -> None:
        check.feed(chunk)
        if check.binary_at is not None:
            raise X12Rejected(binary_problem(check.binary_at))
        if not check.utf8_ok:
            raise _NotUtf8
        if on_bytes is not None:
            on_bytes(len(chunk))

    entry.file_kind, entry.text_encoding = "x12", encoding
    try:
        _load_x12_entry(con, entry, item, encoding, on_chunk)
        _take_content(entry, check.result(entry.file_name))
        outcome = _finish(con, entry, started)
        con.commit()
        return outcome
    except _NotUtf8:
        _rollback(con, entry.file_id)
        _reset_counts(entry)
        entry.status, entry.warnings, entry.transaction_types = REJECTED, [], None
        return None
    except Exception as error:  # noqa: BLE001 - a bad file must never stop the run or print values
        entry.reason = _undo(con, entry.file_id, error)
    # The registry keeps the hash of the whole file, also for a file rejected halfway through (not for
    # one that cannot be read to its end).
    with contextlib.suppress(InputUnreadable):
        _take_content(entry, sniff(item.open_binary, item.display_name))
    _reset_counts(entry)
    return _finish(con, entry, started, item=item, quarantine_dir=quarantine_dir)


class _NotUtf8(Exception):  # noqa: N818 - a signal between two functions here, not an error
    """The file turned out not to be the UTF-8 its head suggested."""


def _take_content(entry: RegistryEntry, content: Sniffed) -> None:
    entry.content_sha256 = content.sha256
    entry.size_bytes = content.size_bytes
    entry.text_encoding = content.encoding
    entry.file_kind = content.kind if content.kind in ("x12", "administrations_csv") else "unknown"


def _load_x12_entry(con: duckdb.DuckDBPyConnection, entry: RegistryEntry, item: InputFile, encoding: str,
                    on_chunk: Callable[[bytes], None] | None) -> None:
    """Load the segments, then open the transaction that the caller commits with the registry row.
    Segments are appended outside that transaction (twice as fast in DuckDB); they stay invisible
    until the registry row commits, and are deleted again on failure."""
    loaded = load_x12(con, entry.file_id, item.open_binary, encoding, on_chunk)
    envelope = loaded.envelope
    entry.claim_count, entry.service_line_count = loaded.claim_count, loaded.service_line_count
    con.begin()
    insert_envelopes(con, entry.file_id, envelope)
    entry.transaction_types = loaded.transaction_types
    entry.warnings = loaded.warnings
    entry.interchange_count = len(envelope.interchanges)
    entry.group_count = len(envelope.groups)
    entry.transaction_count = len(envelope.transactions)
    entry.segment_count = loaded.segment_count
    entry.trailing_text = loaded.trailing_text
    supported = [t for t in envelope.transactions if t.set_id not in loaded.unsupported_types]
    if not envelope.transactions:
        entry.status, entry.reason = UNSUPPORTED, "no transaction sets (ST/SE) in the file"
    elif not supported:
        entry.status = UNSUPPORTED
        entry.reason = (f"only unsupported transaction sets ({', '.join(loaded.unsupported_types)}): "
                        "segments kept in raw, not modelled")
    else:
        entry.status = LOADED
        if loaded.unsupported_types:
            entry.warnings.append(
                f"unsupported transaction sets kept in raw but not modelled: "
                f"{', '.join(loaded.unsupported_types)}"
            )


def _undo(con: duckdb.DuckDBPyConnection, file_id: int, error: Exception) -> str:
    """Remove what the failed file left; returns the reason to record. Only a rejection's own text is
    kept: an unexpected error's message may quote element values. A failure of the warehouse itself is
    raised again once the file is undone."""
    _rollback(con, file_id)
    if _environment_error(error):
        raise error
    if isinstance(error, X12Rejected):
        return str(error)
    return f"internal error while loading ({type(error).__name__}); file kept in quarantine"


def _rollback(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    # The failure may have come before the publishing transaction began.
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()
    remove_unregistered_rows(con, file_id)


def _reset_counts(entry: RegistryEntry) -> None:
    entry.status = REJECTED
    entry.segment_count = entry.claim_count = entry.service_line_count = entry.record_count = None
    entry.interchange_count = entry.group_count = entry.transaction_count = None
    entry.trailing_text = None


def _finish(con: duckdb.DuckDBPyConnection, entry: RegistryEntry, started: float,
            item: InputFile | None = None, quarantine_dir: Path | None = None,
            on_bytes_total: tuple[ProgressHook | None, int] | None = None) -> FileOutcome:
    quarantined = None
    if entry.status == REJECTED and item is not None and quarantine_dir is not None:
        path = registry.quarantine(quarantine_dir, entry.file_id, entry.file_name, item.open_binary,
                                   entry.reason or "")
        quarantined = str(path) if path else None
    entry.finished_at = datetime.now()
    entry.load_seconds = time.perf_counter() - started
    registry.record(con, entry)
    if on_bytes_total is not None and on_bytes_total[0] is not None:
        on_bytes_total[0](on_bytes_total[1] or 0)
    return FileOutcome(
        file_id=entry.file_id,
        name=entry.file_name,
        source_path=entry.source_path,
        archive_member=entry.archive_member,
        status=entry.status,
        reason=entry.reason,
        warnings=list(entry.warnings),
        size_bytes=entry.size_bytes or 0,
        segments=entry.segment_count or 0,
        records=entry.record_count or 0,
        seconds=entry.load_seconds,
        quarantined_to=quarantined,
        content_sha256=entry.content_sha256,
    )
