"""The app factory: a Bolt App wired with retries, de-duplication and listeners.

Nothing here runs at import time; `create_app` calls auth.test (through Bolt),
so it needs a reachable Web API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.render import words
from bot.render.blocks import problem_blocks
from bot.slack import listeners
from bot.slack.dedupe import MemorySeenStore, SeenStore, dedupe_middleware
from bot.slack.deps import CONTEXT_KEY, Deps
from bot.slack.jobs import JobRunner
from bot.slack.kept import KeptStore, MemoryKept
from bot.slack.replies import ephemeral, slack_error
from bot.slack.settings import Settings
from bot.slack.signature import VERIFIED, SignatureCheck
from bot.slack.startup import startup_error

logger = logging.getLogger(__name__)

LISTENER_THREADS = 32
WEB_API_TIMEOUT = 15
RATE_LIMIT_RETRIES = 2
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


def create_client(
    settings: Settings, *, logger: logging.Logger | None = None
) -> WebClient:
    """A WebClient on SLACK_API_URL that retries 429s, 5xx and dropped connections.

    `logger` replaces slack_sdk's own, which logs each failed attempt and retry.
    """
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=WEB_API_TIMEOUT,
        logger=logger,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    seen: SeenStore | None = None,
    kept: KeptStore | None = None,
    jobs: JobRunner | None = None,
    listener_executor: Executor | None = None,
) -> App:
    """Build the Bolt app; `seen` and `kept` default to this process's memory.

    `seen` is the de-duplication store and `kept` holds private summaries for
    their Share button; the web process passes sqlite-backed ones that all its
    workers share (see bot.slack.web).

    Listeners run on `listener_executor` (default: a pool of LISTENER_THREADS);
    they only acknowledge, explain and queue, so the pool never waits on a log.

    Raises StartupError when auth.test fails: Slack unreachable or the token refused.
    """
    _quiet_token_warning()
    seen = seen or MemorySeenStore()
    try:
        app = App(
            client=client or create_client(settings),
            signing_secret=settings.signing_secret,
            # Ours instead of Bolt's: it warns about rejections, never logs bodies.
            request_verification_enabled=False,
            before_authorize=SignatureCheck(
                settings.signing_secret, seen=seen.first_time
            ),
            ssl_check_enabled=False,  # answered by SignatureCheck, once signed
            listener_executor=listener_executor
            or ThreadPoolExecutor(LISTENER_THREADS, "listener"),
            name="smtpcode",
        )
    except BoltError as error:
        if not isinstance(error.__context__, SlackApiError):
            raise  # a mistake in how the App is built, not Slack refusing us
        raise startup_error(error, settings, "SLACK_BOT_TOKEN") from error
    except OSError as error:
        raise startup_error(error, settings, "SLACK_BOT_TOKEN") from error

    deps = Deps(
        settings=settings,
        jobs=jobs or JobRunner(settings.job_workers, settings.job_timeout),
        kept=kept or MemoryKept(),
    )
    app.use(_provide(deps))
    app.use(dedupe_middleware(seen))
    app.use(ignore_bot_messages)
    app.error(handle_error)
    listeners.register(app)
    return app


class _DropTokenUnused(logging.Filter):
    """Drops Bolt's "`token` will be unused" warning, which never applies here.

    Bolt reads SLACK_BOT_TOKEN from the environment whenever it is given a client,
    only to warn that the client's token wins; ours comes from the same variable.
    """

    text = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.text


def _quiet_token_warning() -> None:
    bolt = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _DropTokenUnused) for f in bolt.filters):
        bolt.addFilter(_DropTokenUnused())


def _provide(deps: Deps) -> Callable[..., None]:
    def provide_deps(context: BoltContext, next_: Callable[[], None]) -> None:
        context[CONTEXT_KEY] = deps
        next_()

    return provide_deps


def ignore_bot_messages(
    body: dict[str, Any], next_: Callable[[], None]
) -> BoltResponse | None:
    """Drop messages and mentions written by bots (ours or others'), to avoid loops."""
    event = body.get("event") or {}
    from_bot = bool(event.get("bot_id")) or event.get("subtype") == "bot_message"
    if event.get("type") in ("message", "app_mention") and from_bot:
        return BoltResponse(status=200, body="")
    next_()
    return None


def handle_error(error: Exception, body: dict[str, Any], context: BoltContext) -> None:
    """Catch-all: log the traceback and tell the user briefly that it failed.

    Only a request known to come from Slack gets a reply: an unsigned body's
    response_url or channel must never be written to.
    """
    logger.exception("listener failed: %s", type(error).__name__, exc_info=error)
    if not context.get(VERIFIED):
        return
    event = body.get("event") or {}
    channel = (
        context.channel_id
        or event.get("channel")
        or (body.get("channel") or {}).get("id")
    )
    user = context.user_id or event.get("user") or ""
    if not (channel or user or body.get("response_url")) or context.client is None:
        return

    blocks = problem_blocks(words.GENERIC_FAILURE)
    try:
        if body.get("response_url") and context.respond is not None:
            context.respond(blocks=blocks, text=words.GENERIC_FAILURE)
            return
        ephemeral(context.client, channel or "", user, blocks, words.GENERIC_FAILURE)
    except Exception as failure:  # the error path must never raise
        logger.warning("could not report the failure: %s", slack_error(failure))
