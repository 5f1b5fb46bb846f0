"""What every format module provides, and the helpers they share.

The reader asks each format, in order, whether a line is its own (`claims`,
cheap), and hands the line to the first that says yes (`feed`). A format may
keep state across lines (a CSV header, a JSON document, a bounce message, a
multi-line reply): while `open` is true the reader offers it the next line
first, and `feed` answers `None` when the line is not part of that entry (the
format then closes, and the line goes to the others). `flush` returns what is
still pending at the end of input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from bot.logs.event import Event


class LogFormat(Protocol):
    """One format family's parser. A new instance is made per input."""

    name: str

    @property
    def open(self) -> bool:
        """True while in the middle of a multi-line entry."""
        ...

    def claims(self, line: str) -> bool:
        """Cheaply: could this line start an entry of this format?"""
        ...

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Consume one line; return its events, or None if the line is not ours."""
        ...

    def flush(self) -> Iterable[Event]:
        """Return events still pending at the end of input."""
        ...
