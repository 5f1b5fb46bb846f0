"""The WSGI app for gunicorn: Slack's requests at /slack/events, health at /healthz.

`gunicorn 'bot.slack.web:create_wsgi_app()'` builds one app per worker process
(after the fork), so each worker has its own job threads; the workers share one
sqlite state file (SMTPCODE_STATE_PATH) for de-duplication and kept summaries.
"""

from __future__ import annotations

import atexit
import json
import logging
import sqlite3
import sys
from collections.abc import Iterable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

from bot.slack.app import create_app
from bot.slack.dedupe import MemorySeenStore, SeenStore, SqliteSeenStore
from bot.slack.jobs import SHUTDOWN_GRACE, JobRunner
from bot.slack.kept import KeptStore, MemoryKept, SqliteKept
from bot.slack.registry import EVENTS_PATH, HEALTH_PATH
from bot.slack.settings import Settings, SettingsError, load_settings
from bot.slack.signature import RateLimitedWarning
from bot.slack.startup import StartupError
from bot.slack.state import StateFile

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

WORKER_BOOT_ERROR = 3
"""gunicorn's exit code for a worker that cannot boot: the master stops too."""
MAX_BODY_BYTES = 2 * 1024 * 1024
"""Largest request body read; Slack's biggest payloads are far smaller."""
UNREADABLE = "rejected request: the body is not a Slack payload"


def create_wsgi_app(
    settings: Settings | None = None, *, jobs: JobRunner | None = None
) -> WSGIApplication:
    """Settings (from the environment when not given), the Bolt app, and routing.

    On exit the process waits up to SHUTDOWN_GRACE seconds for summaries in flight.
    A missing setting or Slack refusing the token logs one line ("cannot start:
    ...") and exits with WORKER_BOOT_ERROR, instead of a traceback per worker.
    """
    try:
        settings = settings or load_settings()
        jobs = jobs or JobRunner(settings.job_workers, settings.job_timeout)
        app = create_web_app(settings, jobs=jobs)
    except (SettingsError, StartupError) as error:
        logger.error("cannot start: %s", error)
        sys.exit(WORKER_BOOT_ERROR)
    atexit.register(jobs.shutdown, min(SHUTDOWN_GRACE, settings.job_timeout))
    return wsgi_app_for(app)


def create_web_app(
    settings: Settings,
    *,
    jobs: JobRunner | None = None,
    listener_executor: Executor | None = None,
) -> App:
    """The Bolt app of one web worker, with the stores the host's workers share.

    De-duplication and kept summaries live in the state file at
    `settings.state_path`; when it cannot be opened they fall back to memory.
    """
    seen, kept = shared_stores(settings.state_path)
    return create_app(
        settings, seen=seen, kept=kept, jobs=jobs, listener_executor=listener_executor
    )


def shared_stores(path: str) -> tuple[SeenStore, KeptStore]:
    """The sqlite-backed stores at `path`, or in-memory ones when it cannot be used."""
    try:
        state = StateFile(path)
    except (sqlite3.Error, OSError) as error:
        logger.error(
            "state file %s unusable (%s): de-duplication is per process", path, error
        )
        return MemorySeenStore(), MemoryKept()
    return SqliteSeenStore(state), SqliteKept(state)


def wsgi_app_for(app: App) -> WSGIApplication:
    """Route POST /slack/events to Bolt and GET /healthz to a 200 JSON answer.

    A body over MAX_BODY_BYTES gets 413 unread.
    """
    slack = _GuardedHandler(app, path=EVENTS_PATH)

    def wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _json(start_response, {"ok": True})
        length = str(environ.get("CONTENT_LENGTH") or "0")
        if not (length.isascii() and length.isdigit()):
            return _json(start_response, {"error": "bad length"}, "400 Bad Request")
        if int(length) > MAX_BODY_BYTES:
            status = "413 Content Too Large"
            return _json(start_response, {"error": "too large"}, status)
        return slack(environ, start_response)

    return wsgi_app


class _GuardedHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, answering 401 to a body Bolt cannot even parse.

    Bolt parses the body before any middleware checks the signature, so invalid
    JSON, a JSON array, nesting too deep or bytes that are not UTF-8 would end
    in a 500 with a traceback. Slack never sends such a body.
    """

    def __init__(self, app: App, path: str) -> None:
        super().__init__(app, path=path)
        self._warn = RateLimitedWarning(UNREADABLE)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        length = int(request.environ.get("CONTENT_LENGTH") or 0)
        raw = request.environ["wsgi.input"].read(length)
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers=request.get_headers(),
            )
            if not isinstance(bolt_request.body, dict):
                raise TypeError("not a JSON object")
        except (ValueError, TypeError, AttributeError, RecursionError):
            self._warn()
            return BoltResponse(status=401, body={"error": "invalid request"})
        return self.app.dispatch(bolt_request)


def _json(
    start_response: Any, payload: dict[str, Any], status: str = "200 OK"
) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]
