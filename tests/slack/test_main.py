"""`python -m bot` as a process: start-up checks, Socket Mode failures, HTTP serving."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

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
    assert "cannot start: Slack refused SLACK_APP_TOKEN (invalid_auth)" in done.stderr
    assert "xapp-1-revoked" not in done.stderr + done.stdout
    assert slack.calls("/api/auth.test")  # the bot token was checked first
    assert "will be unused" not in done.stderr  # SLACK_BOT_TOKEN is in the env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_http_mode_serves_health_and_stops_cleanly_on_sigterm(
    slack: FakeSlack, tmp_path: Path
) -> None:
    state = tmp_path / "state" / "smtpcode.sqlite3"
    home = tmp_path / "home"

    health, code, _ = serve_http(slack, tmp_path, state=state, home=home)

    assert health == b'{"ok": true}'
    assert code == 0
    assert state.is_file()  # the web process keeps its stores in the state file


def test_http_mode_wrote_a_gunicorn_control_socket_into_home(
    slack: FakeSlack, tmp_path: Path
) -> None:
    home = tmp_path / "home"

    health, _, stderr = serve_http(slack, tmp_path, home=home)

    assert health == b'{"ok": true}'
    assert not (home / ".gunicorn").exists()
    assert "Control socket" not in stderr


def serve_http(
    slack: FakeSlack, tmp_path: Path, *, home: Path, state: Path | None = None
) -> tuple[bytes | None, int, str]:
    """Start `python -m bot` in HTTP mode, fetch /healthz, stop it with SIGTERM."""
    port = free_port()
    home.mkdir(exist_ok=True)
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
        "SMTPCODE_STATE_PATH": str(state or tmp_path / "state.sqlite3"),
        "HOME": str(home),
    }
    full = _env(env)
    full.pop("XDG_RUNTIME_DIR", None)  # gunicorn's other home for its socket
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=full,
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
        _, stderr = proc.communicate()
    return health, code, stderr


@pytest.mark.parametrize(
    ("token", "closed", "expected"),
    [
        ("xoxb-revoked-token", False, "Slack refused SLACK_BOT_TOKEN (invalid_auth)"),
        (BOT_TOKEN, True, "cannot reach Slack's Web API at http://127.0.0.1:"),
    ],
    ids=["invalid-auth", "connection-refused"],
)
def test_http_mode_failing_auth_test_printed_a_gunicorn_traceback_and_exit_3(
    slack: FakeSlack, tmp_path: Path, token: str, closed: bool, expected: str
) -> None:
    api_url = f"http://127.0.0.1:{free_port()}/api/" if closed else slack.api_url
    env = {
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "PORT": str(free_port()),
    }

    done = run_bot(env, tmp_path)

    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1
    assert len(lines) == 1
    assert "cannot start: " + expected in lines[0]
    assert ("SLACK_API_URL" if closed else "api.slack.com/apps") in lines[0]
    assert "gunicorn" not in done.stderr.lower()
    assert token not in done.stderr + done.stdout


def procfile_web(port: str) -> list[str]:
    """The Procfile's web command as argv, with $PORT filled in."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return shlex.split(line.removeprefix("web:").replace("$PORT", port))
    raise AssertionError("the Procfile has no web process")


def test_procfile_web_process_turns_gunicorn_control_socket_off() -> None:
    from gunicorn.config import Config

    argv = procfile_web("3000")
    config = Config()
    parsed = config.parser().parse_args(argv[1:])
    for name, value in vars(parsed).items():
        if value is not None and name in config.settings:
            config.set(name, value)

    assert argv[0] == "gunicorn"
    assert config.control_socket_disable is True
    assert config.bind == ["0.0.0.0:3000"]


def test_procfile_web_worker_with_a_refused_token_fails_without_a_traceback(
    slack: FakeSlack, tmp_path: Path
) -> None:
    argv = procfile_web(str(free_port()))
    argv[argv.index("--workers") + 1] = "1"
    env = {
        "SLACK_BOT_TOKEN": "xoxb-revoked-token",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "HOME": str(tmp_path),
    }

    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", *argv[1:]],
        env=_env(env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "cannot start: Slack refused SLACK_BOT_TOKEN (invalid_auth)" in done.stderr
    assert not (tmp_path / ".gunicorn").exists()


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
