"""Rich consoles for the command line: full width when the output is a log file, not a terminal."""

from __future__ import annotations

from rich.console import Console

# Wide enough for any table the commands print; rich only uses the width a table needs.
LOG_WIDTH = 1000


def make_console(stderr: bool = False) -> Console:
    """A console that never cuts lines or table cells at 80 columns when stdout is a file or a pipe."""
    console = Console(stderr=stderr)
    if not console.is_terminal:
        console = Console(stderr=stderr, width=LOG_WIDTH)
    return console
