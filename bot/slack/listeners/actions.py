"""The Share button: post the private card in the channel and remove the private one."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import words
from bot.render.blocks import MAX_BLOCKS, context
from bot.slack import answers
from bot.slack.replies import ephemeral, slack_error
from bot.slack.requestlog import handled


def share_explanation(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    logger: Logger,
) -> None:
    """Rebuild the card from the button's value, addresses masked, and post it."""
    ack()
    with handled("share", body) as outcome:
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id", "") or (
            body.get("container") or {}
        ).get("channel_id", "")
        answer = answers.explain(action.get("value", ""), share=False, mask=True)
        blocks = answer.blocks[: MAX_BLOCKS - 1]
        if user:
            blocks.append(context(words.shared_by(user)))

        response = respond(
            blocks=blocks,
            text=answer.text,
            response_type="in_channel",
            delete_original=True,
            replace_original=False,
        )
        if response.status_code < 400:
            outcome.value = "shared"
            return

        logger.warning("share via response_url refused: %s", response.status_code)
        outcome.value = _post_instead(client, channel, user, blocks, answer.text)


def _post_instead(
    client: WebClient, channel: str, user: str, blocks: list[dict[str, Any]], text: str
) -> str:
    """Post with chat.postMessage; if the bot may not, tell the user how to fix it."""
    try:
        client.chat_postMessage(channel=channel, blocks=blocks, text=text)
        return "shared by post"
    except SlackApiError as error:
        problem = answers.problem(words.SHARE_FAILED)
        ephemeral(client, channel, user, problem.blocks, problem.text)
        return "share failed: " + slack_error(error)
