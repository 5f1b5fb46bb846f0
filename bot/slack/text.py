"""Turning Slack message text back into the plain text a person pasted.

Slack escapes `&`, `<` and `>`, wraps links and mentions in `<…>` markup and
keeps code fences; the log reader wants the original lines.
"""

from __future__ import annotations

import re

from bot.render.escape import unescape

# <@U123>, <@U123|name>, <#C123|general>, <!here>, <!subteam^S1|@team>,
# <mailto:a@example.com|a@example.com>, <https://example.com|label>, <https://x>
_MARKUP = re.compile(r"<([@#!]?)([^<>|\s]*)(?:\|([^<>]*))?>")
_LEADING_MENTION = re.compile(r"^\s*(?:<@[UWB][A-Z0-9]+(?:\|[^>]*)?>\s*)+")


def _plain(match: re.Match[str]) -> str:
    sigil, target, label = match.group(1), match.group(2), match.group(3)
    if sigil == "!":
        return "@" + (label.lstrip("@") if label else target.split("^")[0])
    if sigil:
        return (sigil + label.lstrip("@#")) if label else sigil + target
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    return label or target


def strip_mention(text: str) -> str:
    """Drop the bot mention(s) a message starts with."""
    return _LEADING_MENTION.sub("", text, count=1)


def message_text(text: str) -> str:
    """Slack mrkdwn as received → the plain text typed or pasted (fences removed)."""
    plain = _MARKUP.sub(_plain, text or "")
    raw_lines = plain.splitlines()
    lines = [line.replace("```", "") for line in raw_lines]
    kept = [line for line, raw in zip(lines, raw_lines, strict=True) if line or not raw]
    return unescape("\n".join(kept)).strip()
