"""Hostile requests against the running app: forged, malformed, replayed, floods.

Every test talks to the app over loopback with real (or deliberately broken)
signed HTTP requests, and checks what reached the fake Slack.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.serving import make_server

from bot.render import words
from bot.slack.app import create_app, create_client
from bot.slack.files import token_allowed
from bot.slack.jobs import JobRunner
from bot.slack.settings import Settings
from bot.slack.web import wsgi_app_for
from tests.slack.harness import (
    BOT_TOKEN,
    BOT_USER,
    CHANNEL,
    POSTFIX,
    SECRET,
    USER,
    Answer,
    Canned,
    CountingExecutor,
    FakeSlack,
    Running,
    direct,
    form,
    make_settings,
    mention,
    post,
    send_command,
    send_event,
    send_interactive,
    share_payload,
    sign,
    slack_file,
    wait_for,
)

HOSTILE = "<!channel> <!here> <!subteam^S1|@ops> <@U1> <https://evil.example|click>"
CONTROL = ("<!channel", "<!here", "<!subteam", "<@U1", "<https://evil", "<http")


def _clean(slack: FakeSlack) -> list[str]:
    """Every message body sent to Slack; asserts none carries markup or a secret."""
    texts = []
    for seen in slack.seen:
        raw = seen.raw.decode("utf-8", "replace")
        assert BOT_TOKEN not in raw and SECRET not in raw, seen.path
        if seen.path.startswith(("/api/chat.", "/resp", "/api/views.")):
            text = seen.text
            for control in CONTROL:
                assert control not in text, (seen.path, control)
            texts.append(text)
    return texts


def _raw_post(app: Running, body: bytes, headers: list[tuple[str, str]]) -> Answer:
    """A POST with exactly these header lines (duplicates allowed)."""
    parts = urlsplit(app.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("POST", "/slack/events")
        for name, value in headers:
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return Answer(response.status, response.read(), dict(response.getheaders()))
    finally:
        conn.close()


# --- signatures -------------------------------------------------------------------


def _command_body(slack: FakeSlack, text: str = "550") -> bytes:
    return form(
        {
            "team_id": "T0TEST",
            "channel_id": CHANNEL,
            "user_id": USER,
            "command": "/smtpcode",
            "text": text,
            "response_url": slack.url("/resp/command"),
        }
    )


@pytest.mark.parametrize(
    "timestamp",
    ["²", "1" * 5000, "¹²³", " 1", "1 ", "+1", "-1", "0x10", "", "9" * 40],
    ids=[
        "superscript",
        "5000-digits",
        "superscripts",
        "lead",
        "trail",
        "+",
        "-",
        "hex",
        "empty",
        "40-digits",
    ],
)
def test_odd_timestamps_gave_500_and_a_reply_to_an_unsigned_response_url(
    running: Running, slack: FakeSlack, timestamp: str
) -> None:
    body = _command_body(slack)
    headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Slack-Request-Timestamp", timestamp),
        ("X-Slack-Signature", sign(body, int(time.time()))),
    ]
    assert _raw_post(running, body, headers).status == 401
    running.settle()
    assert not slack.posts()


@pytest.mark.parametrize(
    "variant",
    ["v1", "space", "upper", "dup-bad-first", "dup-good-first", "no-prefix"],
)
def test_signature_variants_are_refused(
    running: Running, slack: FakeSlack, variant: str
) -> None:
    body = _command_body(slack)
    now = int(time.time())
    good = sign(body, now)
    signatures = {
        "v1": ["v1=" + good[3:]],
        "space": [" " + good + " "],
        "upper": [good.upper()],
        "dup-bad-first": ["v0=" + "0" * 64, good],
        "dup-good-first": [good, "v0=" + "0" * 64],
        "no-prefix": [good[3:]],
    }[variant]
    headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Slack-Request-Timestamp", str(now)),
    ] + [("X-Slack-Signature", s) for s in signatures]

    assert _raw_post(running, body, headers).status == 401
    assert not slack.posts()


def test_replayed_command_within_the_window_was_answered_twice(
    running: Running, slack: FakeSlack
) -> None:
    body = _command_body(slack)
    now = int(time.time())
    headers = {"X-Slack-Signature": sign(body, now)}
    first = post(running, body, "application/x-www-form-urlencoded", timestamp=now)
    again = post(
        running,
        body,
        "application/x-www-form-urlencoded",
        timestamp=now,
        headers=headers,
    )
    running.settle()

    assert first.status == again.status == 200
    assert len(slack.calls("/resp/command")) == 1


def test_unsigned_ssl_check_got_200(running: Running) -> None:
    body = form({"ssl_check": "1", "token": "legacy"})
    headers = [("Content-Type", "application/x-www-form-urlencoded")]

    assert _raw_post(running, body, headers).status == 401


def test_signed_ssl_check_gets_200(running: Running) -> None:
    body = form({"ssl_check": "1", "token": "legacy"})

    assert post(running, body, "application/x-www-form-urlencoded").status == 200


# --- malformed bodies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
        (b"[" * 200_000 + b"]" * 200_000, "application/json"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
    ],
    ids=[
        "bad-json",
        "array",
        "string",
        "bad-payload",
        "array-payload",
        "deep-array",
        "deep-object",
        "bad-utf8",
    ],
)
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_malformed_bodies_got_a_500_before_the_signature_was_checked(
    running: Running, slack: FakeSlack, body: bytes, content_type: str, signed: bool
) -> None:
    now = int(time.time())
    headers = [("Content-Type", content_type), ("X-Slack-Request-Timestamp", str(now))]
    if signed:
        signature = sign(body.decode("utf-8", "replace").encode(), now)
        headers.append(("X-Slack-Signature", signature))

    answer = _raw_post(running, body, headers)

    assert answer.status == 401
    assert _raw_post(running, b"", headers[:1]).status == 401  # still serving
    assert not slack.posts()


def test_ten_megabyte_body_was_read_and_parsed_before_the_signature(
    running: Running,
) -> None:
    body = b'{"type":"event_callback","pad":"' + b"a" * (10 * 1024 * 1024) + b'"}'
    now = int(time.time())
    headers = [
        ("Content-Type", "application/json"),
        ("X-Slack-Request-Timestamp", str(now)),
        ("X-Slack-Signature", sign(body, now)),
    ]

    assert _raw_post(running, body, headers).status == 413


def test_event_callback_sent_as_a_form_payload_is_still_checked(
    running: Running, slack: FakeSlack
) -> None:
    event = {"type": "event_callback", "event_id": "EvForm", "event": mention("550")}
    body = form({"payload": json.dumps(event)})
    headers = [("Content-Type", "application/x-www-form-urlencoded")]

    assert _raw_post(running, body, headers).status == 401
    assert not slack.posts()


# --- hostile text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "550 " + HOSTILE,
        HOSTILE + " `550` *bold* _it_ ~strike~ ```x```",
        "550\x00 5.7.1\x1b[31m <!channel>",
        "\u202e550 <!everyone> \ufeff\u0000",
        "&lt;!channel&gt; 550",
    ],
    ids=["mentions", "code-and-mentions", "formatting", "nul-ansi", "bidi", "entity"],
)
def test_hostile_command_text_is_never_echoed_as_markup(
    running: Running, slack: FakeSlack, text: str
) -> None:
    assert send_command(running, slack, text).status == 200
    running.settle()
    slack.wait_calls("/resp/command")

    assert _clean(slack)


def test_hostile_text_in_a_pasted_log_is_escaped_in_the_thread(
    running: Running, slack: FakeSlack
) -> None:
    log = POSTFIX.replace("User unknown", HOSTILE).replace("Try again", "<!here>")
    send_event(running, mention("```" + log + "```"))
    running.settle()
    slack.wait_calls("/api/chat.postMessage")

    assert any("550" in text for text in _clean(slack))


def test_nul_and_unicode_in_every_command_field_get_an_answer(
    running: Running, slack: FakeSlack
) -> None:
    odd = "\x00\u202e\U0001f4a9<!channel>"
    answer = send_command(
        running, slack, "550" + odd, user_name=odd, channel_name=odd, team_domain=odd
    )
    running.settle()

    assert answer.status == 200
    slack.wait_calls("/resp/command")
    _clean(slack)


# --- files ------------------------------------------------------------------------


def test_token_went_over_plain_http_to_the_api_host(
    slack: FakeSlack, serve: Callable[[Settings, Any], Running]
) -> None:
    """SLACK_API_URL https://slack.com/api/ let http://slack.com/... have the token.

    Here SLACK_API_URL says https for the fake's host and the file URL says http
    for the same host: the file must not be fetched with the token.
    """
    plain = make_settings(slack)
    settings = make_settings(slack, api_url=slack.api_url.replace("http:", "https:"))
    app = serve(settings, create_client(plain))
    url = slack.add_file("maillog.log", POSTFIX.encode())

    send_event(
        app, direct("", subtype="file_share", files=[slack_file(url, "m.log", 9)])
    )
    app.settle()

    assert not slack.downloads(url)
    assert any("m.log" in s.text for s in slack.posts())
    assert not token_allowed("http://slack.com/f/x.log", "https://slack.com/api/")


@pytest.fixture
def serve() -> Iterator[Callable[[Settings, Any], Running]]:
    """Serve an app built with its own client (another API URL than its settings)."""
    servers: list[Any] = []

    def start(settings: Settings, client: Any) -> Running:
        jobs = JobRunner(1, 10.0)
        pool = CountingExecutor()
        app = create_app(settings, client=client, jobs=jobs, listener_executor=pool)
        server = make_server("127.0.0.1", 0, wsgi_app_for(app), threaded=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append((server, jobs))
        return Running(f"http://127.0.0.1:{server.port}", jobs, pool, settings, app)

    yield start
    for server, jobs in servers:
        jobs.shutdown(5.0)
        server.shutdown()


def test_files_info_pointing_at_a_foreign_host_gets_no_token(
    running: Running, slack: FakeSlack, foreign: HTTPServer
) -> None:
    file = slack_file("", "", 0, id="F0CONNECT", file_access="check_file_info")
    file.pop("url_private_download")
    file.pop("url_private")
    slack.file_infos["F0CONNECT"] = slack_file(
        foreign.url_for("/steal.log"), "steal.log", 20, id="F0CONNECT"
    )
    send_event(running, direct("", subtype="file_share", files=[file]))
    running.settle()

    assert not foreign.log
    assert slack.calls("/api/files.info")
    _clean(slack)


# --- buttons ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "' OR 1=1 --",
        "x" * 2000,
        json.dumps({"blocks": [{"type": "section"}], "text": "<!channel>"}),
        "kept:../../etc/passwd",
    ],
    ids=["sql", "2000-chars", "json", "path"],
)
def test_forged_share_summary_values_say_expired(
    running: Running, slack: FakeSlack, value: str
) -> None:
    payload = share_payload(slack, value, action_id="share_summary")
    assert send_interactive(running, payload).status == 200
    running.settle()

    (reply,) = slack.wait_calls("/resp/share")
    assert reply.params["response_type"] == "ephemeral"
    _clean(slack)


@pytest.mark.parametrize(
    "value", [HOSTILE + " 550", "550 " * 500, "' OR 1=1 --", '{"a": 1}']
)
def test_forged_share_explanation_values_post_nothing_hostile(
    running: Running, slack: FakeSlack, value: str
) -> None:
    assert send_interactive(running, share_payload(slack, value)).status == 200
    running.settle()

    (reply,) = slack.wait_calls("/resp/share")
    assert len(reply.blocks) <= 50
    _clean(slack)


def test_someone_elses_kept_summary_could_be_shared(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, "```" + POSTFIX + "```")
    running.settle()
    (private,) = slack.wait_calls("/resp/command")
    (button,) = [
        e for b in private.blocks if b["type"] == "actions" for e in b["elements"]
    ]

    payload = share_payload(slack, button["value"], action_id="share_summary")
    payload["user"]["id"] = "U0MALLORY"
    send_interactive(running, payload)
    running.settle()

    (reply,) = slack.wait_calls("/resp/share")
    assert reply.params["response_type"] == "ephemeral"
    assert "550" not in reply.text


def test_unregistered_action_is_refused_and_logs_no_message_text(
    running: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payload = share_payload(slack, "secret-value-123", action_id="delete_everything")
    payload["message"] = {"text": "pasted-log-text-xyz"}

    answer = send_interactive(running, payload)
    running.settle()

    assert answer.status == 404
    assert not slack.posts()
    assert "pasted-log-text-xyz" not in caplog.text
    assert "secret-value-123" not in caplog.text


# --- re-deliveries and floods -----------------------------------------------------


@pytest.mark.parametrize("web", [False, True], ids=["memory", "sqlite"])
def test_twenty_concurrent_redeliveries_give_exactly_one_reply(
    start_app, slack: FakeSlack, web: bool, tmp_path: Any
) -> None:
    app = start_app(web=web, state_path=str(tmp_path / "state.sqlite3"))
    start = threading.Barrier(20)

    def deliver(retry: int) -> int:
        start.wait(5)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "timeout"}
        return send_event(
            app, mention("550"), event_id="EvSAME", headers=headers
        ).status

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(deliver, range(20)))
    app.settle()

    assert statuses == [200] * 20
    assert len(slack.calls("/api/chat.postMessage")) == 1


def test_flood_of_mentions_is_acknowledged_fast_and_every_one_answered(
    start_app, slack: FakeSlack
) -> None:
    app = start_app(job_workers=1, max_queued=2, job_timeout=5.0)
    gate = threading.Event()
    url = slack.add_file("held.log", POSTFIX.encode())
    slack.script(urlsplit(url).path, Canned(gate=gate))
    count = 200

    def one(i: int) -> tuple[int, float]:
        started = time.monotonic()
        if i == 0:
            files = [slack_file(url, "held.log", 100)]
            event = direct("", subtype="file_share", files=files)
        else:
            event = mention("```" + POSTFIX + "```", ts=f"1700000100.{i:06d}")
        status = send_event(app, event).status
        return status, time.monotonic() - started

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(count)))
    wait_for(lambda: len(slack.posts()) >= count - 3, what="busy replies")
    gate.set()
    app.settle(timeout=30)

    assert all(status == 200 for status, _ in results)
    assert max(elapsed for _, elapsed in results) < 3.0
    busy = [s for s in slack.posts() if words.BUSY[:30] in s.text]
    assert len(busy) >= count - 4
    threads = [s.params.get("thread_ts") for s in slack.calls("/api/chat.postMessage")]
    assert len(set(threads)) >= count - 4


# --- loops and odd events ---------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        direct("550", bot_id="B0OTHER", subtype="bot_message"),
        direct("550", bot_id="B0OTHER"),
        direct("550", subtype="bot_message", username="other"),
        direct("550", user=BOT_USER),
        direct("", subtype="message_changed", message={"text": "550", "user": USER}),
        direct("", subtype="message_deleted", previous_message={"text": "550"}),
        direct("550", subtype="thread_broadcast"),
        direct("550", subtype="channel_join"),
        mention("550", bot_id="B0OTHER"),
        {"type": "app_home_opened", "user": USER, "channel": "D0", "tab": "messages"},
    ],
    ids=[
        "bot_message",
        "bot-id",
        "bot-subtype",
        "self",
        "changed",
        "deleted",
        "broadcast",
        "join",
        "bot-mention",
        "messages-tab",
    ],
)
def test_events_that_must_not_be_answered_get_no_reply(
    running: Running, slack: FakeSlack, event: dict[str, Any]
) -> None:
    assert send_event(running, event).status == 200
    running.settle()

    assert not slack.posts()
    assert not slack.calls("/api/views.publish")


def test_logs_never_hold_the_token_the_secret_or_pasted_text(
    running: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    marker = "marker-pasted-zq9"
    log = POSTFIX.replace("User unknown", marker)
    send_command(running, slack, "```" + log + "```")
    send_event(running, mention("```" + log + "```"))
    send_interactive(running, share_payload(slack, marker, action_id="nope"))
    post(running, b"{broken " + marker.encode(), "application/json")
    running.settle()
    slack.wait_calls("/resp/command")

    for secret in (BOT_TOKEN, SECRET, marker):
        assert secret not in caplog.text
