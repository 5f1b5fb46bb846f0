"""/smtpcode and the Share button, end to end: signed requests in, Slack calls out."""

from __future__ import annotations

import json
import threading

from bot.render import words
from bot.render.blocks import check_blocks
from tests.slack.harness import (
    CHANNEL,
    POSTFIX,
    USER,
    WAIT,
    Canned,
    FakeSlack,
    Running,
    api_error,
    expired,
    send_command,
    send_interactive,
    share_payload,
)


def actions(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_code_answers_privately_with_a_card_and_a_share_button(
    running: Running, slack: FakeSlack
) -> None:
    answer = send_command(running, slack, "451")
    (reply,) = slack.wait_calls("/resp/command")

    assert answer.status == 200
    assert reply.params["response_type"] == "ephemeral"
    assert "451" in reply.text
    assert [a["action_id"] for a in actions(reply.blocks)] == ["share_explanation"]
    assert check_blocks(reply.blocks) == []


def test_acknowledgement_does_not_wait_for_the_answer(
    running: Running, slack: FakeSlack
) -> None:
    gate = threading.Event()
    slack.script(
        "/resp/command", Canned(body="ok", content_type="text/plain", gate=gate)
    )

    answer = send_command(running, slack, "550 5.7.26")
    answered_before_ack = any(c.answered for c in slack.calls("/resp/command"))
    gate.set()

    assert answer.status == 200
    assert not answered_before_ack
    assert slack.wait_calls("/resp/command")


def test_no_text_or_help_gives_usage(running: Running, slack: FakeSlack) -> None:
    send_command(running, slack, "")
    send_command(running, slack, "help", response_url=slack.url("/resp/help"))
    (empty,) = slack.wait_calls("/resp/command")
    (help_,) = slack.wait_calls("/resp/help")

    for reply in (empty, help_):
        assert reply.params["response_type"] == "ephemeral"
        assert "/smtpcode 451" in reply.text
        assert actions(reply.blocks) == []


def test_bad_query_gets_a_short_reply_with_what_to_type(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, "99999")
    (reply,) = slack.wait_calls("/resp/command")

    assert reply.params["response_type"] == "ephemeral"
    assert words.QUERY_HINT in reply.text
    assert actions(reply.blocks) == []
    assert len(reply.blocks) <= 3


def test_share_posts_the_card_in_channel_and_deletes_the_private_one(
    running: Running, slack: FakeSlack
) -> None:
    value = "550 5.1.1 host said: 550 5.1.1 <jane.doe@example.com>: unknown user"
    answer = send_interactive(running, share_payload(slack, value))
    (shared,) = slack.wait_calls("/resp/share")

    assert answer.status == 200
    assert shared.params["response_type"] == "in_channel"
    assert shared.params["delete_original"] is True
    assert shared.params["replace_original"] is False
    assert actions(shared.blocks) == []
    assert "550" in shared.text
    assert "jane.doe" not in shared.text
    assert f"Shared by <@{USER}>" in shared.text
    assert check_blocks(shared.blocks) == []


def test_share_with_an_expired_response_url_posts_with_the_bot_instead(
    running: Running, slack: FakeSlack
) -> None:
    slack.script("/resp/share", expired())

    send_interactive(running, share_payload(slack, "451"))
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert post.params["channel"] == CHANNEL
    assert "451" in post.text


def test_share_where_the_bot_may_not_post_tells_the_user_how_to_fix_it(
    running: Running, slack: FakeSlack
) -> None:
    slack.script("/resp/share", expired())
    slack.script("/api/chat.postMessage", api_error("not_in_channel"))

    send_interactive(running, share_payload(slack, "451"))
    (note,) = slack.wait_calls("/api/chat.postEphemeral")

    assert note.params["user"] == USER
    assert "/invite" in note.text


def test_expired_command_response_url_falls_back_to_an_ephemeral_post(
    running: Running, slack: FakeSlack
) -> None:
    slack.script("/resp/command", expired())

    send_command(running, slack, "451")
    (post,) = slack.wait_calls("/api/chat.postEphemeral")

    assert post.params["channel"] == CHANNEL
    assert post.params["user"] == USER
    assert "451" in post.text


def test_expired_response_url_outside_the_channel_falls_back_to_a_dm(
    running: Running, slack: FakeSlack
) -> None:
    slack.script("/resp/command", expired())
    slack.script("/api/chat.postEphemeral", api_error("not_in_channel"))

    send_command(running, slack, "451")
    (dm,) = slack.wait_calls("/api/chat.postMessage")

    assert dm.params["channel"] == USER
    assert "451" in dm.text


def test_pasted_log_after_the_command_is_summarized(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, POSTFIX)
    running.settle()
    (reply,) = slack.wait_calls("/resp/command")

    assert reply.params["response_type"] == "ephemeral"
    assert words.SUMMARY_TITLE in reply.text
    assert "451" in reply.text and "550" in reply.text
    assert "ann@example.com" not in reply.text
    assert check_blocks(reply.blocks) == []
    assert json.dumps(reply.params).count("Try again later") <= 1


def summary_share_button(blocks: list[dict]) -> dict:
    (button,) = [
        e for e in actions(blocks) if e["action_id"] == words.SHARE_SUMMARY_ACTION_ID
    ]
    return button


def test_private_summary_offers_share_and_the_click_posts_it_in_channel(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, POSTFIX)
    running.settle()
    (private,) = slack.wait_calls("/resp/command")
    button = summary_share_button(private.blocks)

    payload = share_payload(slack, button["value"], words.SHARE_SUMMARY_ACTION_ID)
    answer = send_interactive(running, payload)
    running.settle()
    (shared,) = slack.wait_calls("/resp/share")

    assert answer.status == 200
    assert private.blocks[-1]["type"] == "actions"
    assert len(button["value"]) <= 2000
    assert shared.params["response_type"] == "in_channel"
    assert shared.params["delete_original"] is True
    assert shared.params["replace_original"] is False
    assert words.SUMMARY_TITLE in shared.text
    assert [b for b in shared.blocks if b["type"] != "context"][1:] == [
        b for b in private.blocks if b["type"] not in ("actions", "context")
    ][1:]
    assert actions(shared.blocks) == []
    assert "ann@example.com" not in shared.text and "***@example.com" in shared.text
    assert f"Shared by <@{USER}>" in shared.text
    assert check_blocks(shared.blocks) == []


def test_sharing_an_expired_summary_says_to_run_it_again(
    running: Running, slack: FakeSlack
) -> None:
    payload = share_payload(slack, "gone-or-never-kept", words.SHARE_SUMMARY_ACTION_ID)
    send_interactive(running, payload)
    running.settle()
    (reply,) = slack.wait_calls("/resp/share")

    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["replace_original"] is False
    assert "delete_original" not in reply.params
    assert words.SUMMARY_EXPIRED.split(",")[0] in reply.text
    assert slack.calls("/api/chat.postMessage") == []


def test_summary_share_with_an_expired_click_url_posts_with_the_bot(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, POSTFIX)
    running.settle()
    (private,) = slack.wait_calls("/resp/command")
    slack.script("/resp/share", expired())

    value = summary_share_button(private.blocks)["value"]
    send_interactive(
        running, share_payload(slack, value, words.SHARE_SUMMARY_ACTION_ID)
    )
    running.settle()
    (post,) = slack.wait_calls("/api/chat.postMessage")

    assert post.params["channel"] == CHANNEL
    assert words.SUMMARY_TITLE in post.text
    assert "ann@example.com" not in post.text


def test_full_job_queue_says_busy_instead_of_failing(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(job_workers=1, max_queued=1)
    started, release = threading.Event(), threading.Event()
    app.jobs.submit("hold", lambda _: (started.set(), release.wait(WAIT)))
    assert started.wait(WAIT)
    assert app.jobs.submit("queued", lambda _: None) is True

    send_command(app, slack, POSTFIX)
    (busy,) = slack.wait_calls("/resp/command")
    release.set()
    app.settle()

    assert busy.params["response_type"] == "ephemeral"
    assert words.BUSY.split(",")[0] in busy.text
    assert words.GENERIC_FAILURE not in busy.text
    assert words.SUMMARY_TITLE not in busy.text
    assert len(slack.calls("/resp/command")) == 1
