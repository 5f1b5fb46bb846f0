"""SMTP dialogues: one event per complete reply, whatever the prefix style."""

from __future__ import annotations

from bot.logs.reader import read_events


def codes(text: str) -> list[tuple[str | None, str | None]]:
    return [(e.code, e.enhanced) for e in read_events(text.splitlines())]


def test_rfc_style_multiline_ehlo_reply_is_one_event() -> None:
    text = """S: 220 mx.example.com ready
C: EHLO client.example.org
S: 250-mx.example.com greets you
S: 250-SIZE
S: 250 HELP
C: RCPT TO:<nobody@example.com>
S: 550 5.1.1 No such user here
C: QUIT
S: 221 bye"""
    assert codes(text) == [
        ("220", None),
        ("250", None),
        ("550", "5.1.1"),
        ("221", None),
    ]


def test_recipient_domain_comes_from_the_rcpt_command() -> None:
    text = "C: RCPT TO:<nobody@example.com>\nS: 550 5.1.1 No such user"
    [event] = read_events(text.splitlines())
    assert (event.recipient_domain, event.status, event.format) == (
        "example.com",
        "rejected",
        "transcript",
    )


def test_swaks_markers_including_error_reply() -> None:
    text = """<-  220 SERVER ESMTP ready
 -> EHLO hserver
<-  250-SERVER Hello
<-  250 HELP
 -> RCPT TO:<user1@example.net>
<** 550 rejected
<~  250 2.0.0 OK"""
    assert codes(text) == [
        ("220", None),
        ("250", None),
        ("550", None),
        ("250", "2.0.0"),
    ]


def test_multiline_gmail_style_reply_folds_enhanced_code_once() -> None:
    text = "<-  550-5.7.1 first part\n<-  550-5.7.1 second part\n<-  550 5.7.1 end"
    [event] = read_events(text.splitlines())
    assert (event.code, event.enhanced) == ("550", "5.7.1")
    assert event.text == "first part second part end"


def test_exim_debug_and_bare_reply_lines() -> None:
    text = """  SMTP<< 220 Server ready
  SMTP>> EHLO the.local.host.name
  SMTP<< 250-server id
         250-PIPELINING
         250 OK
SMTP>> 250 OK
421 4.7.0 try later"""
    assert codes(text) == [
        ("220", None),
        ("250", None),
        ("250", None),
        ("421", "4.7.0"),
    ]


def test_phpmailer_and_smtplib_debug() -> None:
    text = (
        "2024-01-01 10:00:00 SERVER -> CLIENT: 535 5.7.8 Authentication failed\n"
        "reply: retcode (250); Msg: b'2.0.0 Ok: queued'"
    )
    assert codes("SERVER -> CLIENT: 535 5.7.8 Authentication failed") == [
        ("535", "5.7.8")
    ]
    assert codes(text.splitlines()[1]) == [("250", "2.0.0")]


def test_unfinished_multiline_reply_is_flushed_at_the_end() -> None:
    assert codes("S: 250-first\nS: 250-second") == [("250", None)]


def test_only_the_reply_to_the_end_of_data_is_called_delivered() -> None:
    dialogue = "\n".join(
        [
            "S: 220 mx.example.com ESMTP",
            "C: EHLO client.example.net",
            "S: 250-mx.example.com",
            "S: 250 PIPELINING",
            "C: AUTH PLAIN AGFubgBzZWNyZXQ=",
            "S: 235 2.7.0 Authentication successful",
            "C: MAIL FROM:<ann@example.net>",
            "S: 250 2.1.0 Ok",
            "C: RCPT TO:<bob@example.com>",
            "S: 250 2.1.5 Ok",
            "C: DATA",
            "S: 354 End data with <CR><LF>.<CR><LF>",
            "C: .",
            "S: 250 2.0.0 Ok: queued as 4A1B2C3D",
            "C: QUIT",
            "S: 221 2.0.0 Bye",
        ]
    )

    reasons = [(e.code, e.reason) for e in read_events(dialogue.splitlines())]

    assert reasons == [
        ("220", None),
        ("250", None),
        ("235", None),
        ("250", None),
        ("250", None),
        ("354", None),
        ("250", "delivered"),
        ("221", None),
    ]
