"""Signatures, retries, Web API failures, health and secrecy, end to end."""

from __future__ import annotations

import json
import logging
import threading
import time
from urllib.parse import urlsplit

import pytest
from slack_bolt import BoltRequest

from bot.render import words
from tests.slack.harness import (
    BOT_TOKEN,
    CHANNEL,
    POSTFIX,
    SECRET,
    Canned,
    FakeSlack,
    Running,
    direct,
    mention,
    post,
    request,
    send_command,
    send_event,
    sign,
    slack_file,
    wait_for,
)

BODY = json.dumps(
    {"type": "url_verification", "challenge": "c-123", "token": "t"}
).encode()


def test_url_verification_echoes_the_challenge(running: Running) -> None:
    answer = post(running, BODY, "application/json")

    assert answer.status == 200
    assert answer.json()["challenge"] == "c-123"


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "not-the-secret"},
        {"signature": "v0=" + "0" * 64},
        {"signature": "garbage"},
        {"timestamp": -301},
        {"timestamp": +301},
        {"headers": {"X-Slack-Signature": None}},
        {"headers": {"X-Slack-Request-Timestamp": None}},
        {"headers": {"X-Slack-Request-Timestamp": "soon"}},
    ],
    ids=[
        "wrong-secret",
        "bad-signature",
        "malformed",
        "stale",
        "future",
        "no-sig",
        "no-ts",
        "bad-ts",
    ],
)
def test_unsigned_or_badly_signed_requests_get_401(
    running: Running, tamper: dict
) -> None:
    if "timestamp" in tamper:
        tamper = {"timestamp": int(time.time()) + tamper["timestamp"]}
    answer = post(running, BODY, "application/json", **tamper)

    assert answer.status == 401


def test_replayed_old_request_gets_401(running: Running, slack: FakeSlack) -> None:
    old = int(time.time()) - 600
    body = (
        b"command=%2Fsmtpcode&text=451&team_id=T0TEST&user_id=U0ALICE&channel_id=C0OPS"
    )

    answer = post(
        running,
        body,
        "application/x-www-form-urlencoded",
        timestamp=old,
        signature=sign(body, old, SECRET),
    )

    assert answer.status == 401
    assert slack.posts() == []


def test_redelivered_event_gets_no_second_reply(
    running: Running, slack: FakeSlack
) -> None:
    first = send_event(running, mention("451"), event_id="EvSAME")
    slack.wait_calls("/api/chat.postMessage")

    again = send_event(
        running,
        mention("451"),
        event_id="EvSAME",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    send_event(running, mention("550", ts="1700000999.000100"))
    slack.wait_calls("/api/chat.postMessage", 2)

    assert first.status == again.status == 200
    threads = [c.params["thread_ts"] for c in slack.calls("/api/chat.postMessage")]
    assert sorted(threads) == ["1700000100.000100", "1700000999.000100"]


def test_socket_mode_redelivery_is_recognised_by_event_id(
    running: Running, slack: FakeSlack
) -> None:
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event_id": "EvSOCKET",
        "event": mention("451"),
    }
    for retry in ("0", "1"):
        running.app.dispatch(
            BoltRequest(
                body=json.dumps(body),
                mode="socket_mode",
                headers={"x-slack-retry-num": [retry]},
            )
        )
    send_event(running, mention("550", ts="1700000999.000100"))
    slack.wait_calls("/api/chat.postMessage", 2)

    assert len(slack.calls("/api/chat.postMessage")) == 2


def test_rate_limited_post_is_retried_after_retry_after(
    running: Running, slack: FakeSlack
) -> None:
    slack.script(
        "/api/chat.postMessage",
        Canned(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}),
    )
    send_event(running, mention("451"))
    calls = slack.wait_calls("/api/chat.postMessage", 2)

    assert calls[0].params == calls[1].params
    assert len(calls) == 2


def test_server_errors_are_retried_a_bounded_number_of_times(
    running: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.slack.requestlog")
    failure = Canned(500, {"ok": False, "error": "internal_error"})
    slack.script("/api/chat.postMessage", *[failure] * 10)
    send_event(running, mention("451"))

    wait_for(lambda: "mention team=" in caplog.text, what="the mention to finish")
    channels = [c.params["channel"] for c in slack.calls("/api/chat.postMessage")]

    assert channels == [CHANNEL] * 3 + ["U0ALICE"] * 3


def test_a_failing_listener_is_logged_and_the_user_told(
    running: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script(
        "/api/views.publish", Canned(body={"ok": False, "error": "invalid_blocks"})
    )
    event = {
        "type": "app_home_opened",
        "user": "U0ALICE",
        "channel": "D0HOME",
        "tab": "home",
    }
    send_event(running, event)
    (note,) = slack.wait_calls("/api/chat.postEphemeral")

    assert words.GENERIC_FAILURE in note.text
    assert "listener failed" in caplog.text


def test_slow_file_host_ends_with_a_clear_message(start_app, slack: FakeSlack) -> None:
    app = start_app(job_timeout=0.5)
    url = slack.add_file("slow.log", POSTFIX.encode())
    never = threading.Event()  # the file host answers only after the test
    slack.script(urlsplit(url).path, Canned(gate=never))

    send_event(
        app, direct("", subtype="file_share", files=[slack_file(url, "slow.log", 100)])
    )
    app.settle(timeout=10)
    never.set()

    (update,) = slack.calls("/api/chat.update")
    assert "slow.log" in update.text
    assert "550" not in update.text


def test_health_endpoint_answers_200_json(running: Running) -> None:
    answer = request(running, "GET", "/healthz")

    assert answer.status == 200
    assert answer.json() == {"ok": True}
    assert request(running, "GET", "/elsewhere").status == 404


def test_tokens_and_pasted_text_never_reach_logs_or_replies(
    running: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    send_command(running, slack, "451")
    send_event(running, direct(POSTFIX))
    running.settle()
    slack.wait_calls("/resp/command")

    replies = json.dumps([s.params for s in slack.posts()])
    assert BOT_TOKEN not in caplog.text and SECRET not in caplog.text
    assert BOT_TOKEN not in replies and SECRET not in replies
    assert "Try again later" not in caplog.text
    assert "command team=T0TEST channel=C0OPS" in caplog.text
