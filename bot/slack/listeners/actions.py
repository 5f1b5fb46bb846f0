"""The Share buttons: post a private answer in the channel, delete the private one."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import words
from bot.render.blocks import MAX_BLOCKS, context
from bot.slack import answers
from bot.slack.deps import deps_of
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
        answer = answers.explain(action.get("value", ""), share=False, mask=True)
        outcome.value = _share(answer, body, respond, client, logger)


def share_summary(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    logger: Logger,
) -> None:
    """Post the kept summary named by the button; say so when it has expired."""
    ack()
    with handled("share summary", body) as outcome:
        user = (body.get("user") or {}).get("id", "")
        kept = deps_of(context).kept
        answer = answers.kept_summary(kept, str(action.get("value", "")), user)
        if answer is not None:
            outcome.value = _share(answer, body, respond, client, logger)
            return

        expired = answers.problem(words.SUMMARY_EXPIRED)
        respond(
            blocks=expired.blocks,
            text=expired.text,
            response_type="ephemeral",
            replace_original=False,
        )
        outcome.value = "expired"


def _share(
    answer: answers.Answer,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    logger: Logger,
) -> str:
    """Post in channel through the click's response_url, deleting the private one."""
    user = (body.get("user") or {}).get("id", "")
    channel = (body.get("channel") or {}).get("id", "") or (
        body.get("container") or {}
    ).get("channel_id", "")
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
        return "shared"

    logger.warning("share via response_url refused: %s", response.status_code)
    return _post_instead(client, channel, user, blocks, answer.text)


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
