"""End-to-end harness: a fake Slack Web API, the app on a socket, signed requests.

The fake (pytest-httpserver) records every request and can be told to answer
429, 500, slowly, or with an HTML page. The app is built by the real factory and
served by werkzeug; tests talk to it with Slack's real payload shapes, signed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bot.slack.jobs import JobRunner
from bot.slack.settings import Settings

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0TEST"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
USER = "U0ALICE"
CHANNEL = "C0OPS"
DM_CHANNEL = "D0ALICE"
WAIT = 10.0

POSTFIX = "\n".join(
    [
        "Jan  1 10:00:01 mx postfix/smtp[11]: 4A1B2C3D: to=<ann@example.com>, "
        "relay=mx.example.net[192.0.2.10]:25, delay=1, status=deferred "
        "(host mx.example.net[192.0.2.10] said: 451 4.7.1 Try again later)",
        "Jan  1 10:00:02 mx postfix/smtp[12]: 5B2C3D4E: to=<bob@example.org>, "
        "relay=mx.example.org[198.51.100.7]:25, delay=1, status=bounced "
        "(host mx.example.org[198.51.100.7] said: 550 5.1.1 User unknown)",
        "Jan  1 10:00:03 mx postfix/smtp[13]: 6C3D4E5F: to=<cy@example.org>, "
        "relay=mx.example.org[198.51.100.7]:25, delay=1, status=bounced "
        "(host mx.example.org[198.51.100.7] said: 550 5.1.1 User unknown)",
    ]
)
"""A small Postfix log: one deferral (451) and two bounces (550)."""

T = TypeVar("T")


# --- hermetic environment -------------------------------------------------------


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No SLACK_* or SMTPCODE_* from the outside, no proxy, no stray .env."""
    import os

    for name in list(os.environ):
        if name.startswith(("SLACK_", "SMTPCODE_")):
            monkeypatch.delenv(name)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The fake listens on IPv4 loopback only, on a free port."""
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def make_httpserver(httpserver_listen_address: tuple[str, int]) -> Iterator[HTTPServer]:
    """The fake answers requests concurrently, as Slack does.

    A request held by a test (a gated file download) must not stall the
    others, such as a progress post made meanwhile.
    """
    host, port = httpserver_listen_address
    server = HTTPServer(host=host, port=port, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def wait_for(check: Callable[[], T], timeout: float = WAIT, what: str = "") -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.01)


# --- the fake Slack Web API -----------------------------------------------------


@dataclass
class Seen:
    """One request that reached the fake Slack."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    params: dict[str, Any]
    answered: bool = False

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The message's blocks, decoded whether sent as JSON or a form field."""
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    @property
    def text(self) -> str:
        """Every text in the message (fallback and blocks), joined."""
        return self.params.get("text", "") + "\n" + json.dumps(self.blocks)


@dataclass
class Canned:
    """A scripted answer for the next request to a path."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"
    gate: threading.Event | None = None


class FakeSlack:
    """A recording stand-in for Slack's Web API, response_urls and file host."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.seen: list[Seen] = []
        self.files: dict[str, Canned] = {}
        self.file_infos: dict[str, dict[str, Any]] = {}
        self._scripts: dict[str, list[Canned]] = {}
        self._lock = threading.Lock()
        self._ts = 1_700_000_000.0
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL is in the tests."""
        return self.server.url_for("/api/")

    def url(self, path: str) -> str:
        """An absolute URL on the fake."""
        return self.server.url_for(path)

    def script(self, path: str, *answers: Canned) -> None:
        """Answer the next requests to `path` with these, in order, then as usual."""
        with self._lock:
            self._scripts.setdefault(path, []).extend(answers)

    def add_file(
        self,
        name: str,
        content: bytes,
        *,
        content_type: str = "application/octet-stream",
        status: int = 200,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> str:
        """Serve `content` at a Slack-like private download path; returns its URL.

        `stream` sends it in chunks without a Content-Length.
        """
        path = f"/files-pri/{TEAM}-F{len(self.files)}/download/{name}"
        body: Any = content
        if stream:
            body = [content[i : i + 4096] for i in range(0, len(content), 4096)]
        self.files[path] = Canned(status, body, headers or {}, 0.0, content_type)
        return self.url(path)

    def downloads(self, url: str) -> list[Seen]:
        """Requests received for a file URL."""
        return self.calls(urlsplit(url).path)

    def calls(self, path: str) -> list[Seen]:
        """Requests received at `path` so far."""
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def wait_calls(
        self, path: str, count: int = 1, timeout: float = WAIT
    ) -> list[Seen]:
        """Wait until `path` was called at least `count` times; return those calls."""
        return wait_for(
            lambda: (c := self.calls(path)) and len(c) >= count and c,
            timeout,
            f"{count} call(s) to {path}",
        )

    def posts(self) -> list[Seen]:
        """Every message the app sent, by any route."""
        paths = ("/api/chat.postMessage", "/api/chat.update", "/api/chat.postEphemeral")
        with self._lock:
            return [
                s for s in self.seen if s.path in paths or s.path.startswith("/resp")
            ]

    # -- serving --

    def _handle(self, request: Request) -> Response:
        seen = self._record(request)
        with self._lock:
            script = self._scripts.get(seen.path)
            canned = script.pop(0) if script else None
        if canned is None:
            canned = self.files.get(seen.path) or self._default(seen)
        if canned.gate is not None:
            canned.gate.wait(WAIT)
        if canned.delay:
            time.sleep(canned.delay)
        seen.answered = True
        return _response(canned)

    def _record(self, request: Request) -> Seen:
        raw = request.get_data()
        params: dict[str, Any] = {k: v for k, v in request.args.items()}
        if request.mimetype == "application/json" and raw:
            params.update(json.loads(raw))
        elif request.mimetype == "application/x-www-form-urlencoded":
            params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        seen = Seen(request.method, request.path, dict(request.headers), raw, params)
        with self._lock:
            self.seen.append(seen)
        return seen

    def _default(self, seen: Seen) -> Canned:
        method = seen.path.removeprefix("/api/")
        if seen.path.startswith("/resp"):
            return Canned(200, "ok", content_type="text/plain")
        if seen.path.startswith("/upload"):
            return Canned(200, "OK - 42", content_type="text/plain")
        if method == "auth.test":
            return Canned(body=_auth_test(seen.headers.get("Authorization", "")))
        if method in ("chat.postMessage", "chat.update"):
            return Canned(body=self._message(seen))
        if method == "chat.postEphemeral":
            return Canned(body={"ok": True, "message_ts": self._next_ts()})
        if method == "files.info":
            info = self.file_infos.get(str(seen.params.get("file")))
            return Canned(
                body={"ok": True, "file": info} if info else _error("file_not_found")
            )
        if method == "files.getUploadURLExternal":
            url = self.url("/upload/v1/F0UPLOAD")
            return Canned(body={"ok": True, "upload_url": url, "file_id": "F0UPLOAD"})
        if method == "files.completeUploadExternal":
            return Canned(
                body={"ok": True, "files": [{"id": "F0UPLOAD", "title": "x"}]}
            )
        if method in ("views.publish", "conversations.open"):
            return Canned(body={"ok": True, "channel": {"id": DM_CHANNEL}})
        return Canned(404, "not found", content_type="text/plain")

    def _message(self, seen: Seen) -> dict[str, Any]:
        ts = str(seen.params.get("ts") or self._next_ts())
        return {"ok": True, "channel": seen.params.get("channel"), "ts": ts}

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"{self._ts:.6f}"


def expired() -> Canned:
    """What a used-up or expired response_url answers."""
    return Canned(404, "expired_url", content_type="text/plain")


def api_error(code: str) -> Canned:
    """A Web API method failing with Slack's error `code` (HTTP 200, ok false)."""
    return Canned(body=_error(code))


def _auth_test(authorization: str) -> dict[str, Any]:
    if authorization != f"Bearer {BOT_TOKEN}":
        return _error("invalid_auth")
    return {
        "ok": True,
        "url": "https://example.slack.com/",
        "team": "Example",
        "team_id": TEAM,
        "user": "smtpcode",
        "user_id": BOT_USER,
        "bot_id": BOT_ID,
    }


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": code}


def _response(canned: Canned) -> Response:
    body = canned.body
    if isinstance(body, dict):
        body = json.dumps(body)
    elif isinstance(body, list):
        chunks = list(body)
        body = iter(chunks)
    return Response(
        body,
        status=canned.status,
        headers=canned.headers,
        content_type=canned.content_type,
    )


@pytest.fixture
def foreign() -> Iterator[HTTPServer]:
    """Another host that must never see the token (another port is another host)."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/steal.log").respond_with_data("550 5.1.1 stolen")
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def slack(httpserver: HTTPServer) -> Iterator[FakeSlack]:
    """A fresh fake Slack for each test."""
    fake = FakeSlack(httpserver)
    yield fake
    httpserver.clear()


# --- the app on a real socket ---------------------------------------------------


class CountingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting work in flight so tests can wait for it."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="test-listener")
        self._busy = 0
        self._lock = threading.Lock()

    def submit(
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        with self._lock:
            self._busy += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self._busy -= 1

    def idle(self) -> bool:
        with self._lock:
            return self._busy == 0


@dataclass
class Running:
    """The app under test: its URL, its job runner, and a signed client."""

    url: str
    jobs: JobRunner
    listeners: CountingExecutor
    settings: Settings
    app: Any

    def settle(self, timeout: float = WAIT) -> None:
        """Wait until every listener and every summary job has finished."""

        def quiet() -> bool:
            return (
                self.listeners.idle()
                and self.jobs.wait_idle(0)
                and self.listeners.idle()
            )

        wait_for(quiet, timeout, "listeners and jobs to finish")


def make_settings(slack: FakeSlack, **overrides: Any) -> Settings:
    """Settings for the tests: the fake's API URL, a test secret and token."""
    values: dict[str, Any] = {
        "bot_token": BOT_TOKEN,
        "signing_secret": SECRET,
        "api_url": slack.api_url,
        "job_timeout": 20.0,
        "job_workers": 2,
        "progress_delay": 60.0,  # "Reading…" only where a test asks for it
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def start_app(slack: FakeSlack) -> Iterator[Callable[..., Running]]:
    """Start the app (settings overridable) on 127.0.0.1; stopped after the test.

    `web=True` builds it as a gunicorn worker does, with the stores kept in the
    sqlite file at `state_path` (so two such apps are two workers of one host);
    otherwise it keeps them in memory. `max_queued` caps the job queue.
    """
    servers: list[Any] = []
    runners: list[JobRunner] = []

    def start(*, web: bool = False, max_queued: int = 0, **overrides: Any) -> Running:
        from bot.slack.app import create_app
        from bot.slack.web import create_web_app, wsgi_app_for

        settings = make_settings(slack, **overrides)
        jobs = JobRunner(settings.job_workers, settings.job_timeout, max_queued)
        listeners = CountingExecutor()
        build = create_web_app if web else create_app
        app = build(settings, jobs=jobs, listener_executor=listeners)
        server = make_server("127.0.0.1", 0, wsgi_app_for(app), threaded=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        runners.append(jobs)
        url = f"http://127.0.0.1:{server.port}"
        return Running(url, jobs, listeners, settings, app)

    yield start
    for jobs in runners:
        jobs.shutdown(5.0)
    for server in servers:
        server.shutdown()


@pytest.fixture
def running(start_app: Callable[..., Running]) -> Running:
    """The app with default test settings."""
    return start_app()


# --- signed requests with Slack's payload shapes --------------------------------


@dataclass
class Answer:
    """What the app answered over HTTP."""

    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """Slack's v0 signature: HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(
    app: Running,
    body: bytes,
    content_type: str,
    *,
    timestamp: int | None = None,
    secret: str = SECRET,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
    path: str = "/slack/events",
) -> Answer:
    """POST to the app as Slack does: signed, with the timestamp header."""
    stamp = int(time.time()) if timestamp is None else timestamp
    sent = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": signature or sign(body, stamp, secret),
    }
    sent.update(headers or {})
    sent = {k: v for k, v in sent.items() if v is not None}
    return request(app, "POST", path, body, sent)


def request(
    app: Running,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    """A plain HTTP request to the app (no proxy, loopback only)."""
    parts = urlsplit(app.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, response.read(), dict(response.getheaders()))
    finally:
        conn.close()


def form(fields: dict[str, str]) -> bytes:
    """application/x-www-form-urlencoded, as Slack sends commands."""
    return urlencode(fields).encode()


def send_command(app: Running, slack: FakeSlack, text: str, **kw: Any) -> Answer:
    """A /smtpcode slash command, form-encoded."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "example",
        "channel_id": CHANNEL,
        "channel_name": "ops",
        "user_id": USER,
        "user_name": "alice",
        "command": "/smtpcode",
        "text": text,
        "api_app_id": "A0SMTPCODE",
        "is_enterprise_install": "false",
        "response_url": slack.url("/resp/command"),
        "trigger_id": "1.2.3",
    }
    fields.update(kw)
    return post(app, form(fields), "application/x-www-form-urlencoded")


def send_interactive(app: Running, payload: dict[str, Any], **kw: Any) -> Answer:
    """An interactivity request: payload=<JSON>, form-encoded."""
    body = form({"payload": json.dumps(payload)})
    return post(app, body, "application/x-www-form-urlencoded", **kw)


def share_payload(
    slack: FakeSlack, value: str, action_id: str = "share_explanation"
) -> dict[str, Any]:
    """block_actions from a Share button on an ephemeral message."""
    return {
        "type": "block_actions",
        "user": {"id": USER, "username": "alice", "team_id": TEAM},
        "api_app_id": "A0SMTPCODE",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": CHANNEL,
            "is_ephemeral": True,
        },
        "trigger_id": "1.2.3",
        "team": {"id": TEAM, "domain": "example"},
        "channel": {"id": CHANNEL, "name": "ops"},
        "response_url": slack.url("/resp/share"),
        "actions": [
            {
                "action_id": action_id,
                "block_id": "share",
                "text": {"type": "plain_text", "text": "Share in channel"},
                "value": value,
                "type": "button",
                "action_ts": "1700000001.000200",
            }
        ],
    }


def shortcut_payload(
    slack: FakeSlack,
    text: str,
    files: list[dict[str, Any]] | None = None,
    **message: Any,
) -> dict[str, Any]:
    """message_action for the "Summarize SMTP codes" shortcut."""
    msg = {"type": "message", "user": "U0BOB", "ts": "1700000000.000300", "text": text}
    if files:
        msg["files"] = files
    msg.update(message)
    return {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": "1700000002.000400",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": USER, "name": "alice"},
        "channel": {"id": CHANNEL, "name": "ops"},
        "is_enterprise_install": False,
        "callback_id": "summarize_smtp_codes",
        "trigger_id": "1.2.3",
        "response_url": slack.url("/resp/shortcut"),
        "message_ts": msg["ts"],
        "message": msg,
    }


_event_ids = iter(range(1, 1_000_000))


def send_event(
    app: Running, event: dict[str, Any], *, event_id: str | None = None, **kw: Any
) -> Answer:
    """An Events API event_callback, JSON."""
    body = {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0SMTPCODE",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
    }
    return post(app, json.dumps(body).encode(), "application/json", **kw)


def mention(text: str, **extra: Any) -> dict[str, Any]:
    """An app_mention event in the ops channel."""
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER}> {text}",
        "ts": "1700000100.000100",
        "channel": CHANNEL,
        "event_ts": "1700000100.000100",
    }
    event.update(extra)
    return event


def direct(text: str, **extra: Any) -> dict[str, Any]:
    """A message.im event (a direct message to the bot)."""
    event = {
        "type": "message",
        "user": USER,
        "text": text,
        "ts": "1700000200.000100",
        "channel": DM_CHANNEL,
        "event_ts": "1700000200.000100",
        "channel_type": "im",
    }
    event.update(extra)
    return event


def slack_file(url: str, name: str, size: int, **extra: Any) -> dict[str, Any]:
    """A file object as it appears in a file_share message."""
    file = {
        "id": f"F{abs(hash(url)) % 10**8:08d}",
        "name": name,
        "title": name,
        "mimetype": "text/plain",
        "filetype": "text",
        "size": size,
        "mode": "hosted",
        "url_private": url,
        "url_private_download": url,
        "file_access": "visible",
    }
    file.update(extra)
    return file


def gz(text: str) -> bytes:
    """Gzip some text, as a maillog.gz would be."""
    return gzip.compress(text.encode())


# --- a WebSocket endpoint for Socket Mode -----------------------------------------


class FakeWebSocket:
    """Accepts WebSocket handshakes on loopback and then keeps the sockets open.

    Enough for slack_sdk's Socket Mode client to count as connected; it sends
    no envelopes.
    """

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._open: list[socket.socket] = []
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """What apps.connections.open answers."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket=test"

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        for sock in [self._listener, *self._open]:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._open.append(conn)
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            key = re.search(rb"Sec-WebSocket-Key: *(\S+)", request, re.IGNORECASE)
            digest = hashlib.sha1((key.group(1) if key else b"") + self.GUID.encode())
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                + base64.b64encode(digest.digest())
                + b"\r\n\r\n"
            )


@pytest.fixture
def websocket() -> Iterator[FakeWebSocket]:
    """A WebSocket endpoint for a Socket Mode test; closed after it."""
    fake = FakeWebSocket()
    yield fake
    fake.close()
