"""Sendmail stat= and reject= lines."""

from __future__ import annotations

from bot.logs.event import Event
from bot.logs.formats.sendmail import SendmailFormat


def events(line: str) -> list[Event]:
    fmt = SendmailFormat()
    assert fmt.claims(line)
    return list(fmt.feed(1, line) or ())


def test_deferred_stat_with_reply_and_day_delay() -> None:
    line = (
        "Apr  3 00:15:40 mta sendmail[12566]: u31FFPtp032300: to=<d@example.com>, "
        "delay=1+00:00:15, xdelay=00:00:15, mailer=esmtp, pri=34527, "
        "relay=[192.0.2.34] "
        "[192.0.2.34], dsn=4.3.5, stat=Deferred: 451 4.3.5 Server configuration problem"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == ("451", "4.3.5", "deferred")
    assert (event.recipient_domain, event.remote_host) == ("example.com", "192.0.2.34")
    assert event.time == "Apr 3 00:15:40"


def test_sent_stat_without_reply_keeps_dsn_and_ignores_message_numbers() -> None:
    line = (
        "Apr  2 00:15:25 mta sendmail[32302]: u31FFPtp032300: to=<s@example.com>, "
        "delay=00:00:00, mailer=esmtp, pri=245938, relay=mx.example.com. [192.0.2.34], "
        "dsn=2.0.0, stat=Sent (ok:  Message 40279894 accepted)"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == (None, "2.0.0", "sent")
    assert event.remote_host == "mx.example.com"


def test_reject_line_from_check_rcpt() -> None:
    line = (
        "Feb 27 15:49:02 mx sm-mta[88377]: s1REn1un088377: ruleset=check_rcpt, "
        "arg1=<nobody@example.com>, relay=host.example.org [192.0.2.74], "
        "reject=550 5.1.1 <nobody@example.com>... User unknown"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == ("550", "5.1.1", "rejected")
    assert event.recipient_domain == "example.com"
    assert event.remote_host == "host.example.org"


def test_temporary_ruleset_reject_is_an_inbound_rejection_not_a_deferral() -> None:
    line = (
        "Feb 24 01:46:44 mx sm-mta[24422]: ruleset=check_relay, arg1=h.example.org, "
        "arg2=192.0.2.82, relay=h.example.org [192.0.2.82], reject=421 4.3.2 "
        "Connection rate limit exceeded."
    )
    [event] = events(line)
    assert (event.code, event.status, event.recipient_domain) == (
        "421",
        "rejected",
        None,
    )
    assert event.direction == "inbound"


def test_user_unknown_line_without_code_gives_nothing() -> None:
    line = (
        "Nov  3 11:35:30 mx sendmail[26254]: rA37ZTSC026250: "
        "<a@example.com>... No such user here"
    )
    assert events(line) == []


def test_reject_lines_are_inbound_and_stat_lines_outbound() -> None:
    reject = (
        "Feb 24 01:46:44 mx sm-mta[24422]: x1: ruleset=check_rcpt, "
        "arg1=<ann@example.com>, relay=h.example.org [192.0.2.82], "
        "reject=550 5.7.1 <ann@example.com>... Rejected: listed at bl.example.org"
    )
    stat = (
        "Feb 24 01:46:45 mx sm-mta[24423]: x2: to=<bob@example.org>, delay=00:00:01, "
        "mailer=esmtp, relay=mx.example.org. [192.0.2.10], dsn=5.1.1, "
        "stat=User unknown"
    )

    assert [e.direction for e in events(reject)] == ["inbound"]
    assert [e.direction for e in events(stat)] == ["outbound"]
