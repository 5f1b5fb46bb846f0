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

UNKNOWN_YEAR = 9999
"""The year time_key gives a time of unknown shape."""


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
    return UNKNOWN_YEAR, 0, 0, text


def _syslog_key(text: str) -> TimeKey | None:
    """The key of a syslog time ("Mar  1 08:20:50", the bulk of most logs) by
    slicing, or None to leave the text to the patterns (same key either way)."""
    if len(text) == 15 and text[3] == " " and text[6] == " " and text[9] == ":":
        day = _DAYS.get(text[:6])
        if day is None:
            if len(_DAYS) >= _KEYS_LIMIT:
                _DAYS.clear()
            day = _DAYS[text[:6]] = _syslog_day(text[:6])
        if day:
            return 0, day[0], day[1], text[7:]
    if len(text) == 14 and _SYSLOG_SHORT.fullmatch(text):
        month = _MONTHS.get(text[:3].lower())  # "Mar 1 08:20:50": line_time's days 1-9
        if month:
            return 0, month, int(text[4]), text[6:]
    return None


_DAYS: dict[str, tuple[int, int] | tuple[()]] = {}
"""_syslog_day() by its text: times are new every second, their days are not."""


def _syslog_day(text: str) -> tuple[int, int] | tuple[()]:
    """(month, day) of "Mar  1" or "Mar 14", or () when it is not such a day."""
    month = _MONTHS.get(text[:3].lower())
    if month and text[4:6].strip().isdigit():
        return month, int(text[4:6])
    return ()


def _clock(clock: str) -> str:
    """Zero-pad the hour, so that 8:05 and 08:05:00 sort alike."""
    return clock.zfill(len(clock) + 1) if clock[1:2] == ":" else clock


_KEYS: dict[str, TimeKey] = {}
_KEYS_LIMIT = 4096


def cached_key(time: str) -> TimeKey:
    """time_key() through a small cache: a log repeats its times, and the
    summary widens two spans (the code's and the whole log's) with each one."""
    key = _KEYS.get(time)
    if key is None:
        if len(_KEYS) >= _KEYS_LIMIT:
            _KEYS.clear()
        key = _KEYS[time] = _syslog_key(time) or time_key(time)
    return key


class _Bucket:
    """Earliest and latest of times whose keys compare with plain tuple order."""

    __slots__ = ("first", "first_key", "last", "last_key")

    def __init__(self, time: str, key: TimeKey) -> None:
        self.first, self.first_key = time, key
        self.last, self.last_key = time, key

    def add(self, time: str, key: TimeKey) -> None:
        """Widen to include `time`; of equal keys the first added stays."""
        if key < self.first_key:
            self.first, self.first_key = time, key
        if key > self.last_key:
            self.last, self.last_key = time, key


class Span:
    """The earliest and latest of the times added (as written in the log).

    Syslog times carry no year (RFC 3164), ISO times do, and a paste often mixes
    both. Each kind is kept apart, where plain key order is right; across kinds
    the month, day and clock decide, and a time of unknown shape never wins over
    a time we could read.
    """

    __slots__ = ("_dated", "_undated", "_unknown")

    def __init__(self) -> None:
        self._dated: _Bucket | None = None
        self._undated: _Bucket | None = None
        self._unknown: _Bucket | None = None

    def add(self, time: str) -> None:
        """Widen the span to include `time`."""
        self.add_keyed(time, cached_key(time))

    def add_keyed(self, time: str, key: TimeKey) -> None:
        """Widen the span to include `time`, whose cached_key() is `key`."""
        year = key[0]
        if year == 0:
            if self._undated is None:
                self._undated = _Bucket(time, key)
            else:
                self._undated.add(time, key)
        elif year != UNKNOWN_YEAR:
            if self._dated is None:
                self._dated = _Bucket(time, key)
            else:
                self._dated.add(time, key)
        elif self._unknown is None:
            self._unknown = _Bucket(time, key)
        else:
            self._unknown.add(time, key)

    def merge(self, other: Span) -> None:
        """Widen the span to include another span."""
        for bucket in (other._dated, other._undated, other._unknown):
            if bucket is not None:
                self.add_keyed(bucket.first, bucket.first_key)
                self.add_keyed(bucket.last, bucket.last_key)

    @property
    def first(self) -> str | None:
        """The earliest time added, as written in the log."""
        dated, undated = self._dated, self._undated
        if dated and undated:
            return min(
                (undated.first_key[1:], undated.first),
                (dated.first_key[1:], dated.first),
            )[1]
        known = dated or undated or self._unknown
        return known.first if known else None

    @property
    def last(self) -> str | None:
        """The latest time added, as written in the log."""
        dated, undated = self._dated, self._undated
        if dated and undated:
            return max(
                (undated.last_key[1:], undated.last),
                (dated.last_key[1:], dated.last),
            )[1]
        known = dated or undated or self._unknown
        return known.last if known else None
