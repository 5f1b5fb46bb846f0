"""Earliest and latest time seen, whatever order the log lines came in.

Logs carry times in several shapes: ISO 8601 (`2024-03-04T08:00:01Z`, Exim's
`1999-03-02 09:44:33`), syslog's year-less `Mar 14 08:20:50` (RFC 3164), and the
odd vendor form. Each is turned into a sortable key; the original text is kept for
display.
"""

from __future__ import annotations

import re

_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ],
        1,
    )
}
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ]?(\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?)?")
_SYSLOG = re.compile(r"([A-Za-z]{3})\s+(\d{1,2})\s+(\d\d:\d\d:\d\d(?:\.\d+)?)")
# What _SYSLOG matches in a 14-character time, the whole of it (ASCII only).
_SYSLOG_SHORT = re.compile(r"[A-Za-z]{3} \d \d\d:\d\d:\d\d", re.ASCII)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s*(\d{1,2}:\d\d(?::\d\d)?)?")

TimeKey = tuple[int, int, int, str]


def time_key(text: str) -> TimeKey:
    """A sortable key for a log time; unknown shapes sort by their text, last."""
    key = _syslog_key(text)
    if key is not None:
        return key
    match = _ISO.search(text)
    if match:
        year, month, day, clock = match.groups()
        return int(year), int(month), int(day), _clock(clock or "")
    match = _SYSLOG.search(text)
    if match and match.group(1).lower() in _MONTHS:
        month_name, day, clock = match.groups()
        return 0, _MONTHS[month_name.lower()], int(day), _clock(clock)
    match = _US_DATE.search(text)
    if match:
        month, day, year, clock = match.groups()
        return int(year), int(month), int(day), _clock(clock or "")
    return 9999, 0, 0, text


def _syslog_key(text: str) -> TimeKey | None:
    """The key of a syslog time ("Mar  1 08:20:50", the bulk of most logs) by
    slicing, or None to leave the text to the patterns (same key either way)."""
    if len(text) == 15 and text[3] == " " and text[6] == " " and text[9] == ":":
        month = _MONTHS.get(text[:3].lower())
        if month and text[4:6].strip().isdigit():
            return 0, month, int(text[4:6]), text[7:]
    if len(text) == 14 and _SYSLOG_SHORT.fullmatch(text):
        month = _MONTHS.get(text[:3].lower())  # "Mar 1 08:20:50": line_time's days 1-9
        if month:
            return 0, month, int(text[4]), text[6:]
    return None


def _clock(clock: str) -> str:
    """Zero-pad the hour, so that 8:05 and 08:05:00 sort alike."""
    return clock.zfill(len(clock) + 1) if clock[1:2] == ":" else clock


_KEYS: dict[str, TimeKey] = {}
_KEYS_LIMIT = 4096
_BEFORE_ALL: TimeKey = (-1, 0, 0, "")
_AFTER_ALL: TimeKey = (1 << 62, 0, 0, "")


def cached_key(time: str) -> TimeKey:
    """time_key() through a small cache: a log repeats its times, and the
    summary widens two spans (the code's and the whole log's) with each one."""
    key = _KEYS.get(time)
    if key is None:
        if len(_KEYS) >= _KEYS_LIMIT:
            _KEYS.clear()
        key = _KEYS[time] = time_key(time)
    return key


class Span:
    """The earliest and latest of the times added (as written in the log)."""

    __slots__ = ("_first_key", "_last_key", "first", "last")

    def __init__(self) -> None:
        self.first: str | None = None
        self.last: str | None = None
        self._first_key = _AFTER_ALL
        self._last_key = _BEFORE_ALL

    def add(self, time: str) -> None:
        """Widen the span to include `time`."""
        self.add_keyed(time, cached_key(time))

    def add_keyed(self, time: str, key: TimeKey) -> None:
        """Widen the span to include `time`, whose cached_key() is `key`.

        Of equal keys the first added stays, for first and last alike.
        """
        if key < self._first_key:
            self.first, self._first_key = time, key
        if key > self._last_key:
            self.last, self._last_key = time, key

    def merge(self, other: Span) -> None:
        """Widen the span to include another span."""
        for time in (other.first, other.last):
            if time is not None:
                self.add(time)
