"""Bounce reasons: taxonomy, hard and soft, precedence of the layers, data hygiene."""

from __future__ import annotations

import re

import pytest

from bot.knowledge.providers import data_rows, provider_replies
from bot.knowledge.reasons import (
    canonical_reason,
    classify,
    reason_info,
    reason_names,
    sisimai_reason,
)
from bot.knowledge.records import Retry

SISIMAI_REASONS = {
    "userunknown", "hostunknown", "mailboxfull", "emailtoolarge", "blocked",
    "badreputation", "requireptr", "spamdetected", "contenterror", "virusdetected",
    "authfailure", "policyviolation", "rejected", "norelaying", "ratelimited",
    "networkerror", "expired", "systemerror", "systemfull", "mailererror",
    "securityerror", "suspend", "hasmoved", "notaccept", "notcompliantrfc",
    "filtered", "syntaxerror", "onhold", "undefined", "delivered", "feedback",
    "vacation", "suppressed", "failedstarttls",
}  # fmt: skip


# Our reasons that are finer than Sisimai's, and the Sisimai reason each refines.
FINER_REASONS = {"greylisted": "ratelimited"}


def test_taxonomy_holds_every_sisimai_reason() -> None:
    """The taxonomy has today's Sisimai reasons, and only known names."""
    assert set(reason_names()) == SISIMAI_REASONS | set(FINER_REASONS)


def test_finer_reasons_name_the_sisimai_reason_they_refine() -> None:
    """Each of our finer reasons compares with one Sisimai reason; others with self."""
    for name in reason_names():
        expected = FINER_REASONS.get(name, name)
        assert sisimai_reason(name) == expected, name


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("mesgtoobig", "emailtoolarge"),
        ("exceedlimit", "emailtoolarge"),
        ("toomanyconn", "ratelimited"),
        ("speeding", "ratelimited"),
        ("userunknown", "userunknown"),
    ],
)
def test_old_sisimai_names_map_to_todays(old: str, new: str) -> None:
    """Labels from older Sisimai releases resolve to the current reason."""
    assert canonical_reason(old) == new
    assert reason_info(old).name == new


def test_only_bad_addresses_are_hard() -> None:
    """Hard means the address itself is bad; everything else is soft."""
    hard = {name for name in reason_names() if reason_info(name).hard == "yes"}
    permanent_only = {n for n in reason_names() if reason_info(n).hard == "permanent"}

    assert hard == {"userunknown", "hasmoved"}
    assert permanent_only == {"notaccept", "hostunknown"}


def test_every_reason_has_a_label_action_and_retry() -> None:
    """Each reason says what it is and what to do."""
    for name in reason_names():
        info = reason_info(name)
        assert info.label and info.action.endswith("."), name
        assert info.hard in ("yes", "no", "permanent"), name


def test_data_files_name_only_reasons_of_the_taxonomy() -> None:
    """Code defaults, text rules and provider rows all use known reasons."""
    names = set(reason_names())

    assert {row["reason"] for row in data_rows("reason_codes.csv")} <= names
    assert {row["reason"] for row in data_rows("reason_patterns.csv")} <= names
    assert {reply.reason for reply in provider_replies()} <= names


def test_text_rules_compile_lower_case_without_groups() -> None:
    """Rules match lowered text, and a capturing group would confuse the levels."""
    for row in data_rows("reason_patterns.csv"):
        pattern = re.compile(row["pattern"])
        assert pattern.groups == 0, row["pattern"]
        assert not re.search(r"(?<!\\)[A-Z]", row["pattern"]), row["pattern"]
        assert row["level"] in ("1", "2", "3", "4"), row


def test_each_text_rule_matches_its_own_example() -> None:
    """The example written beside each rule is matched by that rule."""
    for row in data_rows("reason_patterns.csv"):
        assert re.search(row["pattern"], row["example"].lower()), row["example"]


@pytest.mark.parametrize(
    ("code", "enhanced", "text", "reason", "hard"),
    [
        ("550", "5.1.1", "<a@example.com>: Recipient address rejected: User unknown",
         "userunknown", True),
        ("550", "5.1.2", "Host or domain name not found", "hostunknown", True),
        ("550", "5.1.6", "Recipient has moved; no forwarding", "hasmoved", True),
        ("556", "5.1.10", "Recipient address has null MX", "notaccept", True),
        ("421", "4.3.2", "System not accepting network messages", "notaccept", False),
        ("554", "5.7.1", "Service unavailable; Client host [192.0.2.9] blocked using "
         "zen.spamhaus.org", "blocked", False),
        ("550", "5.7.1", "Rejected: too many connections", "ratelimited", False),
        ("550", "5.7.1", "Message rejected due to local policy", "policyviolation",
         False),
        ("552", "5.2.2", "Mailbox full", "mailboxfull", False),
        ("525", "5.7.13", "User account disabled", "suspend", False),
    ],
)  # fmt: skip
def test_hard_follows_the_address_not_the_code(
    code: str, enhanced: str, text: str, reason: str, hard: bool
) -> None:
    """A blocked or rate-limited sender is soft even under a 5xx code."""
    verdict = classify(code, enhanced, text)

    assert (verdict.reason, verdict.hard) == (reason, hard)


def test_provider_row_beats_text_rules() -> None:
    """Microsoft's 5.4.1 'Access denied' is an unknown recipient, not a block."""
    verdict = classify(
        "550",
        "5.4.1",
        "5.4.1 Recipient address rejected: Access denied. AS(201806281) "
        "[DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]",
    )

    assert verdict.basis == "provider"
    assert verdict.reason == "userunknown"
    assert verdict.provider is not None
    assert verdict.provider.provider == "Microsoft 365"


def test_text_rule_beats_the_status_table() -> None:
    """The words of the reply say more than a mislabelled status."""
    verdict = classify("550", "5.1.1", "Mailbox full: over quota")

    assert (verdict.reason, verdict.basis) == ("mailboxfull", "text")


def test_status_table_beats_weak_text_rules() -> None:
    """'server error' is too vague to overrule a precise 5.2.2."""
    verdict = classify("552", "5.2.2", "temporary server error")

    assert (verdict.reason, verdict.basis) == ("mailboxfull", "status")


def test_weak_text_rule_fills_in_when_the_status_is_unknown() -> None:
    """Without a mapped status, even a vague phrase beats the reply code."""
    verdict = classify("421", None, "Connection timed out")

    assert (verdict.reason, verdict.basis) == ("expired", "text")


def test_status_table_beats_the_reply_code() -> None:
    """With no text, the enhanced code decides before the reply code."""
    verdict = classify("554", "5.1.1", "")

    assert (verdict.reason, verdict.basis) == ("userunknown", "status")


def test_subject_fallback_for_unregistered_details() -> None:
    """A vendor detail such as 5.6.255 still reads as content (RFC 3463 s2)."""
    assert classify("554", "5.6.255", "").reason == "contenterror"


def test_reply_code_default_when_nothing_else_is_known() -> None:
    """521 means the host accepts no mail (RFC 7504)."""
    verdict = classify("521", None, "")

    assert (verdict.reason, verdict.basis, verdict.hard) == ("notaccept", "reply", True)


def test_fallback_depends_on_whether_text_was_seen() -> None:
    """Unreadable text is 'onhold'; no text at all is 'undefined'."""
    assert classify("550", None, "zzz qqq").reason == "onhold"
    assert classify("550", None, "").reason == "undefined"
    assert classify(None, None, "").reason == "undefined"


@pytest.mark.parametrize(
    ("code", "enhanced"),
    [("250", "2.0.0"), ("250", None), (None, "2.1.5"), ("250", "2.6.0"), ("251", None)],
)
def test_success_is_delivered_and_needs_nothing(
    code: str | None, enhanced: str | None
) -> None:
    """2xx replies are delivered, without reading their text."""
    verdict = classify(code, enhanced, "2.0.0 Ok: queued as 4BC3D1 - gsmtp")

    assert verdict.reason == "delivered"
    assert verdict.retry is Retry.NOT_NEEDED
    assert verdict.hard is False
    assert verdict.provider is None


def test_helo_host_not_found_is_a_soft_client_block_not_an_unknown_domain() -> None:
    """Postfix reject_unknown_helo_hostname speaks of the client, not a recipient."""
    text = "<mx.example.com>: Helo command rejected: Host not found"

    verdict = classify("450", "4.7.1", text)

    assert (verdict.reason, verdict.hard) == ("blocked", False)


def test_helo_rejection_naming_reverse_dns_is_requireptr() -> None:
    text = "<mx.example.com>: Helo command rejected: no PTR record for 192.0.2.4"

    assert classify("550", "5.7.1", text).reason == "requireptr"


@pytest.mark.parametrize(("code", "enhanced"), [("450", "4.1.8"), ("550", "5.1.8")])
def test_sender_domain_not_found_is_a_soft_sender_rejection(
    code: str, enhanced: str
) -> None:
    """reject_unknown_sender_domain is about the envelope sender, never hard."""
    text = "<ann@example.com>: Sender address rejected: Domain not found"

    verdict = classify(code, enhanced, text)

    assert (verdict.reason, verdict.hard) == ("rejected", False)


def test_unknown_domain_under_a_temporary_code_is_never_hard() -> None:
    """DNS may answer again: a 4xx hostunknown must not take the address off lists."""
    text = "<bob@example.net>: Recipient address rejected: Domain not found"

    temporary = classify("450", "4.1.2", text)
    permanent = classify("550", "5.1.2", text)

    assert (temporary.reason, temporary.hard) == ("hostunknown", False)
    assert (permanent.reason, permanent.hard) == ("hostunknown", True)


@pytest.mark.parametrize(
    ("code", "enhanced", "text"),
    [
        ("235", "2.7.0", "Authentication successful"),
        ("220", None, "mx.example.com ESMTP ready"),
        ("221", "2.0.0", "Bye"),
        ("250", "2.1.0", "Sender OK"),
        ("252", None, "Cannot VRFY user, but will accept message"),
        ("334", None, "VXNlcm5hbWU6"),
        ("354", None, "End data with <CR><LF>.<CR><LF>"),
    ],
)
def test_success_that_answers_no_delivery_is_not_called_delivered(
    code: str, enhanced: str | None, text: str
) -> None:
    """A greeting, a login or a data prompt has no bounce reason at all."""
    verdict = classify(code, enhanced, text)

    assert verdict.reason == ""
    assert verdict.hard is False
    assert verdict.retry is Retry.NOT_NEEDED


def test_transient_codes_retry_and_permanent_unknown_users_do_not() -> None:
    """Retry follows the reply's first digit (RFC 5321 s4.2.1), then the reason."""
    assert classify("450", "4.1.1", "User unknown").retry is Retry.YES
    assert classify("550", "5.1.1", "User unknown").retry is Retry.NO
    assert classify("550", "5.7.1", "blocked using bl.example.org").retry is (
        Retry.AFTER_FIX
    )


def test_folded_multiline_reply_still_matches_its_phrase() -> None:
    """Gmail's '550-5.7.1' repeats inside a sentence do not break the match."""
    text = (
        "550-5.7.1 [192.0.2.3] Our system has detected that this message is "
        "550-5.7.1 likely unsolicited mail. To reduce the amount of spam - gsmtp"
    )

    verdict = classify("550", "5.7.1", text)

    assert verdict.reason == "spamdetected"
    assert verdict.provider is not None and verdict.provider.provider == "Gmail"


def test_long_reply_keeps_its_tail_for_provider_signs() -> None:
    """A long reply is cut in the middle, so a trailing '- gsmtp' still counts."""
    text = "450 4.2.1 " + "padding words " * 100 + "receiving mail too quickly - gsmtp"

    verdict = classify("450", "4.2.1", text)

    assert verdict.provider is not None
    assert verdict.provider.provider == "Gmail"


@pytest.mark.parametrize(
    ("code", "enhanced", "text"),
    [
        ("", "", ""),
        ("9009", None, "plex says no"),
        ("0", "x.y.z", "???"),
        ("550", "5.999.999", "(" * 50),
        (None, "4", "\x00\ufffd" * 200),
    ],
)
def test_classify_never_raises_on_odd_input(
    code: str | None, enhanced: str | None, text: str
) -> None:
    """Odd codes and text still give a verdict with a known reason."""
    verdict = classify(code, enhanced, text)

    assert verdict.reason in reason_names()
    assert verdict.label


@pytest.mark.parametrize(
    ("code", "enhanced", "text"),
    [
        ("400", None, "try again later"),
        ("421", None, "Please try again later"),
        ("450", None, "retry later"),
    ],
)
def test_bare_try_again_later_is_neither_greylisting_nor_rate_limiting(
    code: str, enhanced: str | None, text: str
) -> None:
    verdict = classify(code, enhanced, text)

    assert verdict.reason not in ("greylisted", "ratelimited")
    assert verdict.retry is Retry.YES
    assert not verdict.hard


def test_greylisting_needs_greylist_words() -> None:
    assert classify("451", "4.7.1", "Greylisted, try again later").reason == (
        "greylisted"
    )
