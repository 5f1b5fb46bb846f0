"""The one-line verdict: what a person reads first, for typical summaries."""

from __future__ import annotations

from bot.logs.event import Event
from bot.logs.reader import summarize
from bot.logs.source import text_lines
from bot.logs.summary import Summarizer


def ev(code: str | None, enhanced: str | None = None, **fields: object) -> Event:
    base: dict[str, object] = {"line": 1, "format": "postfix", "status": "bounced"}
    base.update(fields)
    return Event(code=code, enhanced=enhanced, **base)  # type: ignore[arg-type]


def _postfix(to: str, dsn: str, status: str, reply: str) -> str:
    """One Postfix smtp delivery line with the given reply."""
    domain = to.partition("@")[2]
    return (
        f"Mar  1 10:00:00 mx postfix/smtp[11]: 4A1B2C3D: to=<{to}>, "
        f"relay=mx.{domain}[192.0.2.10]:25, delay=1, dsn={dsn}, status={status} "
        f"(host mx.{domain}[192.0.2.10] said: {reply} (in reply to RCPT TO command))"
    )


def test_greylisting_by_one_provider_says_temporary_and_nothing_permanent() -> None:
    lines = [
        _postfix(
            f"user{i}@example.net",
            "4.7.1",
            "deferred",
            "450 4.7.1 <user@example.net>: Recipient address rejected: Greylisted, "
            "see http://postgrey.example.net/help/example.net.html",
        )
        for i in range(3)
    ]
    lines.append(
        _postfix(
            "ann@example.net",
            "4.7.1",
            "deferred",
            "451 4.7.1 Greylisted, please try again later",
        )
    )

    verdict = summarize(text_lines("\n".join(lines))).verdict

    assert verdict == (
        "4 temporary failures, all greylisting at example.net; nothing permanent"
        " — nothing to do, the retries get through."
    )


def test_greylisting_is_not_called_rate_limiting() -> None:
    line = _postfix(
        "bob@example.org",
        "4.7.1",
        "deferred",
        "451 4.7.1 Greylisting in action, please come back later",
    )

    verdict = summarize(text_lines(line)).verdict

    assert "greylisting" in verdict
    assert "rate" not in verdict


def test_mostly_unknown_users_leads_with_the_permanent_count_and_the_fix() -> None:
    s = Summarizer()
    for _ in range(8):
        s.add(ev("550", "5.1.1", recipient_domain="example.org", reason="userunknown"))
    s.add(ev("552", "5.2.2", recipient_domain="example.com", reason="mailboxfull"))
    s.add(ev("421", "4.4.2", status="deferred", reason="networkerror"))

    verdict = s.finish().verdict

    assert verdict == (
        "9 permanent rejections, mostly unknown users at example.org — clean the list."
        " Also 1 temporary failure: network or DNS errors."
    )


def test_spamhaus_blocks_at_one_provider_name_the_list_and_the_place() -> None:
    reply = (
        "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using "
        "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.25"
    )
    lines = [_postfix(f"u{i}@example.com", "5.7.1", "bounced", reply) for i in range(3)]

    verdict = summarize(text_lines("\n".join(lines))).verdict

    assert verdict == (
        "3 permanent rejections, all blocks of the sending IP (Spamhaus) at "
        "example.com — check blocklists and request delisting."
    )


def test_all_delivered_says_nothing_to_fix() -> None:
    s = Summarizer()
    for _ in range(5):
        s.add(ev("250", "2.0.0", status="sent", reason="delivered"))

    assert s.finish().verdict == (
        "All 5 replies are successes or progress replies; nothing to fix."
    )


def test_nothing_found_says_how_many_lines_were_read() -> None:
    verdict = Summarizer().finish(lines_read=7).verdict

    assert verdict == "No SMTP reply codes found in 7 lines."


def test_complaints_and_auto_replies_are_not_failures() -> None:
    s = Summarizer()
    s.add(ev(None, status="info", reason="feedback", hard=False))
    s.add(ev(None, status="info", reason="feedback", hard=False))
    s.add(ev(None, status="info", reason="vacation", hard=False))

    assert s.finish().verdict == (
        "No delivery failures. 2 spam complaints (feedback reports) — stop mailing "
        "those recipients. 1 auto-reply — nothing to do."
    )


def test_a_minority_cause_is_counted_not_called_mostly() -> None:
    s = Summarizer()
    for reason in ("userunknown", "userunknown", "blocked", "authfailure", "suspend"):
        s.add(ev("550", "5.7.1", reason=reason))

    verdict = s.finish().verdict

    assert verdict.startswith("5 permanent rejections, 2 of them unknown users")


def test_one_rejection_is_not_called_mostly_or_all() -> None:
    s = Summarizer()
    s.add(ev("550", "5.1.1", recipient_domain="example.org", reason="userunknown"))

    verdict = s.finish().verdict

    assert verdict == (
        "1 permanent rejection: unknown users at example.org — clean the list."
    )


def test_exactly_half_is_counted_not_called_mostly() -> None:
    s = Summarizer()
    for reason in ("userunknown", "userunknown", "blocked", "mailboxfull"):
        s.add(ev("550", "5.1.1", reason=reason))

    verdict = s.finish().verdict

    assert verdict.startswith("4 permanent rejections, 2 of them unknown users")
    assert "mostly" not in verdict


def _smtpd_reject(client: str, reply: str) -> str:
    """One Postfix smtpd NOQUEUE reject: our server refusing an incoming client."""
    return (
        f"Mar  1 10:00:00 mx postfix/smtpd[12]: NOQUEUE: reject: RCPT from "
        f"{client}[192.0.2.44]: {reply}; from=<x@example.net> "
        "to=<ann@example.com> proto=ESMTP helo=<client.example.net>"
    )


def test_own_rbl_rejections_of_spammers_are_not_told_to_request_delisting() -> None:
    reply = (
        "554 5.7.1 Service unavailable; Client host [192.0.2.44] blocked using "
        "zen.spamhaus.org"
    )
    lines = [_smtpd_reject("unknown", reply) for _ in range(40)]

    verdict = summarize(text_lines("\n".join(lines))).verdict

    assert verdict == (
        "Your server refused 40 incoming messages, all clients on blocklists or "
        "access rules (Spamhaus) — working as intended unless legitimate senders "
        "complain."
    )
    assert "delisting" not in verdict


def test_inbound_refusals_get_their_own_sentence_after_outbound_failures() -> None:
    outbound = _postfix(
        "bob@example.org",
        "5.1.1",
        "bounced",
        "550 5.1.1 <bob@example.org>: User unknown",
    )
    helo = "450 4.7.1 <client.example.net>: Helo command rejected: Host not found"
    rbl = "554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org"
    lines = [outbound] + [_smtpd_reject("unknown", helo)] * 2
    lines += [_smtpd_reject("unknown", rbl)] * 3

    summary = summarize(text_lines("\n".join(lines)))

    assert summary.verdict == (
        "1 permanent rejection of outgoing mail: unknown users at example.org — "
        "clean the list. Your server refused 5 incoming messages, all clients on "
        "blocklists or access rules (Spamhaus) — working as intended unless "
        "legitimate senders complain."
    )
    assert summary.directions == {"outbound": 1, "inbound": 5}


def test_inbound_greylisting_only_is_temporary_and_needs_nothing() -> None:
    reply = "450 4.2.0 <ann@example.com>: Recipient address rejected: Greylisted"
    lines = [_smtpd_reject(f"c{i}.example.net", reply) for i in range(3)]

    verdict = summarize(text_lines("\n".join(lines))).verdict

    assert verdict == (
        "Your server temporarily refused 3 incoming messages, all greylisting — "
        "nothing to do, real senders retry."
    )


def test_groups_count_inbound_events_and_their_reasons_apart() -> None:
    s = Summarizer()
    s.add(ev("550", "5.1.1", reason="userunknown", direction="outbound"))
    s.add(ev("550", "5.1.1", reason="userunknown", direction="inbound"))
    s.add(ev("550", "5.1.1", reason="userunknown", direction="inbound"))
    s.add(ev("550", "5.1.1", reason="userunknown"))

    summary = s.finish()
    [group] = summary.groups

    assert group.directions == {"outbound": 1, "inbound": 2}
    assert group.inbound_reasons == {"userunknown": 2}
    assert summary.verdict.startswith("2 permanent rejections of outgoing mail")
    assert "Your server refused 2 incoming messages, all mail for addresses" in (
        summary.verdict
    )


def test_a_single_success_is_not_called_all_1_replies() -> None:
    s = Summarizer()
    s.add(ev("250", "2.0.0", status="sent", reason="delivered"))

    assert s.finish().verdict == (
        "The one reply is a success or progress reply; nothing to fix."
    )


def test_failures_of_unknown_direction_are_not_called_outgoing_mail() -> None:
    s = Summarizer()
    s.add(ev("550", "5.1.1", reason="userunknown", format="generic"))
    s.add(ev("554", "5.7.1", reason="blocked", direction="inbound"))

    verdict = s.finish().verdict

    assert verdict.startswith("1 permanent rejection: unknown users — clean the list.")
    assert "outgoing" not in verdict
    assert "Your server refused 1 incoming message: clients on blocklists" in verdict


def test_a_few_known_reasons_do_not_lead_over_a_large_unexplained_code() -> None:
    # Exim's test-log-0217: 204 x 550 "Perm error" and 3 x 551 (moved) were
    # summed up as "3 of them mailboxes that moved".
    s = Summarizer()
    for _ in range(20):
        s.add(ev("550", None, reason="onhold"))
    for _ in range(3):
        s.add(ev("551", None, reason="hasmoved"))

    verdict = s.finish().verdict

    assert verdict.startswith("23 permanent rejections, mostly 550 (")
    assert "moved" not in verdict


def test_the_biggest_codes_own_known_reason_still_leads() -> None:
    s = Summarizer()
    for reason in ["userunknown"] * 4 + ["onhold"] * 6:
        s.add(ev("550", "5.1.1", reason=reason))
    s.add(ev("552", "5.2.2", reason="mailboxfull"))

    verdict = s.finish().verdict

    assert verdict.startswith("11 permanent rejections, 4 of them unknown users")


def test_inbound_login_failures_are_logins_not_messages() -> None:
    s = Summarizer()
    for _ in range(4):
        s.add(
            ev(
                "535",
                "5.7.8",
                status="failed",
                reason="securityerror",
                direction="inbound",
            )
        )

    verdict = s.finish().verdict

    assert verdict == (
        "Your server refused 4 logins (password guessing?) — working as intended"
        " unless your own users cannot log in."
    )
