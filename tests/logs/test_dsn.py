"""DsnFormat: RFC 3464 reports, vendor bounce texts, MIME encodings, excerpts."""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

import pytest

from bot.logs.event import Event
from bot.logs.formats.dsn import MAX_MESSAGE_BYTES, DsnFormat
from bot.logs.reader import read_events
from bot.logs.source import open_lines
from tests.logs.feeding import feed_all

REPORT = """\
Return-Path: <>
Received: from mail.example.com (mail.example.com [192.0.2.5])
\tby mx.example.com (Postfix) with ESMTP id 4F1A2B3C
Date: Mon, 4 Mar 2024 10:00:00 +0000
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: alice@example.com
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="B0UND.1/mail.example.com"

--B0UND.1/mail.example.com
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.com.

<jane@example.net>: host mx.example.net[198.51.100.7] said: 550 5.1.1
    <jane@example.net>: Recipient address rejected: User unknown (in reply to
    RCPT TO command)

--B0UND.1/mail.example.com
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com
Arrival-Date: Mon, 4 Mar 2024 09:59:58 +0000

Final-Recipient: rfc822; jane@example.net
Original-Recipient: rfc822;jane@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 550 5.1.1 <jane@example.net>: Recipient address
    rejected: User unknown

--B0UND.1/mail.example.com
Content-Type: message/rfc822

From: alice@example.com
To: jane@example.net
Subject: hello

A body that quotes 554 5.7.1 and must not count.
--B0UND.1/mail.example.com--
"""


def _message(body: str, *, encoding: str = "7bit", extra: str = "") -> str:
    return (
        "Return-Path: <>\n"
        "From: Mail Delivery Subsystem <mailer-daemon@example.org>\n"
        "To: alice@example.com\n"
        "Subject: Delivery Status Notification (Failure)\n"
        "MIME-Version: 1.0\n"
        f"{extra}"
        "Content-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: {encoding}\n"
        "\n"
        f"{body}"
    )


def test_report_with_status_and_diagnostic_is_one_event_with_both_codes() -> None:
    events = feed_all(DsnFormat(), REPORT.splitlines())

    assert len(events) == 1
    event = events[0]
    assert (event.code, event.enhanced) == ("550", "5.1.1")
    assert event.status == "bounced"
    assert event.recipient_domain == "example.net"
    assert event.remote_host == "mx.example.net"
    assert event.format == "bounce"
    assert "User unknown" in event.text


def test_report_event_points_at_the_line_with_the_reply_and_masks_it() -> None:
    lines = REPORT.splitlines()
    event = feed_all(DsnFormat(), lines)[0]

    assert "550 5.1.1" in lines[event.line - 1]
    assert "jane@" not in event.example
    assert "550" in event.example


def test_report_ends_at_its_closing_boundary_and_leaves_the_next_line() -> None:
    fmt = DsnFormat()
    lines = REPORT.splitlines()
    events = feed_all(fmt, lines)

    assert not fmt.open
    assert len(events) == 1
    assert fmt.feed(len(lines) + 1, "Mar  4 10:00:00 mx postfix/smtp[1]: x") is None


def test_two_recipient_blocks_give_two_events() -> None:
    text = REPORT.replace(
        "\n--B0UND.1/mail.example.com\nContent-Type: message/rfc822",
        "Final-Recipient: rfc822; bob@example.org\nAction: delayed\nStatus: 4.2.2\n"
        "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n"
        "\n--B0UND.1/mail.example.com\nContent-Type: message/rfc822",
    )
    events = feed_all(DsnFormat(), text.splitlines())

    found = {(e.recipient_domain, e.code, e.enhanced, e.status) for e in events}
    assert found == {
        ("example.net", "550", "5.1.1", "bounced"),
        ("example.org", "452", "4.2.2", "deferred"),
    }


def test_vendor_text_in_base64_body_is_decoded() -> None:
    text = (
        "<jane@example.net>: host mx.example.net[198.51.100.7] said: 552 5.2.2\n"
        "    Mailbox full (in reply to RCPT TO command)\n"
    )
    body = base64.encodebytes(text.encode()).decode()
    events = feed_all(DsnFormat(), _message(body, encoding="base64").splitlines())

    assert [(e.code, e.enhanced) for e in events] == [("552", "5.2.2")]
    assert events[0].recipient_domain == "example.net"


def test_gmail_text_in_quoted_printable_body_is_decoded() -> None:
    text = (
        "Delivery to the following recipient failed permanently:\n\n"
        "     jane@example.net\n\n"
        "Technical details of permanent failure:\n"
        "Google tried to deliver your message, but it was rejected by the server "
        "for the recipient domain example.net by mx.example.net. [198.51.100.7].\n\n"
        "The error that the other server returned was:\n"
        "550 5.1.1 <jane@example.net>: Recipient address rejected: User unknown\n"
    )
    body = quopri.encodestring(text.encode()).decode()
    lines = _message(body, encoding="quoted-printable").splitlines()
    events = feed_all(DsnFormat(), lines)

    assert [(e.code, e.enhanced) for e in events] == [("550", "5.1.1")]


@pytest.mark.parametrize(
    ("excerpt", "code", "enhanced"),
    [
        (
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:"
            "\n\n  jane@example.net\n"
            "    host mx.example.net [198.51.100.7]\n"
            "    SMTP error from remote mail server after RCPT TO:<jane@example.net>:\n"
            "    550 5.1.1 No such user here\n",
            "550",
            "5.1.1",
        ),
        (
            "Delivery has failed to these recipients or groups:\n\n"
            "jane@example.net\n"
            "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
            "Recipient not found by SMTP address lookup'\n",
            "550",
            "5.1.10",
        ),
        (
            "Hi. This is the qmail-send program at mail.example.com.\n"
            "I'm afraid I wasn't able to deliver your message to the following "
            "addresses.\n\n<jane@example.net>:\n"
            "198.51.100.7 does not like recipient.\n"
            "Remote host said: 550 5.7.1 Relaying denied\n"
            "Giving up on 198.51.100.7.\n",
            "550",
            "5.7.1",
        ),
        (
            "   ----- Transcript of session follows -----\n"
            "... while talking to mx.example.net.:\n"
            ">>> RCPT To:<jane@example.net>\n"
            "<<< 550 5.1.1 <jane@example.net>... User unknown\n"
            "550 5.1.1 <jane@example.net>... User unknown\n",
            "550",
            "5.1.1",
        ),
        (
            "Final-Recipient: rfc822; jane@example.net\n"
            "Action: failed\n"
            "Status: 5.7.26\n"
            "Diagnostic-Code: smtp; 550-5.7.26 This mail is unauthenticated, which\n"
            " poses a security risk 550 5.7.26 to the sender and Gmail users\n",
            "550",
            "5.7.26",
        ),
    ],
    ids=["exim", "exchange", "qmail", "sendmail", "dsn-fields"],
)
def test_pasted_vendor_excerpt_gives_one_event(
    excerpt: str, code: str, enhanced: str
) -> None:
    events = feed_all(DsnFormat(), excerpt.splitlines())

    assert [(e.code, e.enhanced) for e in events] == [(code, enhanced)]
    assert events[0].recipient_domain == "example.net"


def test_pasted_excerpt_ends_at_a_syslog_line_which_stays_for_others() -> None:
    fmt = DsnFormat()
    assert fmt.claims("This is the mail system at host mail.example.com.")
    fmt.feed(1, "This is the mail system at host mail.example.com.")
    fmt.feed(2, "<jane@example.net>: host mx.example.net[198.51.100.7] said: 550")
    fmt.feed(3, "    5.1.1 User unknown (in reply to RCPT TO command)")

    syslog = "Mar  4 10:00:00 mail postfix/smtp[812]: 4F1A2B3C: to=<b@example.org>"
    assert fmt.feed(4, syslog) is None
    assert not fmt.open
    events = list(fmt.flush())
    assert [(e.code, e.enhanced, e.line) for e in events] == [("550", "5.1.1", 1)]


def test_mbox_with_two_bounces_gives_an_event_for_each() -> None:
    first = "From MAILER-DAEMON Mon Mar  4 10:00:00 2024\n" + REPORT
    second = "From MAILER-DAEMON Mon Mar  4 11:00:00 2024\n" + _message(
        "<bob@example.org>: host mx.example.org[203.0.113.9] said: 452 4.2.2\n"
        "    Mailbox full\n"
    )
    events = feed_all(DsnFormat(), (first + second).splitlines())

    assert [(e.code, e.recipient_domain) for e in events] == [
        ("550", "example.net"),
        ("452", "example.org"),
    ]


def test_message_larger_than_the_buffer_is_cut_and_still_read() -> None:
    filler = ["x" * 1000] * (MAX_MESSAGE_BYTES // 1000 + 500)
    lines = _message("Remote host said: 550 5.1.1 No such user\n").splitlines()
    events = feed_all(DsnFormat(), [*lines, *filler])

    assert [(e.code, e.enhanced) for e in events] == [("550", "5.1.1")]


def test_report_without_reply_code_keeps_only_the_status() -> None:
    text = "Final-Recipient: rfc822; jane@example.net\nAction: failed\nStatus: 5.1.1\n"
    events = feed_all(DsnFormat(), text.splitlines())

    assert [(e.code, e.enhanced, e.status) for e in events] == [
        (None, "5.1.1", "bounced")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Mar  4 10:00:00 mail postfix/smtp[812]: 4F1A2B3C: to=<j@example.net>, "
        "relay=mx.example.net[198.51.100.7]:25, dsn=5.1.1, status=bounced "
        "(host mx.example.net[198.51.100.7] said: 550 5.1.1 unknown)",
        "2024-03-04 10:00:00 1rXyZ-000abc-12 ** j@example.net R=dnslookup: "
        "SMTP error from remote mail server after RCPT TO:<j@example.net>: 550",
        '{"event": "bounce"}',
        "",
    ],
)
def test_claims_no_ordinary_log_line(line: str) -> None:
    assert not DsnFormat().claims(line)


def test_single_pasted_postfix_bounce_line_is_claimed_and_read() -> None:
    line = (
        "<jane@example.net>: host mx.example.net[198.51.100.7] said: 550 5.1.1 "
        "<jane@example.net>: Recipient address rejected: User unknown (in reply "
        "to RCPT TO command)"
    )
    events = feed_all(DsnFormat(), [line])

    assert [(e.code, e.enhanced, e.remote_host) for e in events] == [
        ("550", "5.1.1", "mx.example.net")
    ]


# --- faults found measuring against the Sisimai corpus (fixtures of our own) -----

BOUNCES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"


def _read(name: str) -> list[Event]:
    """Every enriched event of one fixture bounce, through the full reader."""
    return list(read_events(open_lines(BOUNCES / name)))


def test_feedback_report_gives_one_info_event_per_reported_recipient() -> None:
    events = _read("arf_abuse.eml")

    assert [(e.code, e.status, e.reason, e.hard) for e in events] == [
        (None, "info", "feedback", False)
    ] * 2
    assert [e.recipient_domain for e in events] == ["example.net", "example.org"]
    assert events[0].time == "2024-03-04T09:58:00+00:00"


def test_auto_reply_gives_one_vacation_event_for_the_absent_person() -> None:
    [event] = _read("auto_reply.eml")

    assert (event.code, event.status, event.reason) == (None, "info", "vacation")
    assert event.recipient_domain == "example.net"


def test_message_starting_with_a_from_header_is_read_as_a_message() -> None:
    fmt = DsnFormat()

    assert fmt.claims("From: <fbl@example.net>")
    assert _read("arf_abuse.eml")


def test_from_header_followed_by_log_lines_does_not_swallow_them() -> None:
    lines = [
        "From: someone@example.com",
        "2024-03-04 10:00:00 1rXyZ-000abc-12 ** j@example.net: 550 5.1.1 unknown",
    ]
    fmt = DsnFormat()

    assert fmt.feed(1, lines[0]) == []
    assert fmt.feed(2, lines[1]) is None  # handed back to the reader
    assert not fmt.open


def test_status_without_diagnostic_takes_the_bounce_words_about_the_recipient() -> None:
    [event] = _read("no_diagnostic_code.eml")

    assert event.enhanced == "5.0.0"
    assert "Domain does not exist" in event.text
    assert event.reason == "hostunknown"


@pytest.mark.parametrize(
    ("name", "stage", "reason"),
    [
        ("exim_after_data.eml", "end of DATA", "filtered"),
        ("sendmail_data_transcript.eml", "DATA", "filtered"),
        ("exim_after_ehlo.eml", "EHLO", "blocked"),
    ],
)
def test_smtp_stage_shown_in_the_bounce_reaches_the_event(
    name: str, stage: str, reason: str
) -> None:
    [event] = _read(name)

    assert event.text.endswith(f"(in reply to {stage} command)")
    assert event.reason == reason


def test_unknown_user_at_data_with_status_5_1_1_stays_userunknown() -> None:
    [event] = _read("sendmail_data_5_1_1.eml")

    assert event.enhanced == "5.1.1"
    assert (event.reason, event.hard) == ("userunknown", True)


def test_x_unix_diagnostic_is_a_local_program_unless_the_text_says_more() -> None:
    quota, exit_code = _read("xunix_quota.eml")

    assert quota.reason == "mailboxfull"
    assert exit_code.reason == "mailererror"
    assert exit_code.text == "71 (X-Unix)"


def test_reason_at_the_end_of_a_long_bounce_text_is_still_read() -> None:
    [event] = _read("long_prose.eml")

    assert len(event.text) > 300
    assert event.reason == "userunknown"


def test_postfix_host_not_found_try_again_is_a_dns_fault_not_a_bad_domain() -> None:
    [event] = _read("postfix_try_again.eml")

    assert event.recipient_domain == "example.net"
    assert (event.reason, event.hard) == ("networkerror", False)


def test_replies_in_brackets_and_after_host_colon_are_found() -> None:
    events = _read("bracketed_reply.eml")

    assert [(e.code, e.enhanced, e.reason) for e in events] == [
        ("554", "5.4.6", "networkerror"),
        ("553", "5.3.0", "userunknown"),
    ]
    assert events[0].text == "Hop count exceeded - possible mail loop"


def test_returned_message_copy_inside_a_text_part_is_not_read() -> None:
    lines = [
        "Return-Path: <>",
        "From: Mail Delivery Subsystem <mailer-daemon@example.com>",
        "Subject: Delivery Status Notification (Failure)",
        "",
        "Delivery to the following recipient failed permanently:",
        "",
        "     jane@example.net",
        "",
        "Technical details of permanent failure:",
        "The recipient server did not accept our requests to connect.",
        "",
        "----- Original message -----",
        "",
        "Subject: we need SPF and DKIM and DMARC",
    ]

    [event] = feed_all(DsnFormat(), lines)

    assert "did not accept our requests to connect" in event.text
    assert "DMARC" not in event.text


MIXED_PASTE = [
    "Mar  4 10:00:00 mail postfix/smtp[812]: 4F1A2B3C: to=<bob@example.org>,"
    " relay=mx.example.org[203.0.113.9]:25, delay=1, dsn=2.0.0,"
    " status=sent (250 2.0.0 Ok)",
    "This is the mail system at host mail.example.com.",
    "",
    "<jane@example.net>: host mx.example.net[198.51.100.7] said: 550 5.1.1",
    "    <jane@example.net>: Recipient address rejected: User unknown (in reply to",
    "    RCPT TO command)",
    '{"eventType":"Bounce","bounce":{"bounceType":"Permanent",'
    '"bounceSubType":"General","bouncedRecipients":[{"emailAddress":'
    '"carol@example.com","action":"failed","status":"5.1.1",'
    '"diagnosticCode":"smtp; 550 5.1.1 user unknown"}],'
    '"timestamp":"2024-03-04T10:01:00.000Z"},"mail":{"source":"alice@example.com",'
    '"destination":["carol@example.com"]}}',
    "Mar  4 10:02:00 mail postfix/smtp[812]: 5A1B2C3D: to=<dave@example.org>,"
    " relay=mx.example.org[203.0.113.9]:25, delay=1, dsn=4.2.2, status=deferred"
    " (host mx.example.org[203.0.113.9] said: 452 4.2.2 Mailbox full (in reply to"
    " RCPT TO command))",
]


def test_ses_json_line_after_a_pasted_bounce_is_not_swallowed_by_the_bounce() -> None:
    events = sorted(read_events(MIXED_PASTE), key=lambda e: e.line)

    found = [(e.line, e.format, e.code, e.recipient_domain) for e in events]
    assert found == [
        (1, "postfix", "250", "example.org"),
        (4, "bounce", "550", "example.net"),
        (7, "esp", "550", "example.com"),
        (8, "postfix", "452", "example.org"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        '{"eventType":"Bounce"}',
        "{",
        "[",
        '[{"event":"dropped"}]',
        "#Fields: date-time,event-id",
        "@400000006000000012345678 delivery 1: failure: no_mailbox",
        "Apr-07-13 07:08:36 [SSL-out] 192.0.2.4 [SMTP Error] 535 5.7.8 failed",
    ],
    ids=["json", "brace", "bracket", "array", "w3c", "tai64n", "assp"],
)
def test_pasted_excerpt_hands_back_a_line_of_another_format(line: str) -> None:
    fmt = DsnFormat()
    fmt.feed(1, "This is the mail system at host mail.example.com.")
    fmt.feed(2, "<jane@example.net>: host mx.example.net[198.51.100.7] said: 550")

    assert fmt.feed(3, line) is None
    assert not fmt.open
    assert [e.code for e in fmt.flush()] == ["550"]
