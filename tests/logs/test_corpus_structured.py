"""Bounce messages and provider event JSON from the shared corpus, via the reader."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.logs.event import Event
from bot.logs.reader import read_events
from bot.logs.source import open_lines
from tests.corpus import corpus_path


def _events(path: Path, fmt: str) -> list[Event]:
    found = list(read_events(open_lines(path)))
    assert all(e.format == fmt for e in found), {e.format for e in found}
    return found


# One provider payload per file: (reply code, enhanced code, status).
SINGLE_PAYLOADS = {
    "symfony_brevo_blocked.json": (None, None, "rejected"),
    "symfony_brevo_defered.json": (None, None, "deferred"),
    "symfony_brevo_delivered.json": (None, None, "sent"),
    "symfony_brevo_hard_bounce.json": ("550", "5.1.1", "bounced"),
    "symfony_brevo_soft_bounce.json": (None, None, "deferred"),
    "symfony_mailgun_delivered_messages.json": ("250", None, "sent"),
    "symfony_mailgun_permanent_failure.json": ("550", None, "bounced"),
    "symfony_mailgun_permanent_failure_no_description.json": ("550", None, "bounced"),
    "symfony_mailgun_suppression_failure.json": (None, None, "rejected"),
    "symfony_mailgun_temporary_failure.json": ("452", "4.2.2", "deferred"),
    "symfony_mailjet_blocked.json": (None, None, "rejected"),
    "symfony_mailjet_bounce.json": ("421", "4.7.0", "deferred"),
    "symfony_mailjet_sent.json": ("250", "2.0.0", "sent"),
    "symfony_postmark_bounce.json": (None, None, "bounced"),
    "symfony_postmark_delivery.json": (None, None, "sent"),
    "symfony_sendgrid_bounce.json": ("500", "5.0.0", "bounced"),
    "symfony_sendgrid_deferred.json": ("400", None, "deferred"),
    "symfony_sendgrid_delivered.json": ("250", None, "sent"),
    "symfony_sendgrid_dropped.json": (None, None, "rejected"),
    "symfony_sendgrid_webhook_dropped.json": (None, None, "rejected"),
}


@pytest.mark.parametrize(("name", "expected"), sorted(SINGLE_PAYLOADS.items()))
def test_provider_payload_gives_its_one_outcome(
    name: str, expected: tuple[str | None, str | None, str]
) -> None:
    events = _events(corpus_path("esp_events", name), "esp")

    assert [(e.code, e.enhanced, e.status) for e in events] == [expected]


# Amazon SES documentation samples: reply codes of the events, in order.
SES_DOCS = {
    "notification-examples__01__notification-examples-bounce-with-dsn.json": ["550"],
    "notification-examples__02__notification-examples-bounce-no-dsn.json": [
        None,
        None,
    ],
    "notification-examples__03__notification-examples-complaint-with-feedback.json": [
        None
    ],
    "notification-examples__05__notification-examples-delivery.json": ["250"],
    "event-publishing-retrieving-sns-examples__03__event-publishing-retrieving-"
    "sns-delivery.json": ["250"],
    "event-publishing-retrieving-sns-examples__04__event-publishing-retrieving-"
    "sns-send.json": [],
    "event-publishing-retrieving-sns-examples__06__event-publishing-retrieving-"
    "sns-open.json": [],
    "event-publishing-retrieving-sns-examples__09__event-publishing-retrieving-"
    "sns-delayed-delivery.json": ["421"],
}


@pytest.mark.parametrize(("name", "codes"), sorted(SES_DOCS.items()))
def test_ses_sample_gives_one_event_per_recipient_outcome(
    name: str, codes: list[str | None]
) -> None:
    events = _events(corpus_path("esp_events", "aws_ses_docs", name), "esp")

    assert [e.code for e in events] == codes


# django-anymail test payloads, one per line: reply codes counted per file.
ANYMAIL = {
    "anymail_amazon_ses_payloads.jsonl": {"550": 1, "250": 1, None: 4},
    "anymail_brevo_payloads.jsonl": {"550": 2, None: 6},
    "anymail_mailgun_payloads.jsonl": {"250": 1, "550": 3, "450": 1, None: 6},
    "anymail_mailjet_payloads.jsonl": {"250": 2, None: 4},
    "anymail_mailtrap_payloads.jsonl": {"550": 1, "450": 1, None: 3},
    "anymail_postmark_payloads.jsonl": {"550": 1, None: 3},
    "anymail_sendgrid_payloads.jsonl": {"250": 2, "550": 1, None: 4},
    "anymail_sparkpost_payloads.jsonl": {"550": 1, "454": 1, "554": 2, None: 2},
    "anymail_unisender_go_payloads.jsonl": {"555": 1, "554": 1, "550": 1, None: 3},
}


@pytest.mark.parametrize(("name", "counts"), sorted(ANYMAIL.items()))
def test_anymail_payloads_give_the_right_codes_and_counts(
    name: str, counts: dict[str | None, int]
) -> None:
    events = _events(corpus_path("esp_events", "anymail", name), "esp")

    assert Counter(e.code for e in events) == Counter(counts)


def test_mailgun_vendor_codes_never_become_reply_codes() -> None:
    path = corpus_path("esp_events", "anymail", "anymail_mailgun_payloads.jsonl")
    events = _events(path, "esp")

    assert not {"498", "499", "605", "607"} & {e.code for e in events}
    assert sum("provider code" in e.text for e in events) >= 2


# Bounces that are not delivery failures: feedback reports and auto-replies. Each
# gives informational events only, with no code and the Sisimai reason.
NOT_BOUNCES = {"arf-": "feedback", "rfc3834-": "vacation"}


def test_every_bounce_message_gives_at_least_one_event() -> None:
    folder = corpus_path("bounces_dsn", "sisimai", "bsd")
    silent = []
    for path in sorted(folder.glob("*.eml")):
        kind = next((v for k, v in NOT_BOUNCES.items() if path.name.startswith(k)), "")
        if kind:
            events = _events(path, "bounce")
            assert events, path.name
            assert {(e.code, e.status, e.reason) for e in events} == {
                (None, "info", kind)
            }, path.name
        elif not _events(path, "bounce"):
            silent.append(path.name)

    # Known: feedback or JSON inside (amazonses-11/12), Japanese-only texts (kddi,
    # fml), and one vendor text without a daemon sender (x2-04).
    assert len(silent) <= 7, silent


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lhost-exim-02.eml", [("550", "5.1.1"), ("550", "5.2.1")]),
        ("lhost-opensmtpd-02.eml", [("550", "5.2.2"), ("550", "5.1.1")]),
        ("rfc3464-28.eml", [("250", "2.1.5"), ("250", "2.1.5")]),
        ("lhost-gmail-01.eml", [("550", "5.1.1")]),
        ("lhost-exchange2007-01.eml", [("550", "5.1.1")]),
    ],
)
def test_bounce_gives_one_event_per_recipient_not_per_mention(
    name: str, expected: list[tuple[str, str]]
) -> None:
    path = corpus_path("bounces_dsn", "sisimai", "bsd", name)
    events = _events(path, "bounce")

    assert [(e.code, e.enhanced) for e in events] == expected


def test_provider_events_have_one_line_examples_not_json_brackets() -> None:
    folder = corpus_path("esp_events")
    paths = sorted(folder.glob("*.json")) + sorted(folder.glob("*/*.json*"))
    events = [e for path in paths for e in _events(path, "esp")]

    assert events
    assert all(e.example and e.example[0] not in "{[" for e in events)
    assert all("\n" not in e.example for e in events)


def test_provider_opens_and_clicks_give_no_events() -> None:
    folder = corpus_path("esp_events", "aws_ses_docs")
    for name in ("open", "click"):
        [path] = folder.glob(f"*-sns-{name}.json")
        assert _events(path, "esp") == []
