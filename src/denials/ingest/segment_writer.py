"""Append segment blocks to the raw layer from a second thread.

DuckDB releases the GIL while it converts, compresses and writes a block, so the loader can split
and place the next block meanwhile: on two cores the two halves of the work overlap. The queue is
short, so memory stays at a few blocks whatever the file size.
"""

from __future__ import annotations

import queue
import threading
from types import TracebackType

import duckdb
import pyarrow as pa

from denials.quiet import no_progress_bar

APPEND_SEGMENTS = """
insert into raw.x12_segment_rows (
    file_id, segment_position, interchange_seq, group_seq, transaction_seq, segment_code, segment_text,
    loop_code, hl_id, hl_position, claim_seq, line_seq, leading_text, is_terminated
)
select
    $file_id, segment_position, interchange_seq, group_seq, transaction_seq, segment_code, segment_text,
    loop_code, hl_id, hl_position, claim_seq, line_seq, leading_text, is_terminated
from x12_block
"""

_QUEUED_BLOCKS = 2
_STOP = None


class SegmentWriter:
    def __init__(self, con: duckdb.DuckDBPyConnection, file_id: int) -> None:
        # A cursor is a connection of its own to the same database, safe to use from another thread.
        self._cursor = no_progress_bar(con.cursor())
        self._file_id = file_id
        self._blocks: queue.Queue[pa.Table | None] = queue.Queue(maxsize=_QUEUED_BLOCKS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="denials-segment-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._blocks.put(_STOP)
        self._thread.join()
        self._cursor.close()
        if kind is None:
            self._raise_failure()

    def append(self, block: pa.Table) -> None:
        self._raise_failure()
        self._blocks.put(block)

    def wait(self) -> None:
        """Return once every block handed over so far is in the table."""
        self._blocks.join()
        self._raise_failure()

    def _run(self) -> None:
        while True:
            block = self._blocks.get()
            try:
                if block is _STOP:
                    return
                if self._error is None:
                    self._write(block)
            except BaseException as error:  # noqa: BLE001 - handed to the loading thread
                self._error = error
            finally:
                self._blocks.task_done()

    def _write(self, block: pa.Table) -> None:
        self._cursor.register("x12_block", block)
        try:
            self._cursor.execute(APPEND_SEGMENTS, {"file_id": self._file_id})
        finally:
            self._cursor.unregister("x12_block")

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error
