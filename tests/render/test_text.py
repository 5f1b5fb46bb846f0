"""Terminal text: explanations with labelled parts, summaries readable at a glance."""

from __future__ import annotations

from bot.knowledge.lookup import explain_pair
from bot.knowledge.records import CodeClass, TableRow
from bot.logs.summary import CodeGroup
from bot.render.text import WIDTH, explanations_text, summary_text
from tests.render.samples import explanation, group, problem, provider, summary


def test_explanation_labels_table_words_and_standard_meaning() -> None:
    text = explanations_text([explanation("550")])
    assert text.splitlines()[0].startswith("550 · permanent failure")
    assert (
        "Embedded table (SMTP server): The user does not have permission to send."
        in text
    )
    assert "Standard meaning: The mailbox cannot be used" in text


def test_plex_code_is_labelled_with_its_type() -> None:
    plex = explanation(
        "9009",
        code_class=CodeClass.APPLICATION,
        table=TableRow("9009", "Failed to log into the specified SMTP server.", "Plex"),
    )
    assert "Embedded table (Plex): Failed to log into" in explanations_text([plex])


def test_explanation_shows_causes_action_retry_related_rfc_and_notes() -> None:
    text = explanations_text([explanation("550")])
    for needle in (
        "Common causes:",
        "- The address does not exist.",
        "What to do: Check the address",
        "Retry helps: only after fixing the cause",
        "Related: 5.1.1, 5.7.1",
        "RFC: RFC 5321 section 4.2.3",
        "Note: The table's words differ",
    ):
        assert needle in text


def test_explanation_shows_enhanced_meaning_provider_and_reason() -> None:
    exp = explanation(
        "550",
        enhanced="5.7.26",
        enhanced_title="Multiple authentication checks failed",
        enhanced_meaning="Both checks failed.",
        provider=provider(),
        reason="authfailure",
        hard=False,
        reply_text="5.7.26 This mail is unauthenticated",
    )
    text = explanations_text([exp])
    assert text.startswith("550 5.7.26 ·")
    assert "5.7.26: Multiple authentication checks failed. Both checks failed." in text
    assert "Provider (Example Mail): The message failed sender authentication." in text
    assert "Reason: authentication failed (SPF/DKIM/DMARC)\n" in text
    assert "Address status: the address is fine (soft bounce)" in text
    assert "Server said: 5.7.26 This mail is unauthenticated" in text


def test_unknown_code_is_marked_as_explained_by_class() -> None:
    text = explanations_text([explanation("599", known=False, table=None)])
    assert "not a listed code" in text.splitlines()[0]


def test_problems_follow_explanations_with_what_to_type() -> None:
    text = explanations_text([explanation("451")], [problem()])
    assert text.index("451 ·") < text.index("abc is not a code I know.")
    assert "Nearest known codes: 550, 551." in text


def test_long_words_wrap_within_the_terminal_width() -> None:
    exp = explanation("550", action="Check the address and the policy. " * 30)
    assert all(len(line) <= WIDTH for line in explanations_text([exp]).splitlines())


def test_summary_puts_the_verdict_first_then_codes_worst_first() -> None:
    lines = summary_text(summary()).splitlines()
    assert lines[0].startswith("Verdict: Half permanent")
    rows = [line for line in lines if line[:3] in ("550", "451")]
    assert [r[:3] for r in rows] == ["550", "451"]
    assert "permanent" in rows[0] and "50.0%" in rows[0]


def test_summary_rows_show_enhanced_domains_hosts_and_times() -> None:
    text = summary_text(summary())
    block = text[text.index("\n550") : text.index("\n451")]
    assert "enhanced 5.1.1 ×2, 5.7.1 ×1" in block
    assert "domains example.com ×2, example.net ×1" in block
    assert "hosts mx.example.com ×3" in block
    assert "reasons unknown user ×2" in block
    assert "providers Example Mail ×1" in block
    assert "seen 2024-03-03T10:00:01 → 2024-03-03T11:30:00" in block


def test_summary_details_are_packed_into_few_lines() -> None:
    text = summary_text(summary())
    block = text[text.index("\n550") + 1 : text.index("\n451")].splitlines()
    assert 2 <= len(block) <= 4  # the row, then details joined with " · "
    assert " · " in block[1]


def test_example_keeps_the_reply_in_view_when_the_line_is_long() -> None:
    line = (
        "Mar  3 10:00:01 mx1 postfix/smtp[2101]: " + "x=1, " * 30 + "said: 550 5.1.1 no"
    )
    text = summary_text(summary(groups=(group("550", examples=(line,)),)))
    [shown] = [r for r in text.splitlines() if r.startswith("  550")]
    assert "550 5.1.1 no" in shown
    assert len(shown) <= 88


def test_summary_ends_with_examples_and_totals() -> None:
    text = summary_text(summary())
    assert text.index("Examples") < text.index("1,200 lines read (150 KB)")
    assert "6 events found" in text
    assert "formats: postfix ×5, bounce ×1" in text
    assert "7 lines not understood" in text


def test_summary_of_nothing_says_so_and_what_to_try() -> None:
    s = summary(groups=(), events=0, verdict="No reply codes found.")
    text = summary_text(s)
    assert "found no SMTP reply codes" in text
    assert "CODE" not in text


def test_summary_lines_fit_the_width_even_with_long_values() -> None:
    long = group(
        "550",
        examples=("x" * 500,),
        domains=tuple((f"d{i}." + "example.com" * 5, i) for i in range(1, 9)),
    )
    s = summary(groups=(long,), other_codes=4)
    text = summary_text(s)
    assert all(len(line) <= 88 for line in text.splitlines())
    assert "+4 more codes" in text


# --- fixes found by a new-user test ----------------------------------------------


def _codeless(statuses: dict[str, int]) -> CodeGroup:
    count = sum(statuses.values())
    return group(
        "?",
        count,
        code_class=CodeClass.UNKNOWN,
        enhanced={},
        statuses=statuses,
        reasons={"undefined": count},
        explanation=explanation("?", code_class=CodeClass.UNKNOWN, table=None),
    )


def test_summary_meaning_is_the_standard_title_not_the_table_words() -> None:
    # A summary of "550 User unknown" read "The user does not have permission".
    one = group("550", explanation=explanation("550"))
    text = summary_text(summary(groups=(one,)))
    [row] = [line for line in text.splitlines() if line.startswith("550 ")]
    assert row.endswith("Mailbox unavailable")
    assert "permission" not in text


def test_codeless_events_are_shown_as_no_code_with_their_outcome() -> None:
    # ESP events without an SMTP code were "?  Unrecognised code".
    codeless = _codeless({"sent": 5})
    text = summary_text(summary(groups=(group("550"), codeless)))
    [row] = [line for line in text.splitlines() if line.startswith("(no code)")]
    assert "delivered, no SMTP code" in row
    assert "?" not in row and "Unrecognised" not in text
    assert "undefined" not in text


def test_codeless_group_with_mixed_outcomes_lists_them() -> None:
    codeless = _codeless({"sent": 5, "bounced": 3, "info": 1})
    text = summary_text(summary(groups=(codeless,)))
    assert "outcomes reported without an SMTP code" in text
    assert "outcomes delivered ×5, bounced ×3, complaint or notice ×1" in text


def test_totals_say_one_line_not_one_lines() -> None:
    text = summary_text(summary(groups=(group("550", 1),), lines_read=1, unparsed=1))
    assert "1 line read" in text and "1 lines" not in text
    assert "1 event found" in text
    assert "1 line not understood" in text


def test_explanation_reason_shows_a_label_never_an_internal_name() -> None:
    text = explanations_text([explanation("550", reason="userunknown", hard=True)])
    assert "Reason: unknown user\n" in text
    assert "Address status: the address is bad (hard bounce)" in text
    vague = explanations_text([explanation("550", reason="onhold", hard=False)])
    assert "Reason" not in vague and "onhold" not in vague


def test_soft_bounce_under_a_permanent_code_is_explained_not_contradicted() -> None:
    # "permanent failure" in the header beside a bare "soft bounce" read as a
    # contradiction; the address line now says what each one is about.
    exp = explanation("550", enhanced="5.7.26", reason="authfailure", hard=False)
    text = explanations_text([exp])

    assert "soft bounce" not in text.split("Address status:")[0]
    assert (
        "Address status: the address is fine (soft bounce) — this message was"
        " refused for good, so fix the cause, then resend"
    ) in " ".join(text.split())


def test_temporary_soft_bounce_says_the_queue_retries() -> None:
    exp = explanation(
        "452",
        enhanced="4.2.2",
        code_class=CodeClass.TRANSIENT,
        reason="mailboxfull",
        hard=False,
    )

    assert "the queue retries on its own" in explanations_text([exp])


def test_gmail_5_7_26_card_has_one_gmail_note_and_5_7_neighbours() -> None:
    exp = explain_pair(
        "550",
        "5.7.26",
        "550-5.7.26 This mail is unauthenticated, which poses a security risk to"
        " the sender and Gmail users, and has been blocked. gsmtp",
    )
    text = explanations_text([exp])

    notes = [line for line in text.splitlines() if line.startswith("  Note:")]
    assert sum("5.7.26" in note for note in notes) == 1
    assert all(r.startswith("5.7.") for r in exp.related) and exp.related
