"""`python -m bot`: the Slack app, in Socket Mode with SLACK_APP_TOKEN, else HTTP.

Exits 2 on a missing setting; 1 when Slack cannot be reached, refuses a token, or
the Socket Mode connection cannot be made or restored ("cannot start: ..." says
which); 0 after a clean shutdown (SIGTERM or Ctrl-C).
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
"""Seconds the Socket Mode connection may stay down before the process exits 1."""
CONNECT_GRACE = 30.0
"""Seconds the first Socket Mode connection may take before the process exits 1."""
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

    problem = check_slack(settings)
    if problem:
        return _cannot_start(problem)
    if settings.socket_mode:
        return run_socket_mode(settings)
    return run_http(settings)


def check_slack(settings: Settings) -> str:
    """Why Slack cannot be used with these settings (auth.test), or "" when it can."""
    from bot.slack.app import create_client
    from bot.slack.startup import StartupError, check_bot_token, quiet_logger

    try:
        check_bot_token(settings, create_client(settings, logger=quiet_logger()))
    except StartupError as error:
        return str(error)
    return ""


def run_socket_mode(settings: Settings) -> int:
    """Connect over Socket Mode; exit non-zero when Slack cannot be reached for long."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import create_app
    from bot.slack.jobs import SHUTDOWN_GRACE, JobRunner
    from bot.slack.startup import StartupError, startup_error

    jobs = JobRunner(settings.job_workers, settings.job_timeout)
    try:
        app = create_app(settings, jobs=jobs)  # auth.test checks the bot token
        handler = SocketModeHandler(app, settings.app_token)
        handler.connect()  # type: ignore[no-untyped-call]  # checks the app token
    except StartupError as error:
        return _cannot_start(error, jobs)
    except (SlackApiError, OSError) as error:
        return _cannot_start(startup_error(error, settings, "SLACK_APP_TOKEN"), jobs)

    if not _wait_connected(handler, CONNECT_GRACE):
        handler.close()  # type: ignore[no-untyped-call]
        problem = (
            f"Socket Mode did not connect within {CONNECT_GRACE:.0f}s (no usable "
            "WebSocket URL from apps.connections.open, or the WebSocket never "
            "opened); check SLACK_APP_TOKEN, that Socket Mode is on in the app's "
            "settings, and the network"
        )
        return _cannot_start(problem, jobs)

    logger.info("connected over Socket Mode")
    stop = _stop_event()
    code = _supervise(handler, stop)
    handler.close()  # type: ignore[no-untyped-call]
    jobs.shutdown(SHUTDOWN_GRACE)
    return code


def _wait_connected(handler: Any, grace: float) -> bool:
    """True once the WebSocket is really open; False after `grace` seconds."""
    end = time.monotonic() + grace
    while not handler.client.is_connected():
        if time.monotonic() > end:
            return False
        time.sleep(0.1)
    return True


def _cannot_start(problem: object, jobs: Any = None) -> int:
    logger.error("cannot start: %s", problem)
    if jobs is not None:
        jobs.shutdown(0)
    return 1


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
    """Serve HTTP on $PORT with gunicorn (one worker; production uses the Procfile).

    main() has checked the bot token before, so a refused token or an unreachable
    Slack is one line and exit 1, not a gunicorn worker's traceback.
    """
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    from bot.slack.web import create_wsgi_app

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{settings.port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", HTTP_THREADS)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 25.1+
                self.cfg.set("control_socket_disable", True)

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


if __name__ == "__main__":
    sys.exit(main())
