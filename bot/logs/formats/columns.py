"""Placeholder for the columns format; being written now."""

from __future__ import annotations

from collections.abc import Iterable

from bot.logs.event import Event


class ColumnsFormat:
    """Minimal stand-in; claims nothing yet."""

    name = "columns"

    @property
    def open(self) -> bool:
        """True while in the middle of a multi-line entry."""
        return False

    def claims(self, line: str) -> bool:
        """Could this line start an entry of this format?"""
        return False

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Consume one line; return its events, or None if not ours."""
        return None

    def flush(self) -> Iterable[Event]:
        """Return events still pending at the end of input."""
        return ()
