"""EspJsonFormat: provider event JSON, one line or pretty-printed, bounded."""

from __future__ import annotations

import json

import pytest

from bot.logs.event import Event
from bot.logs.formats.esp_json import MAX_DEPTH, EspJsonFormat
from bot.logs.reader import read_events
from tests.logs.feeding import feed_all

SES_BOUNCE = {
    "notificationType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "bouncedRecipients": [
            {
                "emailAddress": "jane@example.net",
                "status": "5.1.1",
                "action": "failed",
                "diagnosticCode": "smtp; 550 5.1.1 <jane@example.net>... User unknown",
            },
            {"emailAddress": "bob@example.org", "status": "5.2.2"},
        ],
        "timestamp": "2024-03-04T10:00:00.000Z",
        "remoteMtaIp": "198.51.100.7",
    },
    "mail": {"source": "alice@example.com", "destination": ["jane@example.net"]},
}


def test_ses_bounce_gives_one_event_per_bounced_recipient() -> None:
    lines = json.dumps(SES_BOUNCE, indent=2).splitlines()
    events = feed_all(EspJsonFormat(), lines)

    assert [(e.code, e.enhanced, e.recipient_domain) for e in events] == [
        ("550", "5.1.1", "example.net"),
        (None, "5.2.2", "example.org"),
    ]
    assert {e.status for e in events} == {"bounced"}
    assert events[0].remote_host == "198.51.100.7"
    assert events[0].time == "2024-03-04T10:00:00.000Z"
    assert events[0].line == 1


def test_sns_envelope_with_message_as_json_string_is_unwrapped() -> None:
    envelope = {"Type": "Notification", "Message": json.dumps(SES_BOUNCE)}
    events = feed_all(EspJsonFormat(), [json.dumps(envelope)])

    assert [e.code for e in events] == ["550", None]


def test_ses_delivery_delay_is_deferred_with_its_reply() -> None:
    doc = {
        "eventType": "DeliveryDelay",
        "mail": {},
        "deliveryDelay": {
            "timestamp": "2024-03-04T10:00:00Z",
            "delayedRecipients": [
                {
                    "emailAddress": "jane@example.net",
                    "status": "4.4.1",
                    "diagnosticCode": "smtp; 421 4.4.1 Unable to connect",
                }
            ],
        },
    }
    events = feed_all(EspJsonFormat(), [json.dumps(doc)])

    assert [(e.code, e.enhanced, e.status) for e in events] == [
        ("421", "4.4.1", "deferred")
    ]


def test_sendgrid_array_gives_each_outcome_and_skips_opens() -> None:
    doc = [
        {
            "email": "a@example.net",
            "event": "delivered",
            "sg_event_id": "1",
            "response": "250 2.0.0 OK",
            "timestamp": 1709546400,
        },
        {
            "email": "b@example.org",
            "event": "bounce",
            "sg_event_id": "2",
            "reason": "550 5.1.1 No such user",
            "status": "5.1.1",
        },
        {
            "email": "c@example.org",
            "event": "dropped",
            "sg_event_id": "3",
            "reason": "Bounced Address",
        },
        {"email": "d@example.org", "event": "open", "sg_event_id": "4"},
    ]
    events = feed_all(EspJsonFormat(), json.dumps(doc, indent=4).splitlines())

    assert [(e.code, e.status) for e in events] == [
        ("250", "sent"),
        ("550", "bounced"),
        (None, "rejected"),
    ]
    assert events[0].time == "2024-03-04T10:00:00Z"


@pytest.mark.parametrize("vendor_code", [498, 499, 605, 607])
def test_mailgun_vendor_codes_are_not_reply_codes(vendor_code: int) -> None:
    doc = {
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "recipient": "jane@example.net",
            "delivery-status": {"code": vendor_code, "message": "", "description": "x"},
        }
    }
    events = feed_all(EspJsonFormat(), [json.dumps(doc)])

    assert len(events) == 1
    assert events[0].code is None
    assert f"provider code {vendor_code}" in events[0].text


def test_mailgun_real_code_with_enhanced_in_message_and_temporary_severity() -> None:
    doc = {
        "event-data": {
            "event": "failed",
            "severity": "temporary",
            "recipient": "jane@example.net",
            "delivery-status": {
                "code": 452,
                "message": "4.2.2 The email account is over quota",
                "mx-host": "mx.example.net",
            },
        }
    }
    events = feed_all(EspJsonFormat(), [json.dumps(doc)])

    assert [(e.code, e.enhanced, e.status, e.remote_host) for e in events] == [
        ("452", "4.2.2", "deferred", "mx.example.net")
    ]


def test_postmark_mailjet_and_brevo_replies_inside_text() -> None:
    docs = [
        {
            "RecordType": "Bounce",
            "Email": "a@example.net",
            "Details": "smtp;550 5.1.1 The email account does not exist.",
        },
        {
            "event": "sent",
            "email": "b@example.net",
            "mj_campaign_id": 1,
            "smtp_reply": "sent (250 2.0.0 OK 1709546400 - gsmtp)",
        },
        {
            "event": "hard_bounce",
            "email": "c@example.net",
            "ts_event": 1709546400,
            "reason": "550 RecipientError: 550 5.1.1 <c@example.net>: unknown",
        },
        {"event": "complaint", "email": "d@example.net", "ts_event": 1709546400},
    ]
    events = feed_all(EspJsonFormat(), [json.dumps(d) for d in docs])

    assert [(e.code, e.enhanced, e.status) for e in events] == [
        ("550", "5.1.1", "bounced"),
        ("250", "2.0.0", "sent"),
        ("550", "5.1.1", "bounced"),
        (None, None, "info"),
    ]


def test_deeply_nested_document_is_skipped_without_recursion_error() -> None:
    deep = "[" * (MAX_DEPTH * 50) + "]" * (MAX_DEPTH * 50)
    lines = ['{"event": "bounce",', f'"x": {deep}', "}"]
    fmt = EspJsonFormat()

    assert feed_all(fmt, lines) == []
    assert not fmt.open


def test_unfinished_document_gives_way_to_a_log_line() -> None:
    fmt = EspJsonFormat()
    fmt.feed(1, "{")
    fmt.feed(2, '  "event": "bounce",')

    assert fmt.feed(3, "Mar  4 10:00:00 mail postfix/smtp[1]: x") is None
    assert not fmt.open


@pytest.mark.parametrize(
    "line",
    [
        "Mar  4 10:00:00 mail postfix/smtp[812]: 4F1A2B3C: to=<j@example.net>",
        "[2024-03-04 10:00:00] app.INFO: mail sent",
        "{curly text that is not JSON}",
    ],
)
def test_claims_no_ordinary_log_line(line: str) -> None:
    assert not EspJsonFormat().claims(line)


def test_example_is_one_readable_line_not_a_json_bracket() -> None:
    # Summaries showed "{" or "[" as the example of a pretty-printed document.
    lines = json.dumps(SES_BOUNCE, indent=2).splitlines()
    first, second = feed_all(EspJsonFormat(), lines)

    assert first.example == (
        "Bounce · j***@example.net · smtp; 550 5.1.1 <j***@example.net>... User unknown"
    )
    assert second.example == "Bounce · b***@example.org"


def test_codeless_event_example_names_the_event_and_the_recipient() -> None:
    doc = {"event": "delivered", "email": "ann@example.net", "timestamp": 1709546400}
    (event,) = feed_all(EspJsonFormat(), [json.dumps(doc)])

    assert (event.code, event.status) == (None, "sent")
    assert event.example == "delivered · a***@example.net"


@pytest.mark.parametrize(
    "doc",
    [
        {"event": "open", "email": "a@example.net"},
        {"event": "click", "email": "a@example.net", "url": "https://example.com/"},
        {"RecordType": "Open", "Recipient": "a@example.net"},
        {"RecordType": "Click", "Recipient": "a@example.net"},
        {"event-data": {"event": "opened", "recipient": "a@example.net"}},
        {"event-data": {"event": "clicked", "recipient": "a@example.net"}},
        {"eventType": "Open", "mail": {}, "open": {"ipAddress": "192.0.2.1"}},
        {"eventType": "Click", "mail": {}, "click": {"link": "https://example.com/"}},
        {"event": "unique_opened", "email": "a@example.net"},
    ],
)
def test_opens_and_clicks_are_not_events(doc: dict[str, object]) -> None:
    assert feed_all(EspJsonFormat(), [json.dumps(doc)]) == []


def _read(docs: list[dict[str, object]]) -> list[Event]:
    """Events as the reader gives them: reason and hardness filled in."""
    return list(read_events(json.dumps(doc) for doc in docs))


@pytest.mark.parametrize(
    "doc",
    [
        {
            "email": "a@example.com",
            "event": "dropped",
            "reason": "Bounced Address",
            "status": "5.0.0",
        },
        {
            "email": "a@example.com",
            "event": "dropped",
            "reason": "Unsubscribed Address",
            "status": "5.0.0",
        },
        {
            "email": "a@example.com",
            "event": "dropped",
            "reason": "Spam Reporting Address",
            "status": "5.0.0",
        },
        {
            "event-data": {
                "event": "failed",
                "severity": "permanent",
                "reason": "suppress-bounce",
                "recipient": "a@example.com",
                "delivery-status": {"code": 605, "message": ""},
            }
        },
    ],
    ids=["sendgrid-bounced", "sendgrid-unsubscribed", "sendgrid-spam", "mailgun-605"],
)
def test_service_suppression_drop_is_suppressed_not_a_remote_5_0_0(
    doc: dict[str, object],
) -> None:
    events = _read([doc])

    assert [(e.code, e.enhanced, e.status, e.reason) for e in events] == [
        (None, None, "rejected", "suppressed")
    ]
    assert events[0].hard is False


@pytest.mark.parametrize(
    "doc",
    [
        {"event": "delivered", "email": "a@example.com", "ts_event": 1709546400},
        {
            "RecordType": "Delivery",
            "Recipient": "a@example.com",
            "DeliveredAt": "2024-03-04T10:00:00Z",
            "Details": "Test delivery",
        },
        {
            "eventType": "Delivery",
            "mail": {"destination": ["a@example.com"]},
            "delivery": {
                "recipients": ["a@example.com"],
                "timestamp": "2024-03-04T10:00:00Z",
            },
        },
    ],
    ids=["brevo", "postmark", "ses"],
)
def test_delivery_event_without_a_code_is_delivered_and_sent(
    doc: dict[str, object],
) -> None:
    events = _read([doc])

    assert [(e.status, e.reason, e.hard) for e in events] == [
        ("sent", "delivered", False)
    ]


def test_sendgrid_deferral_try_again_later_is_not_greylisting() -> None:
    doc = {
        "event": "deferred",
        "email": "a@example.com",
        "response": "400 try again later",
        "attempt": "1",
    }

    (event,) = _read([doc])

    assert (event.code, event.status) == ("400", "deferred")
    assert event.reason not in ("greylisted", "onhold", "undefined", None)
