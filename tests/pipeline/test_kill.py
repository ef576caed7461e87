"""kill -9 of `denials run` at every stage leaves the published marts whole and from one run, and the
next run completes.

The run is stopped deterministically at each stage by the test-only pause point (DENIALS_PAUSE_AT, see
denials.pause): after the first file is ingested, after the first staging node, after the first check
suite, after the first mart, after the first table copied into the new published file, and with that
file complete just before its rename. While paused, and after the kill, the published file must still
be the previous run's, whole; each run picks up after the previous kill; the last one publishes.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.pipeline.conftest import Published, cli, copy_published, publication, start, wait_for

pytestmark = pytest.mark.slow

STAGES = ("ingest", "staging", "check", "marts", "publish", "swap")


def test_kill_at_every_stage_keeps_the_publication_whole(published: Published, tmp_path: Path) -> None:
    warehouse = copy_published(published, tmp_path)
    before, tables_before = publication(warehouse)
    for stage in STAGES:
        marker = tmp_path / f"paused-{stage}"
        run = start("run", str(published.batch2), "--warehouse", str(warehouse), "--no-docs",
                    gx_root=published.gx_root, env={"DENIALS_PAUSE_AT": f"{stage}:{marker}"})
        try:
            wait_for(marker, run)
            assert publication(warehouse) == (before, tables_before), f"paused in {stage}"
        finally:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate(timeout=60)
        assert run.returncode == -signal.SIGKILL
        assert publication(warehouse) == (before, tables_before), f"killed in {stage}"

    done = cli("run", str(published.batch2), "--warehouse", str(warehouse), "--no-docs",
               gx_root=published.gx_root)
    assert done.returncode == 0, done.stdout + done.stderr
    after, tables_after = publication(warehouse)
    assert after != before
    assert set(tables_after) == set(tables_before)
    assert tables_after["marts.fct_adjudicated_lines"] > tables_before["marts.fct_adjudicated_lines"]
    leftovers = [p.name for p in warehouse.parent.iterdir() if ".publishing-" in p.name]
    assert not leftovers, "the next publish removes the temporary file of a killed one"
