"""Escaping for Slack: only & < >, never twice, safe code spans, cutting."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.escape import (
    code_block,
    code_span,
    cut,
    escape,
    excerpt,
    plain_text,
    unescape,
)


def test_escape_replaces_only_the_three_control_characters() -> None:
    assert escape("a & b < c > d 'e' \"f\" *g* _h_") == (
        "a &amp; b &lt; c &gt; d 'e' \"f\" *g* _h_"
    )


@pytest.mark.parametrize(
    ("slack_text", "expected"),
    [
        ("&lt;!channel&gt;", "&lt;!channel&gt;"),
        ("R&amp;D", "R&amp;D"),
        ("&amp;lt; typed literally", "&amp;lt; typed literally"),
        ("5 &gt; 4 & 3 < 2", "5 &gt; 4 &amp; 3 &lt; 2"),
    ],
)
def test_escape_does_not_double_escape_text_from_slack(
    slack_text: str, expected: str
) -> None:
    assert escape(slack_text) == expected


@given(st.text())
def test_escape_is_idempotent_and_leaves_no_raw_angle_brackets(text: str) -> None:
    once = escape(text)
    assert escape(once) == once
    assert "<" not in once and ">" not in once


@given(st.text())
def test_unescape_inverts_escape_of_plain_text(text: str) -> None:
    assert unescape(escape(text)) == unescape(text)


def test_code_span_neutralises_backticks_mentions_and_newlines() -> None:
    span = code_span("`<!channel>` ping\nsecond line")
    assert span.startswith("`") and span.endswith("`")
    assert span.count("`") == 2
    assert "<!channel>" not in span
    assert "&lt;!channel&gt;" in span
    assert "\n" not in span


def test_code_span_is_length_capped_and_blank_gives_nothing() -> None:
    assert len(code_span("x" * 5000, limit=100)) <= 102
    assert code_span("   \n ") == ""


def test_code_block_content_cannot_close_the_fence() -> None:
    block = code_block(["before ``` after", "<@U123>"])
    assert block.count("```") == 2
    assert "<@U123>" not in block


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_cut_never_exceeds_the_limit(text: str, n: int) -> None:
    result = cut(text, n)
    assert len(result) <= n
    if len(text) <= n:
        assert result == text
    else:
        assert result.endswith("…")


def test_cut_never_leaves_half_an_entity() -> None:
    escaped = escape("a" * 10 + "&&&&")
    for n in range(11, len(escaped)):
        result = cut(escaped, n)
        assert re.findall(r"&(?!amp;|lt;|gt;)", result) == []


def test_plain_text_replaces_angle_brackets_for_headers() -> None:
    assert "<" not in plain_text("report <!here> &lt;x&gt;")


def test_excerpt_keeps_the_text_around_the_last_mark() -> None:
    line = "head " * 40 + "said: 550 5.1.1 user unknown"
    shown = excerpt(line, 40, around="550")
    assert len(shown) <= 40
    assert shown.startswith("…") and "550 5.1.1 user unknown" in shown
    assert excerpt("short line", 40, around="550") == "short line"
    assert excerpt("no mark " * 20, 30, around="550") == cut("no mark " * 20, 30)
