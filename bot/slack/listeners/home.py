"""The App Home tab: how to use the bot and the embedded table."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.render.blocks import home_view
from bot.slack.requestlog import handled


def app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient
) -> None:
    """Publish the Home tab when its tab (not the Messages tab) is opened."""
    with handled("home", body) as outcome:
        if event.get("tab") != "home":
            outcome.value = "skipped"
            return
        client.views_publish(user_id=event["user"], view=home_view())
        outcome.value = "published"
