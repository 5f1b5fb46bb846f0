"""Start-up in process: clean failures, no Bolt noise, Socket Mode really connected."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

import bot.__main__ as main
from bot.slack.app import create_app
from bot.slack.startup import StartupError
from bot.slack.web import WORKER_BOOT_ERROR, create_wsgi_app
from tests.slack.harness import (
    BOT_TOKEN,
    Canned,
    FakeSlack,
    FakeWebSocket,
    make_settings,
)


def _messages(caplog: pytest.LogCaptureFixture, level: int = logging.DEBUG) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= level)


def test_bot_token_in_the_environment_no_longer_logs_token_will_be_unused(
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    caplog.set_level(logging.DEBUG)

    app = create_app(make_settings(slack))

    assert "will be unused" not in _messages(caplog)
    assert app.client.base_url == slack.api_url
    kinds = {type(handler) for handler in app.client.retry_handlers}
    assert kinds == {
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
    }


def test_refused_bot_token_raises_startup_error_naming_the_variable(
    slack: FakeSlack,
) -> None:
    with pytest.raises(StartupError) as caught:
        create_app(make_settings(slack, bot_token="xoxb-revoked"))

    assert "SLACK_BOT_TOKEN" in str(caught.value)
    assert "invalid_auth" in str(caught.value)
    assert "xoxb-revoked" not in str(caught.value)


def test_gunicorn_worker_with_a_refused_token_exits_with_one_line_not_a_traceback(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    with pytest.raises(SystemExit) as caught:
        create_wsgi_app(make_settings(slack, bot_token="xoxb-revoked"))

    assert caught.value.code == WORKER_BOOT_ERROR
    [line] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert line.getMessage().startswith("cannot start: Slack refused SLACK_BOT_TOKEN")
    assert line.exc_info is None


def test_gunicorn_worker_with_a_missing_setting_exits_with_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(SystemExit) as caught:
        create_wsgi_app()

    assert caught.value.code == WORKER_BOOT_ERROR
    assert "cannot start: SLACK_BOT_TOKEN is not set" in _messages(caplog)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"ws://127.0.0.1:{s.getsockname()[1]}/link/"


@pytest.mark.parametrize(
    "answer",
    [{"ok": True}, {"ok": True, "url": "closed"}],
    ids=["ok-without-url", "websocket-never-opens"],
)
def test_socket_mode_that_never_connects_exits_1_instead_of_claiming_connected(
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    answer: dict[str, Any],
) -> None:
    if answer.get("url") == "closed":
        answer = {**answer, "url": _closed_port_url()}
    slack.script(
        "/api/apps.connections.open", *[Canned(body=answer) for _ in range(20)]
    )
    monkeypatch.setattr(main, "CONNECT_GRACE", 1.0)
    caplog.set_level(logging.INFO)
    settings = make_settings(slack, signing_secret="", app_token="xapp-1-test")

    code = main.run_socket_mode(settings)

    assert code == 1
    said = _messages(caplog)
    assert "connected over Socket Mode" not in said
    assert "cannot start: Socket Mode did not connect" in said
    assert "SLACK_APP_TOKEN" in said


def test_socket_mode_logs_connected_only_once_the_websocket_is_open(
    slack: FakeSlack,
    websocket: FakeWebSocket,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.script(
        "/api/apps.connections.open", Canned(body={"ok": True, "url": websocket.url})
    )
    seen: list[bool] = []

    def supervise(handler: Any, _stop: Any) -> int:
        seen.append(handler.client.is_connected())
        return 0

    monkeypatch.setattr(main, "_supervise", supervise)
    monkeypatch.setattr(main, "_stop_event", lambda: None)
    caplog.set_level(logging.INFO)
    settings = make_settings(slack, signing_secret="", app_token="xapp-1-test")

    code = main.run_socket_mode(settings)

    assert code == 0
    assert seen == [True]
    assert "connected over Socket Mode" in _messages(caplog)
