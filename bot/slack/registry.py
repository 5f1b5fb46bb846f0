"""What the app registers with Slack, as data read by the app, manifests and tests.

Keep this table, `listeners.register` and `manifests/*.json` in step; a test
checks all three against each other.
"""

from __future__ import annotations

from bot.render import words

COMMAND = words.SLASH_COMMAND
SHARE_ACTION = words.SHARE_ACTION_ID
SHARE_SUMMARY_ACTION = words.SHARE_SUMMARY_ACTION_ID
SHORTCUT_CALLBACK = "summarize_smtp_codes"
SHORTCUT_NAME = words.SHORTCUT_NAME

# Manifest bot event name → the scope that event needs (None: no scope needed).
BOT_EVENTS: dict[str, str | None] = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
}

# Every bot scope and why it is asked for.
BOT_SCOPES: dict[str, str] = {
    "app_mentions:read": "receive app_mention events",
    "chat:write": "answer in threads, update progress messages, DM fallback",
    "commands": "the /smtpcode command and the message shortcut",
    "files:read": "download logs attached to mentions, DMs and shortcut messages",
    "files:write": "attach the full text of a trimmed summary",
    "im:write": "open a DM to send the full text of a trimmed private summary",
    "im:history": "receive message.im events (direct messages to the bot)",
}

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
