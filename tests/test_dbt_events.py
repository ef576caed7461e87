"""denials.dbt_events: dbt's events reach every logger and callback that takes them, and only those skip
the building of their message."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from dbt_common.events import event_manager
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager_client import ctx_set_event_manager, get_event_manager
from dbt_common.events.logger import LineFormat, LoggerConfig
from dbt_common.events.types import Note, PrintEvent
from dbt_common.exceptions.events import EventCompilationError

from denials.dbt_events import LeveledEventManager, use_leveled_events


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the events whose log message dbt built."""
    names: list[str] = []
    original = event_manager.msg_from_base_event

    def counting(event, level=None):  # noqa: ANN001, ANN202 - dbt's own signature
        names.append(event.msg)
        return original(event, level=level)

    monkeypatch.setattr(event_manager, "msg_from_base_event", counting)
    return names


def _manager_logging_at(*levels: EventLevel) -> tuple[LeveledEventManager, list[io.StringIO]]:
    manager = LeveledEventManager()
    streams = []
    for number, level in enumerate(levels):
        stream = io.StringIO()
        # each its own Python logger: dbt names them, and loggers of one name share their level
        manager.add_logger(LoggerConfig(name=f"denials-test-{id(manager)}-{number}", level=level,
                                        line_format=LineFormat.PlainText, output_stream=stream))
        streams.append(stream)
    return manager, streams


def test_an_event_below_every_logger_is_not_built(built: list[str]) -> None:
    manager, (file_log, console) = _manager_logging_at(EventLevel.INFO, EventLevel.ERROR)
    manager.fire_event(Note(msg="debug detail"), level=EventLevel.DEBUG)
    manager.fire_event(Note(msg="node finished"), level=EventLevel.INFO)
    assert built == ["node finished"]
    assert "node finished" in file_log.getvalue()
    assert "debug detail" not in file_log.getvalue()
    assert console.getvalue() == ""


def test_a_logger_at_debug_level_gets_debug_events(built: list[str]) -> None:
    manager, (info_log, debug_log) = _manager_logging_at(EventLevel.INFO, EventLevel.DEBUG)
    manager.fire_event(Note(msg="debug detail"), level=EventLevel.DEBUG)
    assert built == ["debug detail"]
    assert "debug detail" in debug_log.getvalue()
    assert "debug detail" not in info_log.getvalue()


def test_a_callback_gets_every_event(built: list[str]) -> None:
    manager, _ = _manager_logging_at(EventLevel.ERROR)
    heard: list[str] = []
    manager.add_callback(lambda message: heard.append(message.data.msg))
    manager.fire_event(Note(msg="debug detail"), level=EventLevel.DEBUG)
    assert heard == ["debug detail"]
    assert built == ["debug detail"]


def test_print_events_reach_a_quiet_console(built: list[str]) -> None:
    """dbt ls, show and compile print through info-level events that dbt's loggers write as errors, so
    that --quiet still shows them."""
    manager, (console,) = _manager_logging_at(EventLevel.ERROR)
    manager.fire_event(PrintEvent(msg="model.denials.fct_claims"))
    assert "model.denials.fct_claims" in console.getvalue()


def test_a_logger_passed_in_is_asked_its_own_level(built: list[str]) -> None:
    """A LoggerConfig may bring its own Python logger, whose level, not the config's, decides."""
    stream = io.StringIO()
    python_logger = logging.getLogger(f"denials-test-own-{id(stream)}")
    python_logger.addHandler(logging.StreamHandler(stream))
    python_logger.setLevel(logging.DEBUG)
    python_logger.propagate = False
    manager = LeveledEventManager()
    manager.add_logger(LoggerConfig(name="own", level=EventLevel.WARN, logger=python_logger))
    manager.fire_event(Note(msg="debug detail"), level=EventLevel.DEBUG)
    assert "debug detail" in stream.getvalue()


def test_every_dbt_invocation_installs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What `transform` runs dbt with: the manager is in place when dbt starts."""
    import dbt.cli.main

    from denials import transform

    seen = []

    class Runner:
        def __init__(self, **_: object) -> None:
            pass

        def invoke(self, args: list[str]) -> object:
            seen.append(get_event_manager())
            raise RuntimeError("stop here")

    previous = get_event_manager()
    ctx_set_event_manager(event_manager.EventManager())
    monkeypatch.setattr(dbt.cli.main, "dbtRunner", Runner)
    try:
        with pytest.raises(RuntimeError, match="stop here"):
            transform.run_dbt(["build"], tmp_path / "warehouse.duckdb")
    finally:
        ctx_set_event_manager(previous)
    assert len(seen) == 1 and isinstance(seen[0], LeveledEventManager)


def test_dbt_warning_tracker_alone_does_not_need_debug_events(built: list[str]) -> None:
    from dbt.tracking import track_behavior_change_warn

    manager, _ = _manager_logging_at(EventLevel.INFO)
    manager.add_callback(track_behavior_change_warn)
    manager.fire_event(Note(msg="debug detail"), level=EventLevel.DEBUG)
    assert built == []


def test_a_warning_nobody_logs_still_fails_a_warn_error_build() -> None:
    manager, _ = _manager_logging_at()
    manager.warn_error = True
    manager.require_warn_or_error_handling = True
    with pytest.raises(EventCompilationError):
        manager.fire_event(Note(msg="deprecated config"), level=EventLevel.WARN)
    with pytest.raises(EventCompilationError):
        manager.fire_event(Note(msg="deprecated config"), level=EventLevel.DEBUG,
                           force_warn_or_error_handling=True)


def test_installed_once_per_process() -> None:
    previous = get_event_manager()
    try:
        use_leveled_events()
        installed = get_event_manager()
        use_leveled_events()
        assert isinstance(installed, LeveledEventManager)
        assert get_event_manager() is installed
    finally:
        ctx_set_event_manager(previous)

