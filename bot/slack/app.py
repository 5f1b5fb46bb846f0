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
from slack_sdk import WebClient
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

logger = logging.getLogger(__name__)

LISTENER_THREADS = 32
WEB_API_TIMEOUT = 15
RATE_LIMIT_RETRIES = 2
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


def create_client(settings: Settings) -> WebClient:
    """A WebClient on SLACK_API_URL that retries 429s, 5xx and dropped connections."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=WEB_API_TIMEOUT,
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

    Raises slack_bolt.error.BoltError when auth.test rejects the bot token.
    """
    deps = Deps(
        settings=settings,
        jobs=jobs or JobRunner(settings.job_workers, settings.job_timeout),
        kept=kept or MemoryKept(),
    )
    app = App(
        client=client or create_client(settings),
        signing_secret=settings.signing_secret,
        listener_executor=listener_executor
        or ThreadPoolExecutor(LISTENER_THREADS, "listener"),
        name="smtpcode",
    )

    # Bolt logs a rejected request's whole body at INFO; bodies carry pasted logs.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)

    app.use(_provide(deps))
    app.use(dedupe_middleware(seen or MemorySeenStore()))
    app.use(ignore_bot_messages)
    app.error(handle_error)
    listeners.register(app)
    return app


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
    """Catch-all: log the traceback and tell the user briefly that it failed."""
    logger.exception("listener failed: %s", type(error).__name__, exc_info=error)
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
