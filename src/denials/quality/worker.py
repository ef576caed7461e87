"""The checks of a scheduled run, in a process of their own that imports Great Expectations while the run
ingests and builds.

Importing Great Expectations and pandas is seconds of Python, and a dbt build is mostly Python too: in one
process the two take turns holding the interpreter, so at a million claims a daily run's staging build
took 11.0 s with the import beside it and 8.8 s without. A second process imports on the other core.

`CheckWorker` starts `python -m denials.quality.worker` and sends it requests over a pipe: run these
suites on this warehouse, then build the Data Docs of every check it ran. The worker opens the warehouse
only while it checks, read-only and then to record the results, as `run_checks` does in the caller's own
process; between requests it holds nothing. It sends each suite's outcome as it finishes, so the caller
sees suites one by one as before, and ends when the caller closes the pipe. On Linux it is killed with
the caller (PR_SET_PDEATHSIG), so a killed run never leaves it reading the warehouse.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from denials.quality.results import CheckReport, SuiteOutcome
from denials.redaction import first_line

_PR_SET_PDEATHSIG = 1
_CLOSE_SECONDS = 10


class CheckWorkerFailed(RuntimeError):
    """The checks' process ended before it answered."""


class CheckWorker:
    """The caller's side: a context that starts the worker on entry and ends it on every way out."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: BinaryIO | None = None
        self._replies: BinaryIO | None = None
        self.checked = False  # some suites ran: there are Data Docs to build
        self.exit_code: int | None = None  # the worker's, once closed (negative: killed by that signal)
        self._asked = False  # a request was sent: the worker has finished importing, or soon will
        # why the pipes can no longer be trusted: an exchange was cut short (Ctrl-C while waiting for a reply
        # leaves the rest of that reply unread), or the worker ended
        self._broken: str | None = None

    def __enter__(self) -> CheckWorker:
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            # Its own session: Ctrl-C at the terminal reaches the run alone, which then ends the worker.
            # PYTHONSAFEPATH (Python 3.11 and later): `-m` would otherwise import first from the folder the
            # run was started in, where a file named like a module (pandas.py) would shadow the real one.
            self._process = subprocess.Popen(
                [sys.executable, "-m", "denials.quality.worker", str(request_read), str(reply_write),
                 str(os.getpid())],
                pass_fds=(request_read, reply_write), stdin=subprocess.DEVNULL, start_new_session=True,
                env={**os.environ, "PYTHONSAFEPATH": "1"})
        except BaseException:
            os.close(request_write)
            os.close(reply_read)
            raise
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._requests = os.fdopen(request_write, "wb")
        self._replies = os.fdopen(reply_read, "rb")
        return self

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def __exit__(self, error_type: type[BaseException] | None, *rest: object) -> None:
        self.close(wait=error_type is None and self._asked and self._broken is None)

    def run_checks(self, warehouse: Path, suites: list[str] | None, run_id: str,
                   after_suite: Callable[[SuiteOutcome], None] | None = None) -> CheckReport:
        """`denials.quality.run_checks(warehouse, suites, build_docs=False, run_id=run_id)` in the worker;
        `after_suite` is called here with each suite's outcome as the worker finishes it."""
        with self._exchange():
            self._send("check", {"warehouse": Path(warehouse), "suites": suites, "run_id": run_id})
            while True:
                kind, payload = self._receive()
                if kind == "suite":
                    self.checked = True
                    if after_suite is not None:
                        after_suite(payload)
                elif kind == "report":
                    self.checked = True
                    return payload
                else:
                    raise self._failure(kind, payload)

    def build_docs(self) -> tuple[Path, list[str]]:
        """The Data Docs of every check this worker ran (`denials.quality.runner.build_run_docs`)."""
        with self._exchange():
            self._send("docs", None)
            kind, payload = self._receive()
            if kind != "docs":
                raise self._failure(kind, payload)
            return payload

    @contextlib.contextmanager
    def _exchange(self) -> Iterator[None]:
        """One request and its replies. Anything but the worker's own error leaving it half-way (Ctrl-C, a
        failed `after_suite`) leaves replies unread, so the pipes are not used again."""
        if self._broken is not None:
            raise CheckWorkerFailed(f"the data-quality checks' process cannot be asked again: {self._broken}")
        try:
            yield
        except _WorkerError as error:
            raise error.original from None
        except BaseException as error:
            if self._broken is None:
                self._broken = f"a request was cut short ({type(error).__name__})"
            raise

    def _failure(self, kind: str, payload: object) -> BaseException:
        if kind == "error" and isinstance(payload, BaseException):
            return _WorkerError(payload)
        self._broken = f"unexpected reply {kind!r}"
        return CheckWorkerFailed(f"the data-quality checks' process sent an unexpected reply ({kind!r})")

    def close(self, wait: bool = True) -> None:
        """End the worker: it exits when its requests end; killed if it does not within seconds, or at once
        when `wait` is false (the run failed or was interrupted, or a request was cut short, and the worker
        may be mid-check; or it was never asked anything and may be mid-import)."""
        if self._process is None:
            return
        process, self._process = self._process, None
        for stream in (self._requests, self._replies):
            if stream is not None:
                with contextlib.suppress(OSError):  # a request the worker never read
                    stream.close()
        try:
            process.wait(timeout=_CLOSE_SECONDS if wait else 0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.exit_code = process.returncode

    def _send(self, kind: str, payload: object) -> None:
        assert self._requests is not None, "CheckWorker used outside its with block"
        self._asked = True
        message = pickle.dumps((kind, payload))  # whole before any byte is written
        try:
            self._requests.write(message)
            self._requests.flush()
        except BrokenPipeError:
            raise self._ended() from None

    def _receive(self) -> tuple[str, Any]:
        assert self._replies is not None, "CheckWorker used outside its with block"
        try:
            return pickle.load(self._replies)
        except (EOFError, pickle.UnpicklingError):  # nothing, or half a reply: the worker died sending it
            raise self._ended() from None

    def _ended(self) -> CheckWorkerFailed:
        self._broken = "it ended"
        code = None
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._process.wait(timeout=_CLOSE_SECONDS)
        return CheckWorkerFailed(f"the data-quality checks' process ended unexpectedly (exit code {code})")


class _WorkerError(Exception):
    """Carries an error the worker raised, to be raised as it is."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when its parent ends; elsewhere the closed pipe ends it, once idle."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request above took effect
        os._exit(1)


def _portable(error: Exception) -> Exception:
    """`error` itself when it survives the pipe, else a RuntimeError with its type and first line; with the
    worker's traceback as a note (shown only where tracebacks are: DENIALS_DEBUG=1)."""
    with contextlib.suppress(Exception):
        error.add_note("in the data-quality checks' process:\n"  # type: ignore[attr-defined]
                       + "".join(traceback.format_tb(error.__traceback__)))
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to round-trip means: send a plain copy
        return RuntimeError(f"{type(error).__name__}: {first_line(error)}")
    return error


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer requests until they end. The import comes first: it is what the caller starts this process
    early for."""

    def send(kind: str, payload: object) -> None:
        replies.write(pickle.dumps((kind, payload)))  # whole before any byte is written
        replies.flush()

    try:
        # the runner first: its project module sets Great Expectations' environment, which GX reads when
        # imported; GX itself the runner imports only when it first checks
        from denials.quality import runner

        importlib.import_module("great_expectations")
    except Exception as error:  # noqa: BLE001 - reported to the caller at its first request
        runner, import_error = None, error
    identifiers: list[Any] = []
    while True:
        try:
            kind, payload = pickle.load(requests)
        except EOFError:
            return
        try:
            if runner is None:
                raise import_error
            if kind == "check":
                report = runner.run_checks(payload["warehouse"], payload["suites"], build_docs=False,
                                           run_id=payload["run_id"], docs_identifiers=identifiers,
                                           after_suite=lambda suite: send("suite", suite))
                send("report", report)
            elif kind == "docs":
                send("docs", runner.build_run_docs(identifiers))
            else:
                raise ValueError(f"unknown request {kind!r}")
        except Exception as error:  # noqa: BLE001 - every failure goes back to the caller, which raises it
            send("error", _portable(error))


def main(argv: list[str]) -> NoReturn:
    request_fd, reply_fd, parent = (int(value) for value in argv[1:4])
    _die_with(parent)
    # the caller decides what an interrupt means, and ends this process as it unwinds
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = os.fdopen(request_fd, "rb"), os.fdopen(reply_fd, "wb")
    try:
        serve(requests, replies)
    except BrokenPipeError:
        os._exit(1)  # the caller has gone: nothing to flush, and no traceback for its terminal
    # Every reply is sent and every check's connection closed. Tearing down the interpreter with Great
    # Expectations and pandas loaded took 0.6 s, which the run spent waiting for this exit.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
