"""Mentions, direct messages, pasted logs and attached files, end to end."""

from __future__ import annotations

import json

from pytest_httpserver import HTTPServer

from bot.render import words
from bot.render.blocks import check_blocks
from tests.slack.harness import (
    BOT_ID,
    BOT_TOKEN,
    CHANNEL,
    DM_CHANNEL,
    POSTFIX,
    USER,
    FakeSlack,
    Running,
    api_error,
    direct,
    gz,
    mention,
    send_event,
    slack_file,
)


def final_answer(slack: FakeSlack) -> dict:
    """The last message the app posted or updated (the answer, after progress)."""
    posts = [
        s
        for s in slack.posts()
        if s.path in ("/api/chat.update", "/api/chat.postMessage") and s.blocks
    ]
    assert posts, "no answer was posted"
    return posts[-1]


def test_mention_with_codes_is_answered_in_a_new_thread(
    running: Running, slack: FakeSlack
) -> None:
    event = mention("what is 550 5.7.1?")
    send_event(running, event)
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert post.params["channel"] == CHANNEL
    assert post.params["thread_ts"] == event["ts"]
    assert "550" in post.text and "5.7.1" in post.text
    assert "share_explanation" not in post.text
    assert check_blocks(post.blocks) == []


def test_mention_inside_a_thread_answers_in_that_thread(
    running: Running, slack: FakeSlack
) -> None:
    send_event(running, mention("451", thread_ts="1700000000.000001"))
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert post.params["thread_ts"] == "1700000000.000001"


def test_direct_message_with_a_code_is_answered_in_its_thread(
    running: Running, slack: FakeSlack
) -> None:
    event = direct("421")
    send_event(running, event)
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert post.params["channel"] == DM_CHANNEL
    assert post.params["thread_ts"] == event["ts"]
    assert "421" in post.text


def test_pasted_log_in_a_code_block_gets_a_summary_in_the_thread(
    running: Running, slack: FakeSlack
) -> None:
    slack_text = (
        "here is the log:\n```"
        + POSTFIX.replace("<", "&lt;").replace(">", "&gt;")
        + "```"
    )
    send_event(running, mention(slack_text))
    running.settle()
    post = final_answer(slack)

    assert post.params.get("thread_ts", "1700000100.000100") == "1700000100.000100"
    assert words.SUMMARY_TITLE in post.text
    assert "550" in post.text and "451" in post.text
    assert "ann@example.com" not in post.text
    assert check_blocks(post.blocks) == []


def test_hostile_markup_in_a_pasted_log_never_reaches_slack_unescaped(
    running: Running, slack: FakeSlack
) -> None:
    hostile = (
        POSTFIX + "\nJan  1 10:00:04 mx postfix/smtp[14]: 7D4E: to=<dee@example.com>, "
        "status=bounced (host said: 550 5.7.1 <!channel> <!here> <@U123> "
        "<https://evil.example|click> *bold* `tick` ~strike~ &amp; <!subteam^S1|@ops>)"
    )
    send_event(running, direct(hostile))
    running.settle()

    sent = json.dumps([s.params for s in slack.posts()])
    for control in ("<!channel>", "<!here>", "<@U123>", "<https://evil", "<!subteam"):
        assert control not in sent
    assert check_blocks(final_answer(slack).blocks) == []


def test_attached_log_file_is_downloaded_with_the_token_and_summarized(
    running: Running, slack: FakeSlack
) -> None:
    url = slack.add_file("maillog.log", POSTFIX.encode(), content_type="text/plain")
    file = slack_file(url, "maillog.log", len(POSTFIX))
    send_event(running, direct("", subtype="file_share", files=[file]))
    running.settle()

    (download,) = slack.downloads(url)
    progress = slack.calls("/api/chat.postMessage")[0]
    (update,) = slack.calls("/api/chat.update")
    assert download.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert progress.params["text"].startswith("Reading maillog.log")
    assert update.params["ts"]
    assert words.SUMMARY_TITLE in update.text
    assert "550" in update.text


def test_gzipped_log_is_read_by_its_content_whatever_its_name(
    running: Running, slack: FakeSlack
) -> None:
    url = slack.add_file("maillog.txt", gz(POSTFIX))
    send_event(
        running, mention("", files=[slack_file(url, "maillog.txt", len(gz(POSTFIX)))])
    )
    running.settle()

    answer = final_answer(slack)
    assert "550" in answer.text and "451" in answer.text


def test_file_over_the_size_limit_is_refused_without_downloading(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(max_file_bytes=1000)
    url = slack.add_file("huge.log", b"x")
    send_event(
        app, direct("", subtype="file_share", files=[slack_file(url, "huge.log", 5000)])
    )
    app.settle()

    assert slack.downloads(url) == []
    assert "huge.log is larger than" in final_answer(slack).text


def test_file_growing_past_the_limit_while_downloading_is_stopped(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(max_file_bytes=2000)
    url = slack.add_file("liar.log", POSTFIX.encode() * 20, stream=True)
    send_event(
        app, direct("", subtype="file_share", files=[slack_file(url, "liar.log", 100)])
    )
    app.settle()

    assert "liar.log is larger than" in final_answer(slack).text


def test_file_streaming_far_past_its_stated_size_is_stopped_with_a_reason(
    start_app, slack: FakeSlack
) -> None:
    # A file that claimed 10 bytes used to be read up to the 200 MB cap.
    app = start_app()
    url = slack.add_file("liar.log", POSTFIX.encode() * 2000, stream=True)
    send_event(
        app, direct("", subtype="file_share", files=[slack_file(url, "liar.log", 10)])
    )
    app.settle()

    assert "liar.log turned out larger than Slack said" in final_answer(slack).text


def test_login_page_instead_of_the_file_explains_files_read(
    running: Running, slack: FakeSlack
) -> None:
    page = b"<!DOCTYPE html><html><head><title>Slack</title></head></html>"
    url = slack.add_file("maillog.log", page, content_type="text/html; charset=utf-8")
    send_event(
        running,
        direct("", subtype="file_share", files=[slack_file(url, "maillog.log", 60)]),
    )
    running.settle()

    assert "files:read" in final_answer(slack).text


def test_token_is_never_sent_to_a_file_on_another_host(
    running: Running, slack: FakeSlack, foreign: HTTPServer
) -> None:
    file = slack_file(foreign.url_for("/steal.log"), "steal.log", 20)
    send_event(running, direct("", subtype="file_share", files=[file]))
    running.settle()

    assert foreign.log == []
    assert "steal.log" in final_answer(slack).text


def test_redirect_from_the_file_host_is_not_followed(
    running: Running, slack: FakeSlack, foreign: HTTPServer
) -> None:
    url = slack.add_file(
        "moved.log",
        b"",
        status=302,
        headers={"Location": foreign.url_for("/steal.log")},
    )
    send_event(
        running,
        direct("", subtype="file_share", files=[slack_file(url, "moved.log", 20)]),
    )
    running.settle()

    assert foreign.log == []
    assert "moved.log" in final_answer(slack).text


def test_restricted_file_is_looked_up_with_files_info_first(
    running: Running, slack: FakeSlack
) -> None:
    url = slack.add_file("shared.log", POSTFIX.encode(), content_type="text/plain")
    slack.file_infos["F0SHARED"] = slack_file(
        url, "shared.log", len(POSTFIX), id="F0SHARED"
    )
    hidden = {"id": "F0SHARED", "file_access": "check_file_info", "mode": "hosted"}
    send_event(running, direct("", subtype="file_share", files=[hidden]))
    running.settle()

    (info,) = slack.calls("/api/files.info")
    assert info.params["file"] == "F0SHARED"
    assert len(slack.downloads(url)) == 1
    assert "550" in final_answer(slack).text


def test_unsupported_attachment_is_named_in_the_reply(
    running: Running, slack: FakeSlack
) -> None:
    file = slack_file(slack.url("/x.png"), "screen.png", 10, mimetype="image/png")
    send_event(running, direct("", subtype="file_share", files=[file]))
    running.settle()

    assert "screen.png" in final_answer(slack).text
    assert slack.calls("/x.png") == []


def test_messages_from_bots_are_ignored(running: Running, slack: FakeSlack) -> None:
    send_event(running, direct("451", bot_id="B0OTHER", user="U0OTHERBOT"))
    send_event(running, direct("451", bot_id=BOT_ID, user="UBOT"))
    send_event(running, direct("550", ts="1700000300.000100"))
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert post.params["thread_ts"] == "1700000300.000100"
    assert len(slack.calls("/api/chat.postMessage")) == 1


def test_not_in_channel_falls_back_to_a_direct_message(
    running: Running, slack: FakeSlack
) -> None:
    slack.script("/api/chat.postMessage", api_error("not_in_channel"))
    send_event(running, mention("451"))
    calls = slack.wait_calls("/api/chat.postMessage", 2)

    assert calls[0].params["channel"] == CHANNEL
    assert calls[1].params["channel"] == USER
    assert "451" in calls[1].text


def test_binary_file_with_a_log_name_is_refused_by_its_content(
    running: Running, slack: FakeSlack
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    url = slack.add_file("maillog.log", png)
    file = slack_file(url, "maillog.log", len(png))
    send_event(running, direct("", subtype="file_share", files=[file]))
    running.settle()

    assert words.binary_file("maillog.log") in final_answer(slack).text


def test_gzip_bomb_is_stopped_and_explained(start_app, slack: FakeSlack) -> None:
    app = start_app(max_text_bytes=1_000_000)
    bomb = gz("550 5.1.1 " * 500_000)
    url = slack.add_file("maillog.gz", bomb)
    file = slack_file(url, "maillog.gz", len(bomb))
    send_event(app, direct("", subtype="file_share", files=[file]))
    app.settle()

    text = final_answer(slack).text
    assert words.gzip_bomb("maillog.gz") in text


def test_bare_mention_gets_usage_in_the_thread(
    running: Running, slack: FakeSlack
) -> None:
    send_event(running, mention(""))
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert "/smtpcode 451" in post.text
    assert post.params["thread_ts"] == "1700000100.000100"
