"""Time spans are earliest to latest, whatever order the lines came in."""

from __future__ import annotations

import pytest

from bot.logs.reader import summarize
from bot.logs.source import text_lines
from bot.logs.timespan import Span, cached_key, time_key


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("Feb 22 10:00:00", "Feb 25 09:00:00"),
        ("Feb 25 09:00:00", "Mar  1 00:00:01"),
        ("1999-03-02 09:44:33", "2013-01-04 00:00:00"),
        ("2024-03-04T08:00:01Z", "2024-03-04T18:00:00Z"),
        ("3/4/2024 8:05", "3/4/2024 10:05"),
    ],
)
def test_time_key_orders_each_shape_by_time_not_by_text(earlier, later) -> None:
    assert time_key(earlier) < time_key(later)


def test_span_keeps_earliest_and_latest_when_lines_come_out_of_order() -> None:
    span = Span()
    for time in ("2013-01-04 10:00:00", "1999-03-02 09:44:33", "2005-06-01 12:00:00"):
        span.add(time)
    assert (span.first, span.last) == ("1999-03-02 09:44:33", "2013-01-04 10:00:00")


def test_summary_time_span_does_not_run_backwards_for_a_reordered_log() -> None:
    log = "\n".join(
        [
            "Feb 25 09:00:00 mx postfix/smtp[11]: A1: to=<a@example.net>, "
            "relay=mx.example.net[192.0.2.1]:25, dsn=5.1.1, status=bounced "
            "(host mx.example.net[192.0.2.1] said: 550 5.1.1 no such user)",
            "Feb 22 08:00:00 mx postfix/smtp[12]: A2: to=<b@example.net>, "
            "relay=mx.example.net[192.0.2.1]:25, dsn=5.1.1, status=bounced "
            "(host mx.example.net[192.0.2.1] said: 550 5.1.1 no such user)",
        ]
    )
    summary = summarize(text_lines(log))
    assert (summary.first_seen, summary.last_seen) == (
        "Feb 22 08:00:00",
        "Feb 25 09:00:00",
    )
    assert summary.groups[0].first_seen == "Feb 22 08:00:00"
    assert summary.groups[0].last_seen == "Feb 25 09:00:00"


@pytest.mark.parametrize(
    "text",
    [
        "Mar 1 08:20:50",
        "dec 9 23:59:59",
        "MAR 1 00:00:00",
        "Foo 1 08:20:50",
        "Mar 1 08:20:5x",
        "Mar x 08:20:50",
        "Mar 1 08-20:50",
        "Mar 1 \u0668\u0668:20:50",
        "\u212aar 1 08:20:50",
    ],
)
def test_short_syslog_times_key_as_the_general_patterns_would(text: str) -> None:
    assert time_key(text) == _key_by_patterns(text)


def _key_by_patterns(text: str) -> tuple[int, int, int, str]:
    """time_key without its fast paths: the regular expressions only."""
    from bot.logs import timespan

    match = timespan._ISO.search(text)
    if match:
        year, month, day, clock = match.groups()
        return int(year), int(month), int(day), timespan._clock(clock or "")
    match = timespan._SYSLOG.search(text)
    if match and match.group(1).lower() in timespan._MONTHS:
        name, day, clock = match.groups()
        return 0, timespan._MONTHS[name.lower()], int(day), timespan._clock(clock)
    return 9999, 0, 0, text


def test_span_keeps_the_first_written_of_equal_times() -> None:
    span = Span()
    for time in ("2024-03-04T08:00:01", "2024-03-04 08:00:01", "2024-03-04T08:00:00"):
        span.add(time)
    assert (span.first, span.last) == ("2024-03-04T08:00:00", "2024-03-04T08:00:01")


def test_span_across_syslog_and_iso_times_goes_by_month_day_and_clock() -> None:
    # A paste mixing "Mar 20 09:10:00" with ISO times once ended on the ISO time
    # just because it carried a year.
    span = Span()
    for time in ("Mar 20 09:01:02", "2024-03-20T09:08:02+00:00", "Mar 20 09:10:00"):
        span.add(time)
    assert (span.first, span.last) == ("Mar 20 09:01:02", "Mar 20 09:10:00")


def test_time_of_unknown_shape_never_wins_over_a_readable_one() -> None:
    span = Span()
    for time in ("zzz", "Mar 20 09:01:02", "aaa"):
        span.add(time)
    assert (span.first, span.last) == ("Mar 20 09:01:02", "Mar 20 09:01:02")
    alone = Span()
    alone.add("later today")
    assert alone.first == alone.last == "later today"


def test_merged_spans_keep_each_kind_of_time() -> None:
    left, right = Span(), Span()
    left.add("2024-03-20T09:08:02Z")
    right.add("Mar 20 09:00:00")
    right.add("Mar 20 09:30:00")
    left.merge(right)
    assert (left.first, left.last) == ("Mar 20 09:00:00", "Mar 20 09:30:00")


@pytest.mark.parametrize(
    "text",
    [
        "Mar  1 08:20:50",
        "Mar 14 08:20:50",
        "mar 14 08:20:50",
        "Xyz 14 08:20:50",
        "Mar 1x 08:20:50",
        "Mar  x 08:20:50",
        "Dec 31 23:59:59",
    ],
)
def test_syslog_times_key_as_the_general_patterns_would_also_when_cached(
    text: str,
) -> None:
    expected = _key_by_patterns(text)
    assert time_key(text) == expected
    assert time_key(text) == expected  # the second time its day comes from a cache
    assert cached_key(text) == expected
