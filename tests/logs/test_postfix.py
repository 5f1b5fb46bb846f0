"""Postfix lines: one event per reply, the right code, status and places."""

from __future__ import annotations

import pytest

from bot.logs.event import Event
from bot.logs.formats.postfix import PostfixFormat
from bot.logs.reader import read_events
from tests.corpus import corpus_path


def events(line: str) -> list[Event]:
    fmt = PostfixFormat()
    assert fmt.claims(line)
    return list(fmt.feed(1, line) or ())


def test_bounced_status_with_said_and_dsn_is_one_event() -> None:
    line = (
        "Mar 22 08:03:01 mx postfix/smtp[12370]: 4E7461: to=<jo@example.net>, "
        "relay=mx.example.net[198.51.100.2]:25, delay=1.9, delays=0.05/0/1.1/0.71, "
        "dsn=5.1.1, status=bounced (host mx.example.net[198.51.100.2] said: 550 5.1.1 "
        "<jo@example.net>: Recipient address rejected: User unknown (in reply to RCPT "
        "TO command))"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == ("550", "5.1.1", "bounced")
    assert event.recipient_domain == "example.net"
    assert event.remote_host == "mx.example.net"
    assert event.time == "Mar 22 08:03:01"
    assert event.text.endswith("User unknown")


def test_sent_without_said_reads_the_reply_in_parentheses() -> None:
    line = (
        "2024-03-22T08:00:03.000+00:00 mx postfix/smtp[1]: ABC: to=<a@example.com>, "
        "relay=mx.example.com[192.0.2.1]:25, delay=1.5, delays=0.1/0.2/0.3/0.9, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 153053D)"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == ("250", "2.0.0", "sent")
    assert event.time == "2024-03-22T08:00:03.000+00:00"


def test_status_without_reply_keeps_the_dsn_as_enhanced_code() -> None:
    line = (
        "892A0205B6: to=ghost@localhost, relay=local, delay=0.05, "
        'delays=0.02/0/0/0.02, dsn=5.1.1, status=bounced (unknown user: "ghost")'
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.key) == (None, "5.1.1", "5.1.1")
    assert event.remote_host is None


def test_folded_gmail_reply_is_one_event_with_clean_text() -> None:
    line = (
        "4E7: to=<r@example.com>, relay=gmail-smtp-in.l.example.com[192.0.2.5]:25, "
        "delay=1.9, delays=0.05/0/1.1/0.71, dsn=5.7.1, status=bounced (host "
        "gmail-smtp-in.l.example.com[192.0.2.5] said: 550-5.7.1 [192.0.2.9 12] Our "
        "system has detected 550-5.7.1 that this message is 550 5.7.1 likely spam. "
        "a1si2.211 - gsmtp (in reply to end of DATA command))"
    )
    [event] = events(line)
    assert (event.code, event.enhanced) == ("550", "5.7.1")
    assert "550-5.7.1" not in event.text
    assert "211" not in (event.code or "")


def test_noqueue_reject_reads_client_and_recipient() -> None:
    line = (
        "Jul 12 07:47:48 mx postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
        "client.example.org[203.0.113.4]: 554 5.7.1 <u@example.com>: Relay access "
        "denied; from=<s@example.org> to=<u@example.com> proto=SMTP helo=<x>"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == ("554", "5.7.1", "rejected")
    assert event.recipient_domain == "example.com"
    assert event.remote_host == "client.example.org"
    assert event.text.startswith("<u@example.com>: Relay access denied")


def test_postscreen_reject_with_commas_in_envelope() -> None:
    line = (
        "NOQUEUE: reject: RCPT from [192.0.2.184]:2413: 550 5.7.1 Service "
        "unavailable; client [192.0.2.184] blocked using zen.example.org; "
        "from=<a@example.org>, to=<b@example.com>, proto=SMTP, helo=<x>"
    )
    [event] = events(line)
    assert event.code == "550"
    assert event.recipient_domain == "example.com"
    assert event.remote_host == "192.0.2.184"


def test_cleanup_milter_reject_with_only_an_enhanced_code() -> None:
    line = (
        "4104E3D: milter-reject: END-OF-MESSAGE from h.example.org[192.0.2.86]: "
        "5.7.1 Blocked by SpamAssassin; from=<a@example.org> to=<b@example.com> "
        "proto=ESMTP helo=<x>"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == (None, "5.7.1", "rejected")


def test_reject_warning_is_info_not_a_rejection() -> None:
    line = (
        "NOQUEUE: reject_warning: RCPT from h.example.com[192.0.2.3]: 553 5.7.1 "
        "<s@example.com>: Sender address rejected: not owned; from=<s@example.com> "
        "to=<r@example.com> proto=ESMTP helo=<h>"
    )
    [event] = events(line)
    assert (event.code, event.status) == ("553", "info")


def test_proxy_accept_counts_the_final_reply_once() -> None:
    line = (
        "proxy-accept: END-OF-MESSAGE: 250 2.0.0 from MTA(smtp:[127.0.0.1]:10013): "
        "250 2.0.0 Ok: queued as DF66E; from=<a@example.com> to=<b@example.net> "
        "proto=ESMTP helo=<[127.0.0.1]>"
    )
    [event] = events(line)
    assert (event.code, event.status, event.recipient_domain) == (
        "250",
        "accepted",
        "example.net",
    )


def test_standalone_host_said_and_sasl_failure() -> None:
    said = (
        "ED59C3D: host mail2.example.com[192.0.2.23] said: 450 4.7.1 <u@example.com>: "
        "Recipient address rejected: Greylisted (in reply to RCPT TO command)"
    )
    [event] = events(said)
    assert (event.code, event.status, event.remote_host) == (
        "450",
        "deferred",
        "mail2.example.com",
    )
    sasl = (
        "D0F2: SASL authentication failed; server smtp.example.com[192.0.2.4] said: "
        "535 5.7.8 Error: authentication failed"
    )
    [event] = events(sasl)
    assert (event.code, event.status, event.remote_host) == (
        "535",
        "failed",
        "smtp.example.com",
    )


@pytest.mark.parametrize(
    "line",
    [
        "Mar 22 08:00:01 mx postfix/smtpd[12345]: connect from "
        "a.example.com[192.0.2.1]",
        "Mar 22 08:00:04 mx postfix/qmgr[12347]: ABCDE: from=<a@example.com>, "
        "size=1234, nrcpt=1 (queue active)",
        "585BC3F: from=<>, status=expired, returned to sender",
        "Jan 1 00:00:00 h postfix/smtp[1]: 1A: to=<u@example.com>, relay=x[192.0.2.1]"
        ":25, delay=2, delays=2/2/2/2, dsn=1.2.3, status=deferred (host x said: 12 "
        "Malformed (in reply to RCPT TO command))",
        "Jan 1 00:00:00 h postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.1]: "
        "123 1.2.3 Reasons; from=<a@example.com> to=<b@example.com> proto=ESMTP",
        "warning: Message delivery request rate limit exceeded: 334 from "
        "h.example.com[192.0.2.7] for service submission",
    ],
)
def test_lines_without_a_real_reply_give_no_event(line: str) -> None:
    fmt = PostfixFormat()
    assert list(fmt.feed(1, line) or ()) == []


def test_placeholder_dsn_does_not_replace_a_real_enhanced_code() -> None:
    line = (
        "Jan 1 00:00:00 h postfix/lmtp[1]: 1A: to=<u@example.com>, relay=x[y], "
        "delay=0.1, delays=0.1/0.1/0.1/0.1, dsn=1.2.3, status=sent (250 2.0.0 Ok)"
    )
    [event] = events(line)
    assert (event.code, event.enhanced) == ("250", "2.0.0")


def test_glued_enhanced_code_still_parses() -> None:
    line = (
        "1A: to=<u@example.com>, relay=x[192.0.2.1]:25, dsn=2.0.0, "
        "status=sent (250 2.0.0OK id=1)"
    )
    [event] = events(line)
    assert (event.code, event.enhanced) == ("250", "2.0.0")


def test_smtpd_and_postscreen_rejects_are_inbound_and_deliveries_outbound() -> None:
    smtpd = (
        "Mar  1 10:00:00 mx postfix/smtpd[12]: NOQUEUE: reject: RCPT from "
        "unknown[192.0.2.44]: 554 5.7.1 Service unavailable; Client host "
        "[192.0.2.44] blocked using zen.spamhaus.org; from=<x@example.net> "
        "to=<ann@example.com> proto=ESMTP helo=<client.example.net>"
    )
    postscreen = (
        "Mar  1 10:00:01 mx postfix/postscreen[13]: NOQUEUE: reject: RCPT from "
        "[192.0.2.45]:41234: 450 4.3.2 Service currently unavailable; "
        "from=<x@example.net>, to=<ann@example.com>, proto=ESMTP, helo=<h>"
    )
    bounced = (
        "Mar  1 10:00:02 mx postfix/smtp[14]: 4A1B2C3D: to=<bob@example.org>, "
        "relay=mx.example.org[192.0.2.10]:25, dsn=5.1.1, status=bounced (host "
        "mx.example.org[192.0.2.10] said: 550 5.1.1 User unknown (in reply to "
        "RCPT TO command))"
    )
    said = (
        "Mar  1 10:00:03 mx postfix/smtp[14]: 4A1B2C3D: host mx.example.org"
        "[192.0.2.10] said: 451 4.3.0 Try again (in reply to MAIL FROM command)"
    )

    found = [
        (e.status, e.direction) for line in (smtpd, postscreen) for e in events(line)
    ]
    sent = [(e.status, e.direction) for line in (bounced, said) for e in events(line)]

    assert found == [("rejected", "inbound"), ("rejected", "inbound")]
    assert sent == [("bounced", "outbound"), ("deferred", "outbound")]


def test_helo_host_not_found_reject_is_soft_and_not_an_unknown_domain() -> None:
    line = (
        "Jun 12 08:58:35 mx postfix/smtpd[2931]: NOQUEUE: reject: RCPT from "
        "unknown[192.0.2.7]: 450 4.7.1 <client.example.net>: Helo command "
        "rejected: Host not found; from=<a@example.net> to=<b@example.com> "
        "proto=SMTP helo=<client.example.net>"
    )

    [event] = read_events([line])

    assert (event.reason, event.hard, event.direction) == ("blocked", False, "inbound")


@pytest.mark.parametrize(
    "name",
    [
        "fail2ban_postfix.log",
        "pflogsumm-go_sample.log",
        "pflogsumm-go_rfc3339.log",
        "sergeymakinen_postfix_exporter_testdata_mail.log",
        "whyscream_grok_tests_data_only.log",
        "youyo_test-iso8601.log",
    ],
)
def test_scan_takes_exactly_the_certain_lines_and_finds_what_feed_finds(
    name: str,
) -> None:
    lines = corpus_path("postfix", name).read_text(errors="replace").splitlines()
    fmt = PostfixFormat()
    for line in [*lines, "postfix/x[1]: no reply here", "Mar 1 mx postfix/smtp: x"]:
        certain = fmt.certain(line)
        taken, found = fmt.scan([line, "not a postfix line"], 0, 7)
        assert taken == (1 if certain else 0)
        assert found == (list(fmt.feed(7, line)) if certain else [])


def test_scan_numbers_events_from_the_line_it_starts_at() -> None:
    quiet = "Mar  1 10:00:00 mx postfix/qmgr[2]: 1A2B3C: removed"
    reply = (
        "Mar  1 10:00:01 mx postfix/smtp[3]: 1A2B3C: to=<a@example.net>, "
        "relay=mx.example.net[198.51.100.1]:25, dsn=2.0.0, status=sent (250 2.0.0 Ok)"
    )
    taken, found = PostfixFormat().scan(["x", quiet, reply, quiet, "y"], 1, 11)
    assert taken == 4
    assert [(e.line, e.code) for e in found] == [(12, "250")]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("sent", "sent"),
        ("sent,", "sent"),
        ("sentinel", None),
        ("deferred", "deferred"),
        ("SOFTBOUNCE", "deferred"),
    ],
)
def test_status_word_is_read_whole_before_the_reply(
    word: str, status: str | None
) -> None:
    line = (
        "Mar 22 08:03:01 mx postfix/smtp[12370]: 4E7461: to=<jo@example.net>, "
        f"relay=mx.example.net[198.51.100.2]:25, dsn=2.0.0, status={word} "
        "(250 2.0.0 Ok: queued as 9BFFEEDECB)"
    )
    found = events(line)
    assert [event.status for event in found] == ([status] if status else [])
    for event in found:
        assert (event.code, event.enhanced) == ("250", "2.0.0")
        assert event.text == "Ok: queued as 9BFFEEDECB"
        assert event.remote_host == "mx.example.net"
