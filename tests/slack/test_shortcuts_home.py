"""The message shortcut and the Home tab, end to end."""

from __future__ import annotations

import logging

import pytest

from bot.render import words
from bot.render.blocks import check_blocks, check_view
from tests.slack.harness import (
    POSTFIX,
    USER,
    FakeSlack,
    Running,
    send_event,
    send_interactive,
    shortcut_payload,
    slack_file,
    wait_for,
)


def test_shortcut_on_a_pasted_log_answers_privately_with_a_summary(
    running: Running, slack: FakeSlack
) -> None:
    payload = shortcut_payload(slack, POSTFIX, thread_ts="1700000000.000001")
    answer = send_interactive(running, payload)
    running.settle()
    replies = slack.wait_calls("/resp/shortcut")

    assert answer.status == 200
    assert replies[-1].params["response_type"] == "ephemeral"
    assert words.SUMMARY_TITLE in replies[-1].text
    assert "550" in replies[-1].text
    assert check_blocks(replies[-1].blocks) == []


def test_shortcut_on_a_message_with_codes_explains_them_with_a_share_button(
    running: Running, slack: FakeSlack
) -> None:
    send_interactive(running, shortcut_payload(slack, "we got 550 5.7.26 from them"))
    (reply,) = slack.wait_calls("/resp/shortcut")

    assert reply.params["response_type"] == "ephemeral"
    assert "5.7.26" in reply.text
    assert "share_explanation" in reply.text


def test_shortcut_reads_the_message_files(running: Running, slack: FakeSlack) -> None:
    url = slack.add_file("maillog.log", POSTFIX.encode(), content_type="text/plain")
    file = slack_file(url, "maillog.log", len(POSTFIX))
    send_interactive(running, shortcut_payload(slack, "", files=[file]))
    running.settle()
    replies = slack.wait_calls("/resp/shortcut", 2)

    assert replies[0].params["text"].startswith("Reading maillog.log")
    assert replies[-1].params["replace_original"] is True
    assert "550" in replies[-1].text


def test_shortcut_on_an_empty_message_says_what_it_needs(
    running: Running, slack: FakeSlack
) -> None:
    send_interactive(running, shortcut_payload(slack, ""))
    (reply,) = slack.wait_calls("/resp/shortcut")

    assert words.SHORTCUT_NOTHING.split(".")[0] in reply.text


def test_home_tab_is_published_for_the_user(running: Running, slack: FakeSlack) -> None:
    event = {
        "type": "app_home_opened",
        "user": USER,
        "channel": "D0HOME",
        "tab": "home",
    }
    send_event(running, event)
    (publish,) = slack.wait_calls("/api/views.publish")

    assert publish.params["user_id"] == USER
    assert publish.params["view"]["type"] == "home"
    assert check_view(publish.params["view"]) == []


def test_messages_tab_does_not_publish_the_home_view(
    running: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.slack.requestlog")
    event = {
        "type": "app_home_opened",
        "user": USER,
        "channel": "D0HOME",
        "tab": "messages",
    }
    send_event(running, event)

    wait_for(lambda: "skipped" in caplog.text, what="the home listener")
    assert slack.calls("/api/views.publish") == []
