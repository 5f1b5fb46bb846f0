"""Driving one format by hand, the way the reader does, for format tests."""

from __future__ import annotations

from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.formats.base import LogFormat


def feed_all(fmt: LogFormat, lines: Iterable[str]) -> list[Event]:
    """Offer every line to `fmt` (claims, then feed; open entries first); flush."""
    events: list[Event] = []
    for lineno, line in enumerate(lines, 1):
        if fmt.open:
            found = fmt.feed(lineno, line)
            if found is not None:
                events.extend(found)
                continue
        if fmt.claims(line):
            events.extend(fmt.feed(lineno, line) or ())
    events.extend(fmt.flush())
    return events
