"""ColumnsFormat: CSV/TSV logs with a response-code column."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.logs.formats.columns import ColumnsFormat
from tests.logs.feeding import feed_all

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def _read(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def test_plex_log_keeps_application_codes_as_written() -> None:
    events = feed_all(ColumnsFormat(), _read("plex_email_log.csv"))

    assert [e.code for e in events] == ["0", "0", "9009", "9009", "9998", "1"]
    assert [e.status for e in events] == [
        "sent",
        "sent",
        "failed",
        "failed",
        "failed",
        "sent",
    ]
    assert events[2].recipient_domain == "example.org"
    assert events[2].time == "2024-03-04 08:01:10"
    assert events[2].text == "Could not log in to the SMTP server"
    assert all(e.enhanced is None for e in events)


def test_quoted_field_with_delimiter_does_not_shift_the_code_column() -> None:
    events = feed_all(ColumnsFormat(), _read("plex_email_log.csv"))

    assert events[0].line == 2
    assert events[0].code == "0"
    assert events[0].recipient_domain == "example.net"


def test_tab_separated_smtp_replies_are_split_into_code_and_enhanced() -> None:
    events = feed_all(ColumnsFormat(), _read("smtp_codes.tsv"))

    assert [(e.code, e.enhanced, e.status) for e in events] == [
        ("250", "2.0.0", "sent"),
        ("550", "5.1.1", "rejected"),
        ("421", None, "deferred"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Mar  4 10:00:00 mail postfix/smtp[812]: 4F1A2B3C: to=<j@example.net>, "
        "relay=mx.example.net[198.51.100.7]:25, dsn=2.0.0, status=sent (250 ok code)",
        "Date,Subject,From",
        "error code 550, please retry",
        "2024-03-04,08:00:01,noreply@example.com,0",
    ],
)
def test_claims_no_line_without_a_code_column_header(line: str) -> None:
    assert not ColumnsFormat().claims(line)


def test_row_without_a_code_after_header_is_not_claimed_as_an_event() -> None:
    fmt = ColumnsFormat()
    feed_all(fmt, ["Date,To,Result"])

    assert fmt.feed(2, "a,b,not a code at all") is None
    assert list(fmt.feed(3, "2024-03-04,j@example.net,") or []) == []
