"""Exim main log: delivery markers, quoted replies, and no double counting."""

from __future__ import annotations

from bot.logs.event import Event
from bot.logs.formats.exim import EximFormat
from bot.logs.reader import read_events

BOUNCE = (
    "2024-03-02 09:44:33 1rAbCd-000123-Ab ** jo@example.net R=dnslookup T=remote_smtp "
    "H=mx.example.net [198.51.100.7] : SMTP error from remote mail server after RCPT "
    "TO:<jo@example.net>: 550 5.1.1 <jo@example.net>: Recipient address rejected"
)


def events(line: str) -> list[Event]:
    fmt = EximFormat()
    assert fmt.claims(line)
    return list(fmt.feed(1, line) or ())


def test_bounce_line_gives_code_enhanced_host_and_domain() -> None:
    [event] = events(BOUNCE)
    assert (event.code, event.enhanced, event.status) == ("550", "5.1.1", "bounced")
    assert event.remote_host == "mx.example.net"
    assert event.recipient_domain == "example.net"
    assert event.time == "2024-03-02 09:44:33"


def test_deferral_and_delivery_confirmation() -> None:
    defer = (
        "2024-03-02 09:44:33 1rAbCd-000123-Ab == b@example.org R=client T=smtp defer "
        "(-44) H=mx.example.org [203.0.113.9]: SMTP error from "
        "remote mail server after "
        "RCPT TO:<b@example.org>: 451 Temp error"
    )
    sent = (
        "2024-03-02 09:44:33 1rAbCd-000123-Ab => a@example.org R=client T=smtp "
        'H=mx.example.org [203.0.113.9] C="250 2.0.0 OK id=1rAbCe-000124-Cd"'
    )
    [deferred] = events(defer)
    [delivered] = events(sent)
    assert (deferred.code, deferred.status) == ("451", "deferred")
    assert (delivered.code, delivered.enhanced, delivered.status) == (
        "250",
        "2.0.0",
        "sent",
    )


def test_host_line_and_recipient_line_count_once() -> None:
    lines = [
        "1999-03-02 09:44:33 10HmaZ-000000005vi-0000 H=127.0.0.1 "
        "[127.0.0.1]: SMTP error "
        "from remote mail server after MAIL FROM:<>: 450 not right now",
        "1999-03-02 09:44:33 10HmaZ-000000005vi-0000 == "
        "u@example.com R=all T=smtp defer "
        "(-45) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after MAIL "
        "FROM:<>: 450 not right now",
    ]
    found = list(read_events(lines))
    assert [(e.code, e.line) for e in found] == [("450", 2)]


def test_retry_time_not_reached_and_defer_numbers_are_not_codes() -> None:
    line = (
        "1999-03-02 09:44:33 10HmbA-000000005vi-0000 == u@example.com routing defer "
        "(-52): retry time not reached"
    )
    assert events(line) == []


def test_malformed_enhanced_code_is_not_taken() -> None:
    line = (
        "1999-03-02 09:44:33 10HmaX-0005vi-00 == u@example.com R=r1 "
        "T=smtp defer (-44): "
        "SMTP error from remote mail server after RCPT TO:<u@example.com>: 499 "
        "4.1234.343 odd"
    )
    [event] = events(line)
    assert (event.code, event.enhanced) == ("499", None)


def test_lmtp_multiline_error_keeps_the_last_line() -> None:
    line = (
        "1999-03-02 09:44:33 10HmbC-000000005vi-0000 ** x@example.com R=smartuser "
        "T=lmtp H=127.0.0.1 [127.0.0.1] : LMTP error after DATA: 550-I don't like this "
        "user\\n550 Bad user"
    )
    [event] = events(line)
    assert (event.code, event.text) == ("550", "Bad user")


def test_authenticator_failure_and_syslog_prefix() -> None:
    line = (
        "mail.example.com exim[3751842]: 2021-07-17 23:20:49 plain_server "
        "authenticator failed for ([192.0.2.17]) [192.0.2.27]: 535 Incorrect "
        "authentication data"
    )
    [event] = events(line)
    assert (event.code, event.status, event.time) == (
        "535",
        "failed",
        "2021-07-17 23:20:49",
    )


def test_rejected_rcpt_without_code_is_understood_but_gives_no_event() -> None:
    line = (
        "2013-06-15 16:36:49 H=mx.example.org [192.0.2.116] F=<a@example.org> "
        "rejected RCPT <b@example.com>: Unknown user"
    )
    assert events(line) == []


def test_acl_rejections_and_failed_logins_are_inbound_deliveries_outbound() -> None:
    rejected = (
        "2024-03-01 10:00:00 H=(client.example.net) [192.0.2.44] F=<x@example.net> "
        "rejected RCPT <ann@example.com>: 450 4.7.1 Greylisted, try later"
    )
    login = (
        "2024-03-01 10:00:01 dovecot_login authenticator failed for (User) "
        "[192.0.2.45]: 535 Incorrect authentication data"
    )
    bounce = (
        "2024-03-01 10:00:02 1rABCD-000123-AB ** bob@example.org R=dnslookup "
        "T=remote_smtp H=mx.example.org [192.0.2.10]: SMTP error from remote mail "
        "server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown"
    )

    got = [
        (e.status, e.direction)
        for line in (rejected, login, bounce)
        for e in events(line)
    ]

    assert got == [
        ("rejected", "inbound"),
        ("failed", "inbound"),
        ("bounced", "outbound"),
    ]
