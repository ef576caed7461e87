"""dbt's events, turned into log messages only when a logger or a callback can take them.

dbt builds a protobuf message for every event it fires, debug ones included, with its time, thread and
invocation, and only then offers it to its loggers, whose levels drop most of them: a build logs at info
level to its file and at error level to the terminal (--quiet), so dbt's per-query and per-macro debug
events were built for nothing. At a million claims that was about half a second of a daily run's two
builds, in the Python the build's threads share. The event manager installed here drops an event before
that message is built when no logger would write it and no callback but dbt's own warning tracker listens;
anything else goes the way dbt sends it. dbt_common keeps the manager swappable
(`ctx_set_event_manager`) for embedders like this one.
"""

from __future__ import annotations

import logging
from typing import Any

from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.event_manager_client import ctx_set_event_manager, get_event_manager

try:
    # How dbt's loggers write: each dbt level at a Python logging level, and the "print" events (the output
    # of dbt ls, show and compile) at error level whatever theirs, so that --quiet still shows them.
    from dbt_common.events.logger import PRINT_EVENT_NAMES, _log_level_map
except ImportError:  # a dbt_common that writes otherwise: dbt's own event manager is kept
    PRINT_EVENT_NAMES, _log_level_map = (), None

_NOT_A_LOGGING_LOGGER = object()


def _callbacks_that_read_only_warnings() -> tuple[Any, ...]:
    """dbt's own callbacks that act on warning events alone; any other callback gets every event."""
    try:
        from dbt.tracking import track_behavior_change_warn
    except ImportError:
        return ()
    return (track_behavior_change_warn,)


class LeveledEventManager(EventManager):
    """dbt's EventManager, which skips an event no logger would write when no callback would see it."""

    def __init__(self) -> None:
        super().__init__()
        self._warning_only_callbacks = _callbacks_that_read_only_warnings()

    def fire_event(self, e: Any, level: EventLevel | None = None, node: Any = None,
                   force_warn_or_error_handling: bool = False) -> None:
        if force_warn_or_error_handling or not self._unheard(e, level or e.level_tag()):
            super().fire_event(e, level=level, node=node,
                               force_warn_or_error_handling=force_warn_or_error_handling)

    def _unheard(self, event: Any, level: EventLevel) -> bool:
        """True when no logger writes `event` at `level` and no callback reads it. Warnings, errors and
        print events always go through: dbt may turn a warning into an error (--warn-error)."""
        python_level = None if _log_level_map is None else _log_level_map.get(level)
        if python_level is None or python_level >= logging.WARNING:
            return False
        if type(event).__name__ in PRINT_EVENT_NAMES:
            return False
        if any(callback not in self._warning_only_callbacks for callback in self.callbacks):
            return False
        return not any(_writes(logger, python_level) for logger in self.loggers)


def _writes(logger: Any, python_level: int) -> bool:
    """Whether dbt's `logger` writes a line at `python_level`: its Python logger decides (dbt sets that
    logger's level from the dbt one; one passed in by the caller has its own). A logger of another kind is
    taken to write everything."""
    python_logger = getattr(logger, "_python_logger", _NOT_A_LOGGING_LOGGER)
    if python_logger is _NOT_A_LOGGING_LOGGER:
        return True
    return python_logger is not None and python_logger.isEnabledFor(python_level)


def use_leveled_events() -> None:
    """Install the LeveledEventManager for this process's dbt invocations (each sets its loggers anew),
    unless this dbt_common writes its logs in a way it does not know."""
    if _log_level_map is not None and not isinstance(get_event_manager(), LeveledEventManager):
        ctx_set_event_manager(LeveledEventManager())
