"""The message shortcut and the Home tab, end to end."""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

import pytest

from bot.render import words
from bot.render.blocks import check_blocks, check_view
from tests.slack.harness import (
    POSTFIX,
    USER,
    Canned,
    FakeSlack,
    Running,
    expired,
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


def test_shortcut_reads_the_message_files_and_leaves_no_reading_message(
    running: Running, slack: FakeSlack
) -> None:
    url = slack.add_file("maillog.log", POSTFIX.encode(), content_type="text/plain")
    file = slack_file(url, "maillog.log", len(POSTFIX))
    send_interactive(running, shortcut_payload(slack, "", files=[file]))
    running.settle()
    (reply,) = slack.wait_calls("/resp/shortcut")

    assert len(slack.downloads(url)) == 1
    assert reply.params["response_type"] == "ephemeral"
    assert "550" in reply.text
    assert "Reading" not in reply.text


def test_slow_shortcut_shows_reading_once_then_the_result_as_a_new_message(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(progress_delay=0.01)
    gate = threading.Event()
    url = slack.add_file("maillog.log", POSTFIX.encode(), content_type="text/plain")
    slack.script(
        urlsplit(url).path,
        Canned(body=POSTFIX.encode(), content_type="text/plain", gate=gate),
    )
    file = slack_file(url, "maillog.log", len(POSTFIX))
    send_interactive(app, shortcut_payload(slack, "", files=[file]))
    (progress,) = slack.wait_calls("/resp/shortcut")  # while the download waits
    gate.set()
    app.settle()
    replies = slack.calls("/resp/shortcut")

    assert progress.params["text"].startswith("Reading maillog.log")
    assert progress.params["response_type"] == "ephemeral"
    assert len(replies) == 2 and replies[0] is progress
    assert words.SUMMARY_TITLE in replies[1].text
    assert replies[1].params["response_type"] == "ephemeral"
    # Slack cannot replace a shortcut's ephemeral message: never ask it to.
    assert "replace_original" not in replies[1].params


def test_shortcut_on_many_files_spends_one_response_url_use_on_progress(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(progress_delay=0)
    files, urls = [], []
    for i in range(6):
        name = f"maillog{i}.log"
        urls.append(slack.add_file(name, POSTFIX.encode(), content_type="text/plain"))
        files.append(slack_file(urls[-1], name, len(POSTFIX)))
    send_interactive(app, shortcut_payload(slack, "", files=files))
    app.settle()
    replies = slack.calls("/resp/shortcut")

    assert len(replies) == 2
    assert replies[0].params["text"].startswith("Reading maillog0.log")
    assert words.SUMMARY_TITLE in replies[1].text
    assert [len(slack.downloads(url)) for url in urls] == [1] * 6


def test_shortcut_result_arrives_when_its_response_url_has_expired(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(progress_delay=0)
    slack.script("/resp/shortcut", Canned(200, "ok", content_type="text/plain"))
    slack.script("/resp/shortcut", expired())
    url = slack.add_file("maillog.log", POSTFIX.encode(), content_type="text/plain")
    file = slack_file(url, "maillog.log", len(POSTFIX))
    send_interactive(app, shortcut_payload(slack, "", files=[file]))
    app.settle()
    (fallback,) = slack.calls("/api/chat.postEphemeral")

    assert len(slack.calls("/resp/shortcut")) == 2
    assert fallback.params["user"] == USER
    assert words.SUMMARY_TITLE in fallback.text


def test_shortcut_summary_offers_share_in_channel(
    running: Running, slack: FakeSlack
) -> None:
    send_interactive(running, shortcut_payload(slack, POSTFIX))
    running.settle()
    (reply,) = slack.wait_calls("/resp/shortcut")

    buttons = [e for b in reply.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [words.SHARE_SUMMARY_ACTION_ID]


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
