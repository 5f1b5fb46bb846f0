"""Listeners grouped by Slack surface, registered from the table in registry."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import registry
from bot.slack.listeners import actions, commands, events, home, shortcuts


def register(app: App) -> None:
    """Register every listener; keep in step with registry and manifests/."""
    app.command(registry.COMMAND)(commands.smtpcode_command)
    app.action(registry.SHARE_ACTION)(actions.share_explanation)
    app.action(registry.SHARE_SUMMARY_ACTION)(actions.share_summary)
    app.message_shortcut(registry.SHORTCUT_CALLBACK)(shortcuts.summarize_message)
    app.event("app_home_opened")(home.app_home_opened)
    app.event("app_mention")(events.app_mention)
    app.event(
        {"type": "message", "subtype": (None, "file_share")},
        matchers=[events.is_direct_message],
    )(events.direct_message)
    app.event("message")(events.other_message)
