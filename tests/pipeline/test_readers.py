"""Readers of the published marts never fail and never see a mix of runs while `denials run` works.

A child process polls the published file every 0.2 s with a fresh read-only connection for the whole
run; another holds one connection open from before the run to after it. Every read must succeed, see
every mart, one publication, and tables whose row counts are the ones that publication recorded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pipeline.conftest import Published, copy_published, publication, start

pytestmark = pytest.mark.slow

POLLER = r"""
import json, sys, time
from pathlib import Path
from denials.publish import connect_published

warehouse, stop, log = Path(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w")
hold = sys.argv[4] == "hold"
held = connect_published(warehouse) if hold else None


def read(con):
    runs = [row[0] for row in con.execute("select run_id from published.publication").fetchall()]
    recorded = con.execute("select schema_name, table_name, row_count from published.tables").fetchall()
    wrong = [f"{s}.{t}" for s, t, n in recorded
             if con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] != n]
    marts = sorted(row[0] for row in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall())
    return {"ok": True, "runs": runs, "wrong": wrong, "marts": marts, "at": time.time()}


while not stop.exists():
    try:
        if hold:
            line = read(held)
        else:
            con = connect_published(warehouse)
            try:
                line = read(con)
            finally:
                con.close()
    except Exception as error:
        line = {"ok": False, "error": f"{type(error).__name__}: {error}", "at": time.time()}
    log.write(json.dumps(line) + "\n")
    log.flush()
    time.sleep(0.2)
"""


def _poller(warehouse: Path, stop: Path, log: Path, mode: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", POLLER, str(warehouse), str(stop), str(log), mode])


def test_readers_never_fail_nor_see_two_runs(published: Published, tmp_path: Path) -> None:
    warehouse = copy_published(published, tmp_path)
    before, _ = publication(warehouse)
    stop = tmp_path / "stop"
    polling, holding = tmp_path / "polling.jsonl", tmp_path / "holding.jsonl"
    readers = [_poller(warehouse, stop, polling, "poll"), _poller(warehouse, stop, holding, "hold")]
    try:
        time.sleep(1.0)
        run = start("run", str(published.batch2), "--warehouse", str(warehouse), "--no-docs",
                    gx_root=published.gx_root)
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, out + err
        time.sleep(1.0)
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
    after, _ = publication(warehouse)
    assert after != before

    reads = [json.loads(line) for line in polling.read_text().splitlines()]
    failures = [read for read in reads if not read["ok"]]
    assert not failures, failures[:3]
    assert len(reads) >= 20, "the poller read too rarely to show anything"
    all_marts = reads[0]["marts"]
    assert len(all_marts) >= 9
    for read in reads:
        assert len(read["runs"]) == 1 and read["runs"][0] in (before, after), read
        assert read["marts"] == all_marts, f"a read saw marts missing: {read}"
        assert not read["wrong"], f"tables not of the publication they sit in: {read}"
    seen = [read["runs"][0] for read in reads]
    assert seen[0] == before and seen[-1] == after
    switch = seen.index(after)
    assert all(run_id == after for run_id in seen[switch:]), "a reader went back to the older run"

    held = [json.loads(line) for line in holding.read_text().splitlines()]
    assert held and all(read["ok"] and read["runs"] == [before] and not read["wrong"] for read in held), \
        "a connection opened before the run keeps reading the run it opened"
