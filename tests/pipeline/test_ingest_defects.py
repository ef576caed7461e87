"""Ingest defects a scheduled run meets: mixed delimiters, its own files in the inbox, corrupt zip
members, file modes, unchanged files re-read every run, a full disk."""

from __future__ import annotations

import errno
import os
import stat
import struct
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from denials.ingest import ingest_paths, rebuild_file
from tests.ingest.x12_builders import remittance


def _registry(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select file_name, archive_member, status, reason from raw.file_registry "
                           "order by file_id").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("second", [
    {"element": "|"},
    {"element": "|", "component": "^"},
    {"terminator": "\n"},
    {"element": "!", "terminator": "\n"},
])
@pytest.mark.parametrize("newline", ["", "\n"])
def test_interchanges_with_other_delimiters_load(tmp_path: Path, second: dict, newline: str) -> None:
    text = (remittance(2, "000000001", newline=newline) + remittance(1, "000000002", **second)
            + remittance(1, "000000003", newline=newline))
    path = tmp_path / "mixed.835"
    path.write_text(text)
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([path], warehouse)
    assert [(o.status, o.reason) for o in report.files] == [("loaded", None)]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        interchanges = con.execute("select element_separator, segment_terminator from raw.x12_interchanges "
                                   "order by interchange_seq").fetchall()
        claims = con.execute("select count(*) from raw.x12_segments where segment_id = 'CLP'").fetchone()[0]
        assert rebuild_file(con, report.files[0].file_id).decode() == text
    finally:
        con.close()
    middle = (second.get("element", "*"), second.get("terminator", "~"))
    assert interchanges == [("*", "~"), middle, ("*", "~")]
    assert claims == 4


def test_the_inbox_skips_the_warehouses_own_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "remit.835").write_text(remittance(2))
    warehouse = inbox / "denials.duckdb"
    for name in ("denials.duckdb.lock", "denials.duckdb.wal", "denials.published.duckdb",
                 ".denials.publishing-123.duckdb", "denials.published.duckdb.wal"):
        (inbox / name).write_bytes(b"\0not input\0")
    (inbox / "quarantine").mkdir()
    (inbox / "quarantine" / "000001-old.835").write_text("ISA*broken")
    (inbox / "denials_2026.835").write_text(remittance(1, "000000009"))  # only looks like the warehouse
    first = ingest_paths([inbox], warehouse)
    second = ingest_paths([inbox], warehouse)
    assert sorted((o.name, o.status) for o in first.files) == [("denials_2026.835", "loaded"),
                                                               ("remit.835", "loaded")]
    assert sorted((o.name, o.status) for o in second.files) == [("denials_2026.835", "unchanged"),
                                                                ("remit.835", "unchanged")]
    assert len(_registry(warehouse)) == 2


def test_unchanged_files_are_skipped_without_reading_and_counted(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number in range(4):
        (inbox / f"r{number}.835").write_text(remittance(number + 1, f"00000000{number}"))
    with zipfile.ZipFile(inbox / "batch.zip", "w") as archive:
        archive.writestr("a.835", remittance(2, "000000011"))
    warehouse = tmp_path / "w.duckdb"
    assert ingest_paths([inbox], warehouse).exit_code == 0
    rows = len(_registry(warehouse))

    import denials.ingest.runner as runner

    def must_not_read(*_: object, **__: object) -> None:
        raise AssertionError("an unchanged file was read again")

    with monkeypatch.context() as patch:
        patch.setattr(runner, "sniff", must_not_read)
        patch.setattr(runner, "sniff_head", must_not_read)
        for _ in range(3):
            report = ingest_paths([inbox], warehouse)
            assert {o.status for o in report.files} == {"unchanged"}
    touched = inbox / "r0.835"
    later = time.time_ns() + 10**9
    os.utime(touched, ns=(later, later))  # same content, new time: read once, counted, not registered
    report = ingest_paths([inbox], warehouse)
    assert {o.status for o in report.files} == {"unchanged"}
    assert len(_registry(warehouse)) == rows
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        seen = dict(con.execute("select source_path || '!' || archive_member, times_seen "
                                "from raw.file_sightings").fetchall())
    finally:
        con.close()
    assert seen[f"{touched}!"] == 5 and seen[f"{inbox / 'batch.zip'}!a.835"] == 5
    touched.write_text(remittance(7, "000000077"))  # new content at the same path: a new file
    report = ingest_paths([inbox], warehouse)
    assert sorted(o.status for o in report.files).count("loaded") == 1
    assert len(_registry(warehouse)) == rows + 1


def _corrupt_zip(path: Path, how: str) -> None:
    """Three members; the second is damaged: a flipped data byte (bad CRC) or a local header that lies
    about its size."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("first.835", remittance(1, "000000001"))
        archive.writestr("second.835", remittance(2, "000000002"))
        archive.writestr("third.835", remittance(3, "000000003"))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("second.835")
    offset = member.header_offset
    name_length, extra_length = struct.unpack("<HH", data[offset + 26: offset + 30])
    start = offset + 30 + name_length + extra_length
    if how == "crc":
        data[start + 200] ^= 0x55
    else:
        for header in (offset + 18, offset + 22):  # compressed and uncompressed size in the local header
            data[header:header + 4] = struct.pack("<I", member.file_size - 100)
        central = data.find(b"PK\x01\x02")
        while central >= 0:
            name_at = central + 46
            if data[name_at: name_at + len(b"second.835")] == b"second.835":
                data[central + 20: central + 28] = struct.pack("<II", member.file_size - 100,
                                                               member.file_size - 100)
                break
            central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["crc", "size"])
def test_a_bad_zip_member_is_rejected_and_the_rest_loads(tmp_path: Path, how: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _corrupt_zip(inbox / "a.zip", how)
    (inbox / "b.835").write_text(remittance(4, "000000004"))
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([inbox], warehouse)
    statuses = {(o.name, o.status) for o in report.files}
    assert statuses == {("a.zip", "loaded"), ("first.835", "loaded"), ("second.835", "rejected"),
                        ("third.835", "loaded"), ("b.835", "loaded")}
    reason = next(o.reason for o in report.files if o.name == "second.835")
    assert reason.startswith("archive member cannot be read") and "TESTPATIENT" not in reason
    assert report.exit_code == 1
    assert ingest_paths([inbox], warehouse).exit_code == 0  # every run after it: nothing new, no crash


def test_files_and_folders_are_private(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bad.835").write_text("not x12 at all")
    warehouse = tmp_path / "new" / "denials.duckdb"
    report = ingest_paths([inbox], warehouse)
    assert report.exit_code == 1
    quarantine = warehouse.parent / "quarantine"
    for folder in (warehouse.parent, quarantine):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for path in [warehouse, *quarantine.iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_disk_full_while_quarantining_leaves_no_partial_copy(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import denials.ingest.registry as registry

    def full(source, sink, length=0):  # noqa: ANN001, ANN202 - shutil.copyfileobj's signature
        sink.write(source.read(10))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(registry.shutil, "copyfileobj", full)
    (tmp_path / "bad.835").write_text("not x12 at all " * 100)
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths([tmp_path / "bad.835"], warehouse)
    assert [o.status for o in report.files] == ["rejected"] and report.files[0].quarantined_to is None
    copies = [p.name for p in (tmp_path / "quarantine").iterdir() if not p.name.endswith(".reason.txt")]
    assert copies == [], "no truncated copy may look like the file"
