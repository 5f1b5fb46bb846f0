"""Mentions and direct messages: codes are explained, logs and files summarized."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack import answers
from bot.slack.deps import deps_of
from bot.slack.replies import ThreadReply
from bot.slack.requestlog import handled
from bot.slack.text import strip_mention


def is_direct_message(event: dict[str, Any]) -> bool:
    """True for a message in the bot's direct-message conversation."""
    return event.get("channel_type") == "im"


def app_mention(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Answer a mention in its thread."""
    with handled("mention", body) as outcome:
        outcome.value = _answer(event, client, context)


def direct_message(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Answer a direct message (text, pasted log or attached file) in its thread."""
    with handled("dm", body) as outcome:
        outcome.value = _answer(event, client, context)


def other_message(logger: Logger) -> None:
    """Messages we do not answer (edits, deletions, channel joins): ignore quietly."""
    logger.debug("ignored a message event")


def _answer(event: dict[str, Any], client: WebClient, context: BoltContext) -> str:
    text = strip_mention(event.get("text", ""))
    channel = event.get("channel", "")
    thread_ts = event.get("thread_ts") or event.get("ts", "")
    reply = ThreadReply(client, channel, thread_ts, event.get("user", ""))
    files = tuple(event.get("files") or ())
    return answers.answer_text(
        text, files, reply, client=client, deps=deps_of(context), share=False
    )
