"""The user-visible sentences: sizes, error replies, Slack texts."""

from __future__ import annotations

import pytest

from bot.knowledge.errors import InputError, QueryError
from bot.knowledge.records import CodeClass
from bot.render import words
from tests.render.samples import explanation, problem


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 B"),
        (512, "512 B"),
        (48_000, "48 KB"),
        (1_234_567, "1.2 MB"),
        (48_000_000, "48 MB"),
        (3_400_000_000, "3.4 GB"),
    ],
)
def test_size_text_reads_like_people_say_it(n: int, expected: str) -> None:
    assert words.size_text(n) == expected


def test_reading_progress_names_the_file_and_its_size() -> None:
    assert (
        words.reading_progress("maillog.gz", 48_000_000) == "Reading maillog.gz, 48 MB…"
    )


def test_slack_texts_match_the_issue() -> None:
    assert words.SHARE_BUTTON == "Share in channel"
    assert words.SHORTCUT_NAME == "Summarize SMTP codes"
    assert words.SHARE_ACTION_ID == "share_explanation"


def test_query_error_text_gives_problem_suggestions_and_what_to_type() -> None:
    text = words.query_error_text(problem("abc is not a code I know."))
    assert text.startswith("abc is not a code I know.")
    assert "550, 551" in text
    assert "451" in text and "5.7.1" in text


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("too_big", "larger than"),
        ("binary", "text log"),
        ("bomb", "unpacks"),
        ("html", "files:read"),
        ("unreadable", "could not read"),
        ("timeout", "too long"),
    ],
)
def test_input_error_text_says_what_was_wrong_and_what_to_do(
    kind: str, needle: str
) -> None:
    error = InputError(kind, "detail", name="maillog.gz")
    text = words.input_error_text(error, limit=50_000_000)
    assert needle in text
    assert "maillog.gz" in text
    # What went wrong, then at least one more sentence saying what to try.
    assert text.count(". ") >= 1 and text.endswith(".")


@pytest.mark.parametrize(
    "reply",
    [
        words.download_failed("a.log", "HTTP 500"),
        words.timed_out("a.log"),
        words.NOTHING_FOUND,
        words.html_instead_of_file("a.log"),
    ],
)
def test_error_replies_end_with_a_next_step(reply: str) -> None:
    sentences = [s for s in reply.split(". ") if s]
    assert len(sentences) >= 2


def test_top_counts_orders_biggest_first_and_counts_the_rest() -> None:
    text = words.top_counts({"a": 1, "b": 5, "c": 3, "d": 2}, n=2)
    assert text == "b ×5, c ×3 (+2 more)"


def test_share_text_handles_tiny_and_whole_shares() -> None:
    assert words.share_text(1.0) == "100.0%"
    assert words.share_text(0.0004) == "<0.1%"
    assert words.share_text(0.256) == "25.6%"


def test_short_meaning_shows_the_standard_title_not_the_table_words() -> None:
    # A summary row of "550 User unknown" read "The user does not have permission
    # to send."; the table's words belong in explanations, labelled.
    assert words.short_meaning(explanation("550")) == "Mailbox unavailable"
    assert words.short_meaning(explanation("550", table=None)) == "Mailbox unavailable"


def test_every_class_has_a_short_word() -> None:
    assert {words.class_short(c) for c in CodeClass} >= {"permanent", "temporary"}
    assert len({words.class_short(c) for c in CodeClass}) == len(CodeClass)


def test_query_error_text_does_not_repeat_a_did_you_mean_code() -> None:
    error = QueryError("55O looks like a typo: did you mean 550?", suggestions=("550",))
    text = words.query_error_text(error)
    assert "did you mean 550?" in text
    assert "Nearest known codes" not in text


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [(1, "line", "1 line"), (0, "line", "0 lines"), (1682, "event", "1,682 events")],
)
def test_plural_counts_read_right(n: int, noun: str, expected: str) -> None:
    assert words.plural(n, noun) == expected


def test_reason_counts_use_labels_and_drop_vague_reasons() -> None:
    counts = {"userunknown": 2, "onhold": 5, "undefined": 1, "mesgtoobig": 1, "": 1}
    assert words.reason_counts(counts) == {"unknown user": 2, "message too large": 1}


def test_size_mismatch_says_what_happened_and_what_to_do() -> None:
    from bot.knowledge.errors import InputError
    from bot.render import words

    text = words.input_error_text(InputError("size_mismatch", "x", "liar.log"))
    assert "liar.log" in text and "larger than Slack said" in text
    assert "Upload it again" in text
