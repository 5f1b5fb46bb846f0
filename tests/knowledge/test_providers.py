"""Provider replies: every reference reply is recognised with the right key facts."""

from __future__ import annotations

import csv
import re

import pytest

from bot.knowledge.providers import (
    host_provider,
    match_provider,
    provider_names,
    provider_replies,
)
from bot.knowledge.reasons import classify, reason_names
from bot.knowledge.records import Retry
from tests.corpus import CORPUS

REFERENCE = CORPUS.parent / "reference" / "provider-codes.csv"

# The reference's provider names, and the names we may answer with.
EXPECTED_PROVIDER = {
    "Gmail": {"Gmail"},
    "Microsoft EXO": {"Microsoft 365", "Outlook.com"},
    "Outlook.com": {"Outlook.com", "Microsoft 365"},
    "Yahoo": {"Yahoo"},
}

# How each provider signs its replies, appended as a real reply would carry it.
SIGNATURE = {
    "Gmail": " - gsmtp",
    "Microsoft EXO": " [DM6NAM11FT012.eop-nam11.prod.protection.outlook.com]",
    "Outlook.com": " [BL2NAM02FT004.eop-nam02.prod.protection.outlook.com]",
    "Yahoo": " (mta6.am0.yahoodns.net)",
}

# Our own reading of the reference's meaning, independent of the data file: the
# first pattern found in the meaning names the reasons we accept.
MEANING_TO_REASONS: tuple[tuple[str, set[str]], ...] = (
    (r"unusual", {"ratelimited", "spamdetected"}),
    (r"loop|hops", {"networkerror"}),
    (r"expir|timed out", {"expired"}),
    (r"ptr|reverse dns|rdns", {"requireptr"}),
    (r"spf|dkim|dmarc|unauthenticated|authentication level", {"authfailure"}),
    (r"\btls\b|starttls|dane", {"failedstarttls"}),
    (
        r"open proxy|dynamic|compromised|banned|blocklist|block list|spamhaus",
        {"blocked"},
    ),
    (
        r"reputation|complaints|spam",
        {"badreputation", "spamdetected", "blocked", "ratelimited"},
    ),
    (r"size", {"emailtoolarge"}),
    (
        r"daily|submission quota|\brate\b|throttl|too fast|limit|connections",
        {"ratelimited"},
    ),
    (r"sender", {"rejected", "blocked", "policyviolation", "securityerror"}),
    (r"quota|storage", {"mailboxfull"}),
    (r"domain does not exist", {"hostunknown"}),
    (r"unknown recipient|not found|invalid recipient|syntax invalid", {"userunknown"}),
    (r"disabled|inactive", {"suspend"}),
    (r"relay", {"norelaying", "blocked"}),
)


def reference_rows() -> list[dict[str, str]]:
    """Rows of the shared provider-codes.csv; skips where it is absent."""
    if not REFERENCE.exists():
        pytest.skip(f"shared reference not present here: {REFERENCE}")
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def synthetic_reply(row: dict[str, str]) -> tuple[str | None, str | None, str]:
    """A reply built from a reference row: code, enhanced code and text."""
    code = row["reply"].split("/")[0] or None
    found = re.search(r"\d\.\d{1,3}\.\d{1,3}", row["enhanced_or_tag"])
    enhanced = found.group(0) if found else None
    tags = re.findall(r"\[[A-Z]+\d+\]|\b[A-Z]{2}-\d{3}\b", row["enhanced_or_tag"])
    parts = [code or "", enhanced or "", *tags, row["match_hint"]]
    text = " ".join(p for p in parts if p) + SIGNATURE[row["provider"]]
    return code, enhanced, text


def test_every_reference_reply_gets_provider_reason_and_retry() -> None:
    """Each reply of provider-codes.csv matches a row with consistent facts."""
    rows = reference_rows()
    assert len(rows) > 100

    for row in rows:
        code, enhanced, text = synthetic_reply(row)
        reply = match_provider(text, code, enhanced)
        label = f"{row['provider']} {row['reply']} {row['enhanced_or_tag']}"

        assert reply is not None, label
        assert reply.provider in EXPECTED_PROVIDER[row["provider"]], label
        assert reply.reason in reason_names(), label
        if row["retry"] == "temporary":
            assert reply.retry in (Retry.YES, Retry.AFTER_FIX), label
        else:
            assert reply.retry in (Retry.NO, Retry.AFTER_FIX), label

        meaning = row["meaning_paraphrase"].lower()
        for pattern, accepted in MEANING_TO_REASONS:
            if re.search(pattern, meaning):
                assert reply.reason in accepted, f"{label}: {reply.reason}"
                break


def test_reference_replies_classify_through_their_provider_row() -> None:
    """classify() on a reference reply takes the provider row's reason and retry."""
    for row in reference_rows():
        code, enhanced, text = synthetic_reply(row)
        verdict = classify(code, enhanced, text)
        reply = match_provider(text, code, enhanced)

        assert verdict.provider == reply
        assert reply is not None
        assert verdict.reason == reply.reason
        assert verdict.retry == reply.retry
        assert verdict.basis == "provider"


@pytest.mark.parametrize(
    ("code", "enhanced", "text", "provider", "reason", "retry"),
    [
        (
            "550",
            "5.7.26",
            "550-5.7.26 Unauthenticated email from example.com is not accepted due "
            "to 550-5.7.26 domain's DMARC policy. - gsmtp",
            "Gmail",
            "authfailure",
            Retry.AFTER_FIX,
        ),
        (
            "452",
            "4.2.2",
            "452-4.2.2 The recipient's inbox is out of storage space. - gsmtp",
            "Gmail",
            "mailboxfull",
            Retry.YES,
        ),
        (
            "550",
            "5.7.1",
            "Service unavailable, Client host [192.0.2.7] blocked using Spamhaus. "
            "(AS3130) [AM4PR01.eop-EUR01.prod.protection.outlook.com]",
            "Microsoft 365",
            "blocked",
            Retry.AFTER_FIX,
        ),
        (
            "451",
            "4.7.512",
            "4.7.512 Access denied, please try again later. (AS843)",
            "Microsoft 365",
            "ratelimited",
            Retry.YES,
        ),
        (
            "550",
            "5.7.1",
            "Unfortunately, messages from [198.51.100.4] weren't sent. Part of "
            "their network is on our block list (S3150).",
            "Outlook.com",
            "blocked",
            Retry.AFTER_FIX,
        ),
        (
            "421",
            "4.7.0",
            "[TSS04] Messages from 203.0.113.9 temporarily deferred due to "
            "unexpected volume or user complaints - 4.16.55.1",
            "Yahoo",
            "badreputation",
            Retry.AFTER_FIX,
        ),
        (
            "552",
            "5.2.2",
            "<user@icloud.com>: user is over quota (in reply to RCPT TO command)",
            "Apple iCloud",
            "mailboxfull",
            Retry.YES,
        ),
        (
            "554",
            "5.7.1",
            "Service unavailable; Client host [192.0.2.50] blocked using "
            "zen.spamhaus.org",
            "Spamhaus",
            "blocked",
            Retry.AFTER_FIX,
        ),
        (
            "554",
            None,
            "Service unavailable; Client host [192.0.2.51] blocked using "
            "b.barracudacentral.org",
            "Barracuda",
            "blocked",
            Retry.AFTER_FIX,
        ),
        (
            "550",
            "5.7.1",
            "Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.52",
            "SpamCop",
            "blocked",
            Retry.AFTER_FIX,
        ),
        (
            "550",
            "5.2.0",
            "Mail rejete. Mail rejected. OFR_506 [506]",
            "Orange",
            "spamdetected",
            Retry.AFTER_FIX,
        ),
    ],
)
def test_own_examples_match_the_expected_provider_row(
    code: str,
    enhanced: str | None,
    text: str,
    provider: str,
    reason: str,
    retry: Retry,
) -> None:
    """Replies written for this test land on the expected provider and reason."""
    reply = match_provider(text, code, enhanced)

    assert reply is not None
    assert (reply.provider, reply.reason, reply.retry) == (provider, reason, retry)


def test_host_name_alone_names_the_provider_but_no_reason() -> None:
    """A reply we do not know from gsmtp still says it came from Gmail."""
    reply = match_provider("451 4.3.5 Something new happened - gsmtp", "451", "4.3.5")

    assert reply is not None
    assert reply.provider == "Gmail"
    assert reply.reason == ""
    assert classify("451", "4.3.5", "Something new happened - gsmtp").reason == (
        "systemerror"
    )


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        ("mx1.mail.protection.outlook.com", "Microsoft 365"),
        ("hotmail-com.olc.protection.outlook.com", "Outlook.com"),
        ("mta7.am0.yahoodns.net", "Yahoo"),
        ("mx01.mail.icloud.com", "Apple iCloud"),
        ("aspmx.l.google.com", "Gmail"),
    ],
)
def test_host_provider_recognises_mail_hosts(text: str, provider: str) -> None:
    """Host names in a reply name the provider."""
    found = host_provider(f"delivery via {text} failed")

    assert found is not None
    assert found.provider == provider


def test_plain_reply_without_provider_signs_matches_nothing() -> None:
    """An ordinary server's reply is not attributed to any provider."""
    assert (
        match_provider("550 5.1.1 <a@example.com>: User unknown", "550", "5.1.1")
        is None
    )
    assert match_provider("", "550", "5.1.1") is None


def test_generic_fragment_needs_the_providers_host() -> None:
    """'Bad sequence of commands' is Gmail's only when gsmtp is in the reply."""
    text = "503 5.5.1 Bad sequence of commands"

    assert match_provider(text, "503", "5.5.1") is None
    found = match_provider(f"{text} - gsmtp", "503", "5.5.1")
    assert found is not None
    assert found.reason == "syntaxerror"


def test_enhanced_code_ranges_select_the_row() -> None:
    """Microsoft's 4.7.5xx and 4.7.85x share words but not meaning."""
    text = "Access denied, please try again later"

    low = match_provider(text + " (AS1)", "451", "4.7.600")
    high = match_provider(text, "451", "4.7.860")
    outside = match_provider(text, "451", "4.7.700")

    assert low is not None and low.reason == "ratelimited"
    assert high is not None and high.reason == "blocked"
    assert outside is None


@pytest.mark.parametrize(
    ("provider", "enhanced", "note_word"),
    [
        ("Gmail", "4.7.23", "SPF"),
        ("Gmail", "5.7.27", "null MX"),
        ("Gmail", "5.7.29", "ARC"),
        ("Gmail", "5.7.30", "REQUIRETLS"),
        ("Microsoft 365", "5.4.1", "no answer from host"),
        ("Yahoo", "5.7.9", "too weak"),
    ],
)
def test_vendor_reuse_of_registered_numbers_is_noted(
    provider: str, enhanced: str, note_word: str
) -> None:
    """Where a provider gives a registered number its own meaning, a note says so."""
    notes = [
        r.note
        for r in provider_replies()
        if r.provider == provider and enhanced in r.enhanced.split("|")
    ]

    assert any(note_word in note and "IANA" in note for note in notes)


def test_every_provider_row_is_complete_and_lower_case() -> None:
    """Rows carry our words and a lower-case pattern (text is lowered once)."""
    for reply in provider_replies():
        assert reply.match and reply.meaning and reply.fix, reply
        assert reply.reason in reason_names(), reply
        assert reply.retry is not Retry.UNKNOWN, reply
        assert not re.search(r"(?<!\\)[A-Z]", reply.match), reply
        re.compile(reply.match)


def test_requested_providers_are_all_known() -> None:
    """The providers the issue names are each in the data."""
    names = set(provider_names())

    wanted = {"Gmail", "Microsoft 365", "Outlook.com", "Yahoo", "Apple iCloud"}
    assert wanted | {"Spamhaus", "Barracuda", "SpamCop"} <= names


def test_microsoft_server_busy_in_its_throttling_range_is_rate_limiting() -> None:
    # "451 4.7.500 Server busy. Please try again later" was read as a full server.
    from bot.knowledge.reasons import classify

    verdict = classify(
        "451", "4.7.500", "Server busy. Please try again later from [192.0.2.10]."
    )
    assert verdict.provider is not None
    assert verdict.provider.provider == "Microsoft 365"
    assert verdict.reason == "ratelimited"
    assert verdict.hard is False
