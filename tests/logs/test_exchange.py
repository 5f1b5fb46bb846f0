"""ExchangeFormat: tracking logs, SMTP protocol logs, Microsoft 365 traces."""

from __future__ import annotations

from pathlib import Path

from bot.logs.formats.exchange import ExchangeFormat
from bot.logs.reader import summarize
from tests.logs.feeding import feed_all

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def _read(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def test_tracking_log_counts_send_deliver_fail_and_defer_per_recipient() -> None:
    events = feed_all(ExchangeFormat(), _read("exchange_tracking.log"))

    found = [(e.code, e.enhanced, e.status) for e in events]
    assert found == [
        ("250", "2.6.0", "sent"),
        ("550", "5.1.1", "bounced"),
        ("451", "4.4.0", "deferred"),
        ("451", "4.4.0", "deferred"),
        ("250", "2.1.5", "sent"),
    ]
    assert events[0].remote_host == "mx.example.net"
    assert events[1].recipient_domain == "example.org"
    assert "RecipNotFound; not found" in events[1].text
    assert events[1].time == "2024-03-04T08:05:12.001Z"


def test_tracking_log_quoted_subject_with_comma_keeps_columns_aligned() -> None:
    events = feed_all(ExchangeFormat(), _read("exchange_tracking.log"))

    assert events[0].recipient_domain == "example.net"
    assert events[0].line == 7


def test_protocol_log_counts_the_message_reply_and_rejections_only() -> None:
    events = feed_all(ExchangeFormat(), _read("exchange_protocol_send.log"))

    assert [(e.code, e.enhanced, e.remote_host) for e in events] == [
        ("250", "2.6.0", "203.0.113.25"),
        ("550", "5.7.1", "198.51.100.7"),
    ]
    assert "blocklist" in events[1].text


def test_message_trace_recipient_status_with_events_and_reply() -> None:
    events = feed_all(ExchangeFormat(), _read("m365_message_trace.csv"))

    assert [(e.code, e.enhanced, e.status, e.recipient_domain) for e in events] == [
        (None, None, "sent", "example.net"),
        ("550", "5.1.10", "bounced", "example.org"),
        ("451", "4.7.500", "deferred", "example.org"),
        (None, None, "sent", "example.com"),
    ]
    assert events[1].text.startswith("RESOLVER.ADR.RecipientNotFound")


def test_message_trace_status_column_words_map_to_statuses() -> None:
    events = feed_all(ExchangeFormat(), _read("m365_trace_status.csv"))

    assert [(e.status, e.recipient_domain) for e in events] == [
        ("sent", "example.net"),
        ("bounced", "example.org"),
        ("rejected", "example.com"),
    ]
    assert events[0].time == "2024-03-04 11:00:01"


def test_claims_no_postfix_line_even_after_a_header() -> None:
    fmt = ExchangeFormat()
    feed_all(fmt, _read("exchange_tracking.log")[:5])
    line = "Mar  4 10:00:00 mail postfix/smtp[812]: 4F1A2B3C: to=<j@example.net>"

    assert not ExchangeFormat().claims(line)
    assert not fmt.claims(line)


def test_receive_protocol_log_rejections_are_inbound() -> None:
    # Receive-side refusals had no direction, so the verdict told the reader
    # to fix their own sending for clients their server turned away.
    events = feed_all(ExchangeFormat(), _read("exchange_protocol_receive.log"))

    assert [(e.code, e.enhanced, e.direction) for e in events] == [
        ("535", "5.7.3", "inbound"),
        ("550", "5.7.54", "inbound"),
    ]


def test_send_protocol_log_replies_are_outbound() -> None:
    events = feed_all(ExchangeFormat(), _read("exchange_protocol_send.log"))

    assert {e.direction for e in events} == {"outbound"}


def test_tracking_and_trace_directions_follow_event_and_directionality() -> None:
    tracking = feed_all(ExchangeFormat(), _read("exchange_tracking.log"))
    trace = feed_all(ExchangeFormat(), _read("m365_message_trace.csv"))

    assert tracking[0].direction == "outbound"  # SEND
    assert {e.direction for e in tracking[1:]} == {"outbound"}  # Originating
    assert [e.direction for e in trace] == ["outbound"] * 3 + ["inbound"]


def test_receive_log_verdict_speaks_of_our_server_refusing_callers() -> None:
    summary = summarize(_read("exchange_protocol_receive.log"))

    assert summary.verdict.startswith("Your server refused 1 incoming message")
    assert "refused 1 login (password guessing?)" in summary.verdict
