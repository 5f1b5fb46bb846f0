"""Reading queries: the forgiving forms, pasted reply lines, bad input, logs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import reasons
from bot.knowledge.query import MAX_CODES, looks_like_log, parse_query
from bot.knowledge.records import CodeClass

Codes = list[tuple[str | None, str | None]]


def _codes(text: str) -> Codes:
    """The (reply, enhanced) pairs a query explains, in order."""
    return [(e.code, e.enhanced) for e in parse_query(text).explanations]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("451", [("451", None)]),
        ("4.7.1", [(None, "4.7.1")]),
        ("550 5.7.26", [("550", "5.7.26")]),
        ("550-5.7.26", [("550", "5.7.26")]),
        ("smtp; 550 5.1.1", [("550", "5.1.1")]),
        ("#5.1.1", [(None, "5.1.1")]),
        ("#550 5.1.1", [("550", "5.1.1")]),
        ("5xx", [("5xx", None)]),
        ("4xx", [("4xx", None)]),
        ("0", [("0", None)]),
        ("9009", [("9009", None)]),
        ("421 5.7.32", [("421", "5.7.32")]),
        ("421 550 4.7.1", [("421", None), ("550", None), (None, "4.7.1")]),
        ("550 5.7.26 4.2.2", [("550", "5.7.26"), (None, "4.2.2")]),
        ("421, 450, 451", [("421", None), ("450", None), ("451", None)]),
        ("what does 550 5.7.1 mean?", [("550", "5.7.1")]),
        ("<@U0123ABCD> 451", [("451", None)]),
        ("*550* (5.1.1)", [("550", "5.1.1")]),
        ("550 550 5.1.1", [("550", "5.1.1")]),
        ("451 451", [("451", None)]),
        ("Plex says error 9009", [("9009", None)]),
    ],
)
def test_query_forms_are_read(text: str, expected: Codes) -> None:
    query = parse_query(text)
    assert _codes(text) == expected
    assert query.problems == ()
    assert not query.looks_like_log


def test_pasted_reply_line_explains_its_codes_and_keeps_the_text() -> None:
    line = "host mx.example.net said: 452 4.2.2 mailbox full"
    query = parse_query(line)
    assert _codes(line) == [("452", "4.2.2")]
    assert query.explanations[0].reply_text == line
    assert not query.looks_like_log
    assert query.problems == ()


def test_pasted_reply_text_reaches_the_reasons_layer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = []
    real = reasons.classify

    def spy(code: str | None, enhanced: str | None, text: str) -> reasons.Verdict:
        seen.append((code, enhanced, text))
        return real(code, enhanced, text)

    monkeypatch.setattr(reasons, "classify", spy)
    parse_query("host mx.example.net said: 452 4.2.2 mailbox full")
    assert seen == [
        ("452", "4.2.2", "host mx.example.net said: 452 4.2.2 mailbox full")
    ]


def test_typed_codes_carry_no_reply_text() -> None:
    assert parse_query("550 5.1.1").explanations[0].reply_text == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "mx.example.net[192.0.2.1]:25 said: 550 5.1.1 user unknown",
            [("550", "5.1.1")],
        ),
        ("connect to 198.51.100.250:25: 421 4.4.2 timed out", [("421", "4.4.2")]),
        ("smtp[1234] got 451 4.3.0 try later", [("451", "4.3.0")]),
        ("pid [511] said 550 5.7.1 refused", [("550", "5.7.1")]),
        ("size=1234 nrcpt=250 rejected: 552 5.3.4 too big", [("552", "5.3.4")]),
        ("at 12:03:45 the server said 554 5.7.1 blocked", [("554", "5.7.1")]),
        (
            "message of 2048 bytes refused: 550 5.7.26 unauthenticated",
            [("550", "5.7.26")],
        ),
        ("retry 0 of 1: 421 4.7.0 slow down", [("421", "4.7.0")]),
        ("dsn=5.1.1 said: 550 5.1.1 no such user", [("550", "5.1.1")]),
        ("550-Mailbox unavailable for this address", [("550", None)]),
    ],
)
def test_numbers_that_are_not_codes_are_ignored_in_pasted_lines(
    line: str, expected: Codes
) -> None:
    query = parse_query(line)
    assert _codes(line) == expected
    assert query.problems == ()


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("abc", ""),
        ("99999", "99999"),
        ("4.7", "4.7"),
        ("", ""),
        ("   \n ", ""),
        ("x" * 10_000, "10000"),
        ("5" * 10_000, "10000"),
        ("<!channel>", ""),
        ("6.1.1", "6.1.1"),
    ],
)
def test_bad_queries_give_short_problems_and_no_explanations(
    text: str, wanted: str
) -> None:
    query = parse_query(text)
    assert query.explanations == ()
    assert query.problems
    for problem in query.problems:
        assert 0 < len(problem.problem) < 200
        assert wanted in problem.problem


def test_mistyped_code_problem_names_the_nearest_codes() -> None:
    (problem,) = parse_query("99999").problems
    assert "9999" in problem.suggestions
    (problem,) = parse_query("4.7").problems
    assert problem.suggestions and all(
        s.startswith("4.7.") for s in problem.suggestions
    )


def test_good_and_bad_codes_together_give_both() -> None:
    query = parse_query("550 99999")
    assert [e.code for e in query.explanations] == ["550"]
    assert len(query.problems) == 1


def test_number_of_codes_is_capped_with_a_problem_saying_so() -> None:
    text = " ".join(str(code) for code in range(500, 520))
    query = parse_query(text)
    assert len(query.explanations) == MAX_CODES
    assert any(str(MAX_CODES) in p.problem for p in query.problems)


def test_gmail_multi_line_reply_gives_one_pair_and_counts_as_a_log() -> None:
    text = (
        "550-5.7.26 This mail has been blocked because the sender is\n"
        "550-5.7.26 unauthenticated. See the sender guidelines.\n"
        "550 5.7.26 example.com gsmtp"
    )
    query = parse_query(text)
    assert _codes(text) == [("550", "5.7.26")]
    assert query.looks_like_log


def test_postfix_log_line_is_a_log_and_its_reply_is_explained() -> None:
    line = (
        "Jan 12 12:03:45 mx postfix/smtp[1234]: 3F2A: to=<a@example.com>, "
        "relay=mx.example.net[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, "
        "dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 "
        "<a@example.com>: Recipient address rejected: User unknown)"
    )
    query = parse_query(line)
    assert query.looks_like_log
    assert _codes(line) == [("550", "5.1.1")]


def test_too_long_log_is_left_to_the_summarizer() -> None:
    line = "Jan 12 12:03:45 mx postfix/smtp[1234]: status=bounced 550 5.1.1\n"
    query = parse_query(line * 200)
    assert query.looks_like_log
    assert query.explanations == () and query.problems == ()


@pytest.mark.parametrize(
    "text",
    [
        "line one 550\nline two 451",
        "Jan 12 12:03:45 mx postfix/smtp[1234]: deferred",
        "2024-05-01T12:03:45Z delivery failed 550",
        "1Rx4-0001 ** b@example.org R=dnslookup: 550 5.1.1 unknown",
        "queue 3F2A dsn=4.4.1, status=deferred",
        '{"event": "bounce", "code": 550}',
        "timestamp,recipient,status,code",
        "sendmail[311]: stat=Deferred: 451 4.3.0",
    ],
)
def test_log_like_text_is_recognised(text: str) -> None:
    assert looks_like_log(text)
    assert parse_query(text).looks_like_log


@pytest.mark.parametrize(
    "text",
    [
        "451",
        "550 5.7.26",
        "what is 550?",
        "host mx.example.net said: 452 4.2.2 mailbox full",
        "smtp; 550 5.1.1",
        "421\n450\n451",
    ],
)
def test_questions_and_single_reply_lines_are_not_logs(text: str) -> None:
    assert not parse_query(text).looks_like_log


def test_class_query_is_explained_as_a_class() -> None:
    (explanation,) = parse_query("5xx").explanations
    assert explanation.code_class is CodeClass.PERMANENT


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_query_never_raises_and_stays_within_the_cap(text: str) -> None:
    query = parse_query(text)
    assert len(query.explanations) <= MAX_CODES
    assert query.explanations or query.problems or query.looks_like_log


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["550", "5.7.26", "-", "abc", "99999", "4.7", "#", "x.y", ":25"]
        ),
        max_size=12,
    )
)
def test_parse_query_handles_any_mix_of_code_like_words(words: list[str]) -> None:
    query = parse_query(" ".join(words))
    assert len(query.explanations) <= MAX_CODES
    for explanation in query.explanations:
        assert explanation.title


def test_typo_in_a_pair_is_a_did_you_mean_not_a_pasted_reply() -> None:
    # "550 55O" was read as a server reply and got "Reason: onhold".
    query = parse_query("550 55O")
    assert _codes("550 55O") == [("550", None)]
    assert query.explanations[0].reply_text == ""
    assert query.explanations[0].reason is None
    (problem,) = query.problems
    assert "did you mean 550?" in problem.problem


@pytest.mark.parametrize("text", ["5 9 9", "599", "what is 5 9 9?"])
def test_spaced_digits_are_read_as_one_code(text: str) -> None:
    query = parse_query(text)
    assert query.explanations == ()
    (problem,) = query.problems
    assert "599" in problem.problem and "second digit" in problem.problem


def test_spaced_digits_of_a_real_code_are_explained() -> None:
    assert _codes("4 5 1") == [("451", None)]


def test_comma_for_dot_is_offered_back_with_dots() -> None:
    query = parse_query("5,7,1")
    assert query.explanations == ()
    assert [p.suggestions for p in query.problems] == [("5.7.1",)]
