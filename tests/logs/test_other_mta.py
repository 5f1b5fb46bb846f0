"""Courier, ASSP and Oracle Messaging Server lines: one format name per family."""

from __future__ import annotations

import pytest

from bot.logs.formats.base import LogFormat
from bot.logs.formats.other_mta import (
    AsspFormat,
    CourierFormat,
    OracleImsFormat,
)
from bot.logs.reader import Reader, summarize
from bot.logs.source import open_lines
from tests.corpus import corpus_path
from tests.logs.feeding import feed_all

COURIER = (
    "Apr 10 03:47:57 mx courieresmtpd: error,relay=::ffff:192.0.2.4,"
    "from=<ann@example.com>,to=<bob@example.net>: 550 User unknown."
)
ASSP = (
    "Jul-30-16 17:07:25 [Worker_1] [TLS-out] 192.0.2.5 [SMTP Error] "
    "535 5.7.8 Error: authentication failed"
)
ORACLE = (
    '<co ts="2014-06-02T09:54:58.82" pi="0a.0" sc="tcp_local" dr="+" '
    'ac="U" tr="TCP|192.0.2.6|25|198.51.100.7|1234" ap="SMTP" '
    'us="ann@example.com" di="535 5.7.8 Bad username or password (Authentication '
    'failed)."/>'
)
LINES = {"courier": COURIER, "assp": ASSP, "oracle-ims": ORACLE}


@pytest.mark.parametrize(
    ("make", "name"),
    [(CourierFormat, "courier"), (AsspFormat, "assp"), (OracleImsFormat, "oracle-ims")],
)
def test_each_family_claims_only_its_own_lines_under_its_own_name(
    make: type[LogFormat], name: str
) -> None:
    fmt = make()
    assert fmt.name == name
    assert [n for n, line in LINES.items() if fmt.claims(line)] == [name]
    (event,) = feed_all(fmt, [LINES[name]])
    assert event.format == name


@pytest.mark.parametrize("name", LINES)
def test_assp_and_oracle_lines_are_not_reported_as_courier(name: str) -> None:
    # The reader counted ASSP and Oracle lines under the format name "courier".
    summary = summarize([LINES[name]])
    assert summary.formats == {name: 1}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("fail2ban_assp.log", "assp"),
        ("fail2ban_courier-smtp.log", "courier"),
        ("fail2ban_oracleims.log", "oracle-ims"),
    ],
)
def test_corpus_formats_are_counted_under_the_familys_name(name: str, fmt: str) -> None:
    reader = Reader()
    events = list(reader.events(open_lines(corpus_path("plex_and_other", name))))
    assert events and {e.format for e in events} == {fmt}
    assert set(reader.seen) == {fmt}


COURIER_CLIENT = (
    "Apr 10 03:48:00 mx courieresmtp: id=00A1B2C3,from=<ann@example.com>,"
    "addr=<bob@example.net>: 550 5.1.1 User unknown"
)
ORACLE_OUT = ORACLE.replace('dr="+"', 'dr="-"')


@pytest.mark.parametrize(
    ("make", "line", "direction"),
    [
        (CourierFormat, COURIER, "inbound"),
        (CourierFormat, COURIER_CLIENT, "outbound"),
        (AsspFormat, ASSP, "inbound"),
        (OracleImsFormat, ORACLE, "inbound"),
        (OracleImsFormat, ORACLE_OUT, "outbound"),
    ],
    ids=["courier-server", "courier-client", "assp", "oracle-in", "oracle-out"],
)
def test_direction_says_whose_reply_it_is(
    make: type[LogFormat], line: str, direction: str
) -> None:
    # Courier, ASSP and Oracle rejections had no direction, so the verdict gave
    # senders' advice ("clean the list") for the server refusing its callers.
    (event,) = feed_all(make(), [line])

    assert event.direction == direction


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("fail2ban_assp.log", "Your server refused 11 logins (password guessing?)"),
        ("fail2ban_oracleims.log", "Your server refused 3 logins (password guessing?)"),
        (
            "fail2ban_courier-smtp.log",
            "Your server refused 5 incoming messages, all mail for addresses that do"
            " not exist here",
        ),
    ],
)
def test_corpus_refusals_read_as_our_server_at_work(name: str, start: str) -> None:
    summary = summarize(open_lines(corpus_path("plex_and_other", name)))

    assert summary.verdict.startswith(start)
    assert "clean the list" not in summary.verdict
    assert "check authentication and TLS" not in summary.verdict
