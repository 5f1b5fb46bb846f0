"""The /smtpcode slash command: explain codes, show usage, or summarize a pasted log."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import answers
from bot.slack.deps import deps_of
from bot.slack.replies import ResponseUrlReply
from bot.slack.requestlog import handled


def smtpcode_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    logger: Logger,
) -> None:
    """Acknowledge at once, then answer privately through the response_url."""
    ack()
    with handled("command", command) as outcome:
        deps = deps_of(context)
        reply = ResponseUrlReply(
            respond,
            client,
            command.get("channel_id", ""),
            command.get("user_id", ""),
            progress_delay=deps.settings.progress_delay,
        )
        outcome.value = answers.answer_text(
            command.get("text", ""), (), reply, client=client, deps=deps, share=True
        )
