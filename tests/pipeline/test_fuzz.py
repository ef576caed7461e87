"""Fuzz: mutated 835 and 837 files and administrations CSVs, alone and in zips (some of them corrupt), never
crash the ingest.

Every file and archive member gets a registry status, and no message (reason, warning) quotes any
value of the file: only positions, segment ids and counts. The command line shows no traceback.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denials.generate import generate
from denials.ingest import ingest_paths
from tests.ingest.x12_builders import remittance

STATUSES = {"loaded", "rejected", "duplicate", "unsupported"}
CSV = 3  # index of the administrations CSV among the bases
_COUNTER = itertools.count()


@lru_cache(maxsize=1)
def _bases(root: str) -> tuple[bytes, ...]:
    """A small 835 of the builder, a generated 837 and 835 (a few claims each) and administrations CSV."""
    folder = Path(root) / "generated"
    generate(folder, claims=6, seed=5, claims_per_file=6)
    kinds = ("837", "835", "administrations")
    generated = [sorted((folder / kind).iterdir())[0].read_bytes() for kind in kinds]
    return (remittance(3).encode(), *generated)


mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 300)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from([b"~", b"*", b"\n", b"ISA", b"IEA*1*1~",
                                                                  b"\xef\xbb\xbf", b"\x00", b"GS*HP~"])),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 400)),
    st.tuples(st.just("swap"), st.sampled_from([b"*", b"~", b":", b"^"]),
              st.sampled_from([b"|", b"!", b"\n", b"~", b"*", b"\x1d"])),
)


def mutate(data: bytes, operations: list[tuple]) -> bytes:
    for operation, where, what in operations:
        if operation == "swap":
            data = data.replace(where, what, 1 + len(data) % 7)
            continue
        at = int(where * len(data))
        if operation == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([what]) + data[at + 1:]
        elif operation == "delete":
            data = data[:at] + data[at + what:]
        elif operation == "insert":
            data = data[:at] + what + data[at:]
        elif operation == "truncate":
            data = data[:at]
        elif operation == "repeat":
            data = data[:at] + data[at:at + what] + data[at:]
    return data


def zipped(members: list[bytes], damage: list[tuple]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, member in enumerate(members):
            # short names: damage to a name must not leave a word that a message may use ("member")
            archive.writestr(f"m{number}.835", member)
    return mutate(buffer.getvalue(), damage)


def values(data: bytes) -> set[str]:
    """Every value-like token of the file (6+ letters and digits): none may appear in a message."""
    return set(re.findall(r"[A-Za-z0-9]{6,}", data.decode("latin-1")))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(base=st.integers(0, 3), operations=st.lists(mutation, min_size=1, max_size=4),
       archive=st.booleans(), damage=st.lists(mutation, max_size=2))
def test_mutated_files_never_crash_nor_leak(warehouse: Path, tmp_path_factory: pytest.TempPathFactory,
                                            base: int, operations: list, archive: bool, damage: list) -> None:
    bases = _bases(str(tmp_path_factory.getbasetemp()))
    inbox = warehouse.parent / f"inbox{next(_COUNTER)}"
    inbox.mkdir()
    data = mutate(bases[base], operations)
    name = "file.csv" if base == CSV else "file.835"
    if archive:
        other = bases[(base + 1) % CSV]
        content = zipped([data, other], damage)
        (inbox / "batch.zip").write_bytes(content)
        tokens = set() if base == CSV else values(data) | values(other) | values(content)
    else:
        (inbox / name).write_bytes(data)
        # Values of administrations CSVs are the CSV loader's own tests' business (it names rows and
        # columns); here a CSV must only never crash the ingest and always get its registry row.
        tokens = set() if base == CSV else values(data)

    report = ingest_paths([inbox], warehouse)  # must not raise

    assert report.files and {o.status for o in report.files} <= STATUSES
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        registered = con.execute(
            "select archive_member, status, reason, warnings from raw.file_registry where source_path like ?",
            [f"{inbox}/%"]).fetchall()
    finally:
        con.close()
    assert len(registered) == len(report.files), "every file and member has its registry row"
    assert all(status in STATUSES for _, status, _, _ in registered)
    for _, _, reason, warnings in registered:
        for message in [reason or "", *(warnings or [])]:
            leaked = [token for token in tokens if token in message]
            assert not leaked, f"{message!r} quotes {leaked}"
