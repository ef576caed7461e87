"""Pause points for tests: stop a run at a named stage so a test can kill it there (kill -9).

Set DENIALS_PAUSE_AT=<stage>:<marker file>. When the run reaches that stage it writes its pid to the
marker file and sleeps until it is killed. Stages: `ingest` (after the first file is committed),
`staging` (after the first staging/intermediate dbt node), `check` (after the first suite of the raw and
staging checks), `marts` (after the first mart is built), `publish` (after the first table is copied
into the new published file), `swap` (the new file is complete, just before it is renamed into place).
Not for production use: nothing sets it but the tests.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_ENV = "DENIALS_PAUSE_AT"


def pauses_at(stage: str) -> bool:
    """True when this run is set to pause at `stage`."""
    return os.environ.get(PAUSE_ENV, "").partition(":")[0] == stage


def pause_point(stage: str) -> None:
    if not pauses_at(stage):
        return
    marker = os.environ[PAUSE_ENV].partition(":")[2]
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    while True:
        time.sleep(1)
