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
    if event.get("tab") != "home":
        return
    with handled("home", body):
        client.views_publish(user_id=event["user"], view=home_view())
