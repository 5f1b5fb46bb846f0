"""The message shortcut "Summarize SMTP codes": works on any message, threads too."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.render import words
from bot.slack import answers
from bot.slack.deps import deps_of
from bot.slack.replies import ResponseUrlReply
from bot.slack.requestlog import handled


def summarize_message(
    ack: Ack,
    shortcut: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    logger: Logger,
) -> None:
    """Summarize (or explain) the chosen message's text and files, privately."""
    ack()
    with handled("shortcut", shortcut) as outcome:
        message = shortcut.get("message") or {}
        text = message.get("text", "")
        files = tuple(message.get("files") or ())
        channel = (shortcut.get("channel") or {}).get("id", "")
        user = (shortcut.get("user") or {}).get("id", "")
        deps = deps_of(context)
        reply = ResponseUrlReply(
            respond, client, channel, user, progress_delay=deps.settings.progress_delay
        )

        if not text.strip() and not files:
            answer = answers.problem(words.SHORTCUT_NOTHING)
            reply.send(answer.blocks, answer.text)
            outcome.value = "nothing"
            return
        outcome.value = answers.answer_text(
            text, files, reply, client=client, deps=deps, share=True
        )
