"""qmail-send deliveries with underscores, and rblsmtpd."""

from __future__ import annotations

from bot.logs.event import Event
from bot.logs.formats.qmail import QmailFormat


def events(line: str) -> list[Event]:
    fmt = QmailFormat()
    assert fmt.claims(line)
    return list(fmt.feed(1, line) or ())


def test_success_with_underscored_reply_and_tai64n_stamp() -> None:
    line = (
        "@4000000038c3eeb104a13804 delivery 2392: success: "
        "192.0.2.177_accepted_message."
        "/Remote_host_said:_250_CAA01516_Message_accepted_for_delivery/"
    )
    [event] = events(line)
    assert (event.code, event.status, event.remote_host) == (
        "250",
        "sent",
        "192.0.2.177",
    )
    assert event.text == "CAA01516 Message accepted for delivery"
    assert event.time == "2000-03-06T17:45:11Z"


def test_failure_with_enhanced_code() -> None:
    line = (
        "@4000000038c3eeb104a13804 delivery 7: failure: 192.0.2.8_does_not_like_"
        "recipient./Remote_host_said:_550_5.1.1_<u@example.com>..._User_unknown/"
        "Giving_up_on_192.0.2.8./"
    )
    [event] = events(line)
    assert (event.code, event.enhanced, event.status) == ("550", "5.1.1", "bounced")


def test_local_success_without_reply_gives_nothing() -> None:
    assert events("@4000000038c3eeb104a13804 delivery 3: success: did_0+0+1/") == []


def test_rblsmtpd_and_qmail_smtpd_replies() -> None:
    rbl = (
        "Sep  6 07:33:33 sd6 qmail: 1157520813.485077 rblsmtpd: "
        "198.51.100.77 pid 19597 "
        "zen.example.org: 451 http://example.org/query?ip=198.51.100.77"
    )
    smtpd = "Sep  6 07:18:29 sd6 qmail: 1157519909.633171 qmail-smtpd: 421 badiprbl: ip"
    assert [e.code for e in events(rbl)] == ["451"]
    assert [(e.code, e.status, e.direction) for e in events(smtpd)] == [
        ("421", "rejected", "inbound")
    ]
