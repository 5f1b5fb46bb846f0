"""`python -m bot`: the Slack app, in Socket Mode with SLACK_APP_TOKEN, else HTTP.

Exits 2 on a missing setting, 1 when Slack rejects a token or the Socket Mode
connection cannot be restored, 0 after a clean shutdown (SIGTERM or Ctrl-C).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from typing import Any

from bot.slack.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("bot")

RECONNECT_GRACE = 120.0
HEALTH_INTERVAL = 5.0
HTTP_THREADS = 8


def main() -> int:
    """Read settings, then serve Slack until told to stop."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"smtpcode: {error.message}", file=sys.stderr)
        return 2

    if settings.socket_mode:
        return run_socket_mode(settings)
    return run_http(settings)


def run_socket_mode(settings: Settings) -> int:
    """Connect over Socket Mode; exit non-zero when Slack cannot be reached for long."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import create_app
    from bot.slack.jobs import SHUTDOWN_GRACE, JobRunner

    jobs = JobRunner(settings.job_workers, settings.job_timeout)
    try:
        app = create_app(settings, jobs=jobs)  # auth.test checks the bot token
        handler = SocketModeHandler(app, settings.app_token)
        handler.connect()  # type: ignore[no-untyped-call]  # checks the app token
    except (BoltError, SlackApiError, OSError) as error:
        logger.error("cannot start Socket Mode: %s", _reason(error))
        return 1

    stop = _stop_event()
    logger.info("connected over Socket Mode")
    code = _supervise(handler, stop)
    handler.close()  # type: ignore[no-untyped-call]
    jobs.shutdown(SHUTDOWN_GRACE)
    return code


def _supervise(handler: Any, stop: threading.Event) -> int:
    """Watch the connection; 1 when it stayed down past RECONNECT_GRACE, 0 on stop."""
    down_since: float | None = None
    while not stop.wait(HEALTH_INTERVAL):
        if handler.client.is_connected():
            down_since = None
            continue
        down_since = down_since or time.monotonic()
        if time.monotonic() - down_since > RECONNECT_GRACE:
            logger.error(
                "Socket Mode connection lost for %.0fs; exiting", RECONNECT_GRACE
            )
            return 1
    return 0


def run_http(settings: Settings) -> int:
    """Serve HTTP on $PORT with gunicorn (one worker; production uses the Procfile)."""
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    from bot.slack.web import create_wsgi_app

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{settings.port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", HTTP_THREADS)

        def load(self) -> Any:
            return create_wsgi_app(settings)

    _Server().run()
    return 0


def _stop_event() -> threading.Event:
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        logger.info("signal %d: shutting down", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop


def _reason(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        return str(response.get("error") or response.status_code)
    return str(error) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
