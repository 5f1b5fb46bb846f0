"""`python -m bot` as a process: start-up checks, Socket Mode failures, HTTP serving."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.slack.harness import BOT_TOKEN, SECRET, Canned, FakeSlack, wait_for

ROOT = Path(__file__).resolve().parents[2]


def run_bot(
    env: dict[str, str], cwd: Path, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env=_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _env(extra: dict[str, str]) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SMTPCODE_"))
    }
    keep["PYTHONPATH"] = str(ROOT)
    return {**keep, **extra}


def test_missing_bot_token_stops_start_up_naming_it(tmp_path: Path) -> None:
    done = run_bot({}, tmp_path)

    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN" in done.stderr


def test_socket_mode_with_a_rejected_bot_token_exits_non_zero(
    slack: FakeSlack, tmp_path: Path
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-revoked-token",
        "SLACK_APP_TOKEN": "xapp-1-test",
        "SLACK_API_URL": slack.api_url,
    }
    done = run_bot(env, tmp_path)

    assert done.returncode == 1
    assert "invalid_auth" in done.stderr
    assert "xoxb-revoked-token" not in done.stderr + done.stdout


def test_socket_mode_with_a_rejected_app_token_exits_non_zero(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.script(
        "/api/apps.connections.open",
        Canned(body={"ok": False, "error": "invalid_auth"}),
    )
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": "xapp-1-revoked",
        "SLACK_API_URL": slack.api_url,
    }
    done = run_bot(env, tmp_path)

    assert done.returncode == 1
    assert "cannot start Socket Mode" in done.stderr
    assert len(slack.calls("/api/auth.test")) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_http_mode_serves_health_and_stops_cleanly_on_sigterm(
    slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    state = tmp_path / "state" / "smtpcode.sqlite3"
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
        "SMTPCODE_STATE_PATH": str(state),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=_env(env),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = wait_for(
            lambda: _get(f"http://127.0.0.1:{port}/healthz"), 20, "health"
        )
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    finally:
        proc.kill()
        proc.communicate()

    assert health == b'{"ok": true}'
    assert code == 0
    assert state.is_file()  # the web process keeps its stores in the state file


def _get(url: str) -> bytes | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=1) as response:
            return response.read()
    except OSError:
        return None


class _Client:
    def __init__(self, connected: bool) -> None:
        self.connected = connected

    def is_connected(self) -> bool:
        return self.connected


class _Handler:
    def __init__(self, connected: bool) -> None:
        self.client = _Client(connected)


def test_supervisor_exits_non_zero_when_the_connection_stays_down(monkeypatch) -> None:
    import threading

    import bot.__main__ as main

    monkeypatch.setattr(main, "HEALTH_INTERVAL", 0.01)
    monkeypatch.setattr(main, "RECONNECT_GRACE", 0.05)

    assert main._supervise(_Handler(connected=False), threading.Event()) == 1


def test_supervisor_returns_zero_when_asked_to_stop(monkeypatch) -> None:
    import threading

    import bot.__main__ as main

    monkeypatch.setattr(main, "HEALTH_INTERVAL", 0.01)
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()

    assert main._supervise(_Handler(connected=True), stop) == 0
