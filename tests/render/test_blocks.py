"""Block Kit: cards, summaries and problems stay escaped and inside Slack's limits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge.lookup import explain_pair
from bot.knowledge.records import CodeClass
from bot.render import words
from bot.render.blocks import (
    MAX_BLOCKS,
    check_blocks,
    check_view,
    explanation_blocks,
    home_view,
    problem_blocks,
    share_value,
    summary_blocks,
    text_size,
)
from bot.render.escape import escape
from tests.render.samples import explanation, group, problem, provider, summary

NASTY = "<!channel> <@U0123ABC> <#C0123|general> &lt;!here&gt; `tick` *b* _i_ ~s~ & x"
RAW_PING = re.compile(r"<[!@#]")


def _texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _share_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_explanation_card_is_valid_and_shows_the_code() -> None:
    blocks = explanation_blocks([explanation("550")], share=False)
    assert check_blocks(blocks) == []
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"].startswith("550 · permanent failure")
    body = blocks[1]["text"]["text"]
    assert "*Embedded table (SMTP server):* The user does not have" in body
    assert "*Standard meaning:*" in body
    assert _share_buttons(blocks) == []


def test_share_button_carries_the_action_id_and_the_query() -> None:
    exps = [explanation("550", enhanced="5.7.26"), explanation("451")]
    blocks = explanation_blocks(exps, share=True)
    [button] = _share_buttons(blocks)
    assert button["text"]["text"] == "Share in channel"
    assert button["action_id"] == "share_explanation"
    assert button["value"].splitlines() == ["550 5.7.26", "451"]
    assert check_blocks(blocks) == []


def test_share_value_keeps_the_reply_text_so_providers_are_found_again() -> None:
    exp = explanation(
        "550", enhanced="5.7.26", reply_text="This mail is unauthenticated"
    )
    assert share_value([exp]) == "550 5.7.26 This mail is unauthenticated"


def test_share_value_drops_reply_texts_when_too_long_and_stays_under_2000() -> None:
    exps = [explanation(str(500 + i), reply_text="y" * 900) for i in range(40)]
    value = share_value(exps)
    assert len(value) <= 2000
    assert value.splitlines()[:2] == ["500", "501"]


def test_user_text_in_a_card_is_escaped() -> None:
    exp = explanation("550", reply_text=NASTY, provider=provider(), notes=(NASTY,))
    blocks = explanation_blocks([exp], [problem(NASTY)], share=True)
    assert check_blocks(blocks) == []
    [button] = _share_buttons(blocks)
    assert NASTY in button["value"]  # never shown; parsed again when shared
    button["value"] = ""
    assert not RAW_PING.search(_texts(blocks))
    assert "&lt;!channel&gt;" in _texts(blocks)


def test_many_codes_are_trimmed_with_more_codes_and_stay_in_limits() -> None:
    exps = [explanation(str(500 + i)) for i in range(30)]
    blocks = explanation_blocks(exps, [problem()], share=True)
    assert check_blocks(blocks) == []
    assert len(blocks) <= 40
    assert re.search(r"\+\d+ more codes", _texts(blocks))
    assert _share_buttons(blocks)


def test_huge_fields_are_cut_under_the_section_limit() -> None:
    exp = explanation("550", action="a" * 5000, causes=("c" * 4000,) * 6)
    blocks = explanation_blocks([exp], share=False)
    assert check_blocks(blocks) == []


def test_no_codes_and_no_problems_still_answers() -> None:
    blocks = explanation_blocks([], share=True)
    assert check_blocks(blocks) == []
    assert words.NOT_A_CODE in blocks[0]["text"]["text"]
    assert _share_buttons(blocks) == []


def test_problem_blocks_escape_the_text() -> None:
    [block] = problem_blocks("No code in <!here> & friends")
    assert block["text"]["text"] == "No code in &lt;!here&gt; &amp; friends"


def test_summary_blocks_show_verdict_totals_and_codes_in_order() -> None:
    blocks = summary_blocks(summary(), title="maillog.gz")
    assert check_blocks(blocks) == []
    assert blocks[0]["text"]["text"] == "maillog.gz"
    assert "*Verdict:* Half permanent" in blocks[1]["text"]["text"]
    assert "1,200 lines read" in blocks[2]["elements"][0]["text"]
    codes = _texts(blocks)
    assert codes.index("`550`") < codes.index("`451`")
    assert "`5.1.1` ×2" not in codes  # keys are escaped, not code-spanned
    assert "5.1.1 ×2" in codes and "example.com ×2" in codes


def test_summary_without_codes_says_nothing_was_found() -> None:
    blocks = summary_blocks(summary(groups=(), events=0))
    assert check_blocks(blocks) == []
    assert "found no SMTP reply codes" in _texts(blocks)


def test_large_summary_is_trimmed_with_the_hidden_count() -> None:
    groups = tuple(group(str(400 + i), examples=("z" * 300,)) for i in range(120))
    blocks = summary_blocks(summary(groups=groups, other_codes=5))
    assert check_blocks(blocks) == []
    shown = sum(1 for b in blocks if "`4" in b.get("text", {}).get("text", "")[:3])
    more = int(re.search(r"\+(\d+) more codes", _texts(blocks)).group(1))  # type: ignore[union-attr]
    assert shown > 0
    assert shown + more == 120 + 5


@settings(max_examples=60, deadline=None)
@given(
    verdict=st.text(max_size=4000),
    domain=st.text(min_size=1, max_size=300),
    example=st.text(max_size=3000),
    title=st.text(max_size=400),
    n=st.integers(min_value=1, max_value=70),
)
def test_summary_blocks_fuzz_stay_valid_and_escaped(
    verdict: str, domain: str, example: str, title: str, n: int
) -> None:
    groups = tuple(
        group(f"{domain[:8]}{i}", domains=((domain, 3),), examples=(example,))
        for i in range(n)
    )
    blocks = summary_blocks(
        summary(groups=groups, verdict=verdict or "x", notes=(verdict,)), title=title
    )
    assert check_blocks(blocks) == []
    assert text_size(blocks) <= 11_000


@settings(max_examples=60, deadline=None)
@given(reply=st.text(max_size=3000), note=st.text(max_size=500), n=st.integers(1, 15))
def test_explanation_blocks_fuzz_stay_valid_and_escaped(
    reply: str, note: str, n: int
) -> None:
    exps = [
        explanation(str(550 + i), reply_text=reply, notes=(note,)) for i in range(n)
    ]
    blocks = explanation_blocks(exps, [problem(note or "x")], share=True)
    assert check_blocks(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "needle"),
    [
        ([{"type": "divider"}] * (MAX_BLOCKS + 1), "blocks, over 50"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "header",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "plain_text"),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}],
            "section text",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "fields",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "a field",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "elements",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "b" * 76},
                        }
                    ],
                }
            ],
            "button text",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "b"},
                            "value": "v" * 2001,
                        }
                    ],
                }
            ],
            "button value",
        ),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "hi <!channel>"}}],
            "unescaped mention",
        ),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}] * 4,
            "characters of text",
        ),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": " "}}], "empty text"),
        ([{"type": "image"}], "unexpected block type"),
    ],
)
def test_check_blocks_reports_each_broken_limit(
    blocks: list[dict[str, Any]], needle: str
) -> None:
    assert any(needle in p for p in check_blocks(blocks))


def test_check_blocks_accepts_our_own_shared_by_line() -> None:
    blocks = [
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": words.shared_by("U0123ABC")}],
        }
    ]
    assert check_blocks(blocks) == []


def test_home_view_shows_usage_and_every_table_row_within_limits() -> None:
    from bot.knowledge.lookup import table_rows

    view = home_view()
    assert view["type"] == "home"
    assert check_view(view) == []
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if "text" in b)
    assert "/smtpcode 451" in text
    assert "Summarize SMTP codes" in text
    for row in table_rows():
        assert f"`{row.code}`  {escape(row.description)}" in text


def test_every_known_code_renders_a_valid_card_and_terminal_text() -> None:
    from bot.knowledge.lookup import explain, known_codes
    from bot.render.text import WIDTH, explanations_text

    codes = known_codes()
    assert len(codes) >= 28
    for code in codes:
        exp = explain(code)
        blocks = explanation_blocks([exp], share=True)
        assert check_blocks(blocks) == [], code
        assert _share_buttons(blocks)[0]["value"].split()[0] == exp.label.split()[0]
        lines = explanations_text([exp]).splitlines()
        assert all(len(line) <= WIDTH for line in lines), code


def test_summary_blocks_show_no_code_groups_and_labels_not_internal_names() -> None:
    codeless = group(
        "?",
        4,
        code_class=CodeClass.UNKNOWN,
        statuses={"bounced": 4},
        reasons={"onhold": 3, "userunknown": 1},
    )
    blocks = summary_blocks(summary(groups=(codeless,), lines_read=1))
    text = json.dumps(blocks)
    assert "(no code)" in text and "bounced, no code quoted" in text
    assert "unknown user" in text
    assert "onhold" not in text and "userunknown" not in text
    assert "1 line read" in text
    assert check_blocks(blocks) == []


def test_summary_blocks_use_the_standard_title_as_meaning() -> None:
    one = group("550", explanation=explanation("550"))
    text = json.dumps(summary_blocks(summary(groups=(one,))))
    assert "Mailbox unavailable" in text and "permission to send" not in text


def test_card_shows_the_address_status_and_the_provider_note_once() -> None:
    exp = explain_pair(
        "550",
        "5.7.26",
        "550-5.7.26 This mail is unauthenticated, and has been blocked. gsmtp",
    )
    text = json.dumps(explanation_blocks([exp], share=False))

    assert "the address is fine (soft bounce)" in text
    assert text.count("5.7.26 for single") == 1
    assert "5.7.25" in text and "5.1.10" not in text
