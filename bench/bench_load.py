"""Load benchmark of the Slack HTTP app: signed commands and events over loopback.

    python bench/bench_load.py [--clients 100] [--seconds 20] [--max-requests 20000]
                               [--server gunicorn|werkzeug] [--workers 1] [--threads 32]

Starts a fake Slack Web API (auth.test, chat.*, views.publish, response_url) on
127.0.0.1, serves the app under gunicorn (or werkzeug's threaded server) on
127.0.0.1 with SLACK_API_URL pointing at the fake, then sends signed slash
commands (`/smtpcode 451`, `/smtpcode 550 5.7.26`) and app_mention events from
N concurrent clients; some events are sent again with X-Slack-Retry-Num, as
Slack does when it thinks a delivery was lost. Stops by itself after --seconds
or --max-requests, then prints requests/s, latency to acknowledgement
(p50/p99/max), errors, replies missing, and duplicate replies seen by the fake.

With --workers above 1 the gunicorn workers share their de-duplication memory
through the SQLite state file (SMTPCODE_STATE_PATH; see bot/slack/dedupe.py), so a
retry that lands on another worker is still answered once.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

HOST = "127.0.0.1"
SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
TEAM = "T0BENCH"
BOT_USER = "UBENCHBOT"
CHANNEL = "C0BENCH"
ACK_DEADLINE = 3.0
RETRY_SHARE = 5
"""One event in this many is delivered a second time with X-Slack-Retry-Num."""
SETTLE = 15.0
"""Seconds to wait after the load for replies still on their way."""
REPO = Path(__file__).resolve().parents[1]
RUN = secrets.token_hex(4).upper()
"""Part of every event id: the app remembers ids it saw across restarts."""


# --- the fake Slack Web API ----------------------------------------------------------


class _Listener(ThreadingHTTPServer):
    """A threaded HTTP server with a listen backlog deep enough for the load."""

    daemon_threads = True
    request_queue_size = 1024


class FakeSlack:
    """Counts every reply per request id: response_url path or thread_ts."""

    def __init__(self) -> None:
        self.replies: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.ts = itertools.count(1)
        self.server = _Listener((HOST, 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The fake's base URL."""
        return f"http://{HOST}:{self.server.server_address[1]}"

    def start(self) -> None:
        """Serve in a background thread."""
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def record(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """Count the call, and the reply under its request id; the JSON answer."""
        method = path.removeprefix("/api/")
        with self.lock:
            self.calls[method if path.startswith("/api/") else "response_url"] += 1
            if path.startswith("/resp/"):
                self.replies[path] += 1
            elif method in ("chat.postMessage", "chat.postEphemeral"):
                self.replies[f"thread:{params.get('thread_ts', '')}"] += 1
            ts = f"1700000000.{next(self.ts):06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Bench",
                "team_id": TEAM,
                "user": "smtpcode",
                "user_id": BOT_USER,
                "bot_id": "B0BENCH",
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D0BENCH"}}
        if path.startswith("/resp/"):
            return {"ok": True}
        return {"ok": True, "channel": params.get("channel", CHANNEL), "ts": ts}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                params: dict[str, Any] = {}
                kind = self.headers.get("Content-Type", "")
                if raw and kind.startswith("application/json"):
                    params = json.loads(raw)
                elif raw:
                    params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                body = json.dumps(fake.record(self.path, params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler


# --- the app under test -----------------------------------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def app_env(api_url: str) -> dict[str, str]:
    """The environment the app reads its settings from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url + "/api/",
        NO_PROXY=HOST,
        no_proxy=HOST,
        PYTHONPATH=str(REPO),
    )
    return env


class Server:
    """The app on loopback: a gunicorn child process or an in-process werkzeug."""

    def __init__(self, kind: str, api_url: str, workers: int, threads: int) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.werkzeug: Any = None
        if kind == "gunicorn":
            self._gunicorn(api_url, workers, threads)
        else:
            self._werkzeug(api_url)

    def _gunicorn(self, api_url: str, workers: int, threads: int) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "bot.slack.web:create_wsgi_app()",
        ]
        self.process = subprocess.Popen(
            command, env=app_env(api_url), cwd=str(REPO), start_new_session=True
        )

    def _werkzeug(self, api_url: str) -> None:
        from werkzeug.serving import make_server

        from bot.slack.settings import load_settings
        from bot.slack.web import create_wsgi_app

        os.environ.update(app_env(api_url))
        settings = load_settings(dotenv_path=None)
        self.werkzeug = make_server(HOST, self.port, create_wsgi_app(settings), True)
        threading.Thread(target=self.werkzeug.serve_forever, daemon=True).start()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Poll /healthz until the app answers."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit("gunicorn exited during start-up")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the app did not become healthy in time")

    def stop(self) -> None:
        """Stop the app: SIGTERM to gunicorn's process group, then wait."""
        if self.werkzeug is not None:
            self.werkzeug.shutdown()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- signed requests --------------------------------------------------------------


def signed(body: bytes, content_type: str) -> dict[str, str]:
    """Slack's v0 signature headers for a body, timestamped now."""
    stamp = str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest,
    }


def command_body(n: int, fake_url: str) -> tuple[bytes, str]:
    """A /smtpcode command, form-encoded, with its own response_url."""
    text = "451" if n % 2 else "550 5.7.26"
    path = f"/resp/cmd-{n}"
    fields = {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "example",
        "channel_id": CHANNEL,
        "channel_name": "ops",
        "user_id": "U0ALICE",
        "user_name": "alice",
        "command": "/smtpcode",
        "text": text,
        "api_app_id": "A0BENCH",
        "response_url": fake_url + path,
        "trigger_id": f"{n}.1.2",
    }
    return urlencode(fields).encode(), path


def event_body(n: int) -> tuple[bytes, str]:
    """An app_mention event_callback asking about a code, with its own ts."""
    ts = f"1700001000.{n:06d}"
    body = {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0BENCH",
        "type": "event_callback",
        "event_id": f"Ev{RUN}{n:08d}",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": "U0ALICE",
            "text": f"<@{BOT_USER}> what is 550 5.7.1?",
            "ts": ts,
            "channel": CHANNEL,
            "event_ts": ts,
        },
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }
    return json.dumps(body).encode(), f"thread:{ts}"


# --- the load ---------------------------------------------------------------------


@dataclass
class Results:
    """What the clients saw, gathered under a lock."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    expected: set[str] = field(default_factory=set)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float, error: str | None) -> None:
        """One request's outcome."""
        with self.lock:
            self.latencies.append(latency)
            if error:
                self.errors[error] += 1


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[float, str | None]:
    """POST to /slack/events; (seconds to the full response, error or None)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        error = None if response.status == 200 else f"HTTP {response.status}"
    except OSError as exc:
        error = type(exc).__name__
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    if error is None and elapsed > ACK_DEADLINE:
        error = "ack later than 3 s"
    return elapsed, error


def client_loop(
    port: int,
    fake_url: str,
    numbers: itertools.count[int],
    limit: int,
    deadline: float,
    results: Results,
) -> None:
    """One client: commands and mentions in turn until time or count runs out."""
    while time.monotonic() < deadline:
        n = next(numbers)  # itertools.count is atomic under the GIL
        if n >= limit:
            return
        if n % 2:
            body, key = command_body(n, fake_url)
            kind = "application/x-www-form-urlencoded"
        else:
            body, key = event_body(n)
            kind = "application/json"
        latency, error = post(port, body, signed(body, kind))
        results.add(latency, error)
        with results.lock:
            results.expected.add(key)

        if not n % 2 and n % (2 * RETRY_SHARE) == 0:
            headers = signed(body, kind)
            headers.update(
                {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            )
            latency, error = post(port, body, headers)
            results.add(latency, error)
            with results.lock:
                results.retries += 1


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values fall."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wait_for_replies(fake: FakeSlack, expected: set[str], timeout: float) -> None:
    """Give replies still in flight a bounded time to arrive."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with fake.lock:
            if all(fake.replies[key] for key in expected):
                return
        time.sleep(0.25)


def report(
    args: argparse.Namespace, results: Results, fake: FakeSlack, wall: float
) -> int:
    """Print the figures; exit status 0 when the targets are met."""
    lat = results.latencies
    with fake.lock:
        replies = dict(fake.replies)
        calls = dict(fake.calls)
    missing = sum(1 for key in results.expected if not replies.get(key))
    duplicates = sum(count - 1 for key, count in replies.items() if count > 1)
    errors = sum(results.errors.values())

    shape = f"workers {args.workers}, threads {args.threads}"
    print(f"server          {args.server} ({shape})")
    print(f"clients         {args.clients}, {wall:.1f} s")
    print(f"requests        {len(lat)} ({results.retries} of them retries)")
    print(f"requests/s      {len(lat) / wall:.1f}")
    print(
        f"ack latency     p50 {percentile(lat, 0.50) * 1000:.1f} ms, "
        f"p99 {percentile(lat, 0.99) * 1000:.1f} ms, "
        f"max {max(lat, default=0) * 1000:.1f} ms"
    )
    print(f"errors          {errors} {dict(results.errors) if errors else ''}")
    print(
        f"replies         {sum(replies.values())} for {len(results.expected)} requests"
    )
    print(f"missing replies {missing}")
    print(f"duplicates      {duplicates}")
    print(f"fake Slack saw  {calls}")
    ok = errors == 0 and duplicates == 0 and missing == 0
    ok = ok and max(lat, default=0) < ACK_DEADLINE
    print("result          " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main() -> int:
    """Run the benchmark once; exit 0 when every target is met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument(
        "--server", choices=("gunicorn", "werkzeug"), default="gunicorn"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()
    if not 1 <= args.clients <= 1000 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1..1000 and --seconds 0..600")

    fake = FakeSlack()
    fake.start()
    server = Server(args.server, fake.url, args.workers, args.threads)
    try:
        server.wait_ready()
        results = Results()
        numbers = itertools.count()
        started = time.monotonic()
        deadline = started + args.seconds
        with ThreadPoolExecutor(args.clients, "client") as pool:
            for _ in range(args.clients):
                pool.submit(
                    client_loop,
                    server.port,
                    fake.url,
                    numbers,
                    args.max_requests,
                    deadline,
                    results,
                )
        wall = time.monotonic() - started
        wait_for_replies(fake, results.expected, SETTLE)
        return report(args, results, fake, wall)
    finally:
        server.stop()
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
