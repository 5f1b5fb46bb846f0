"""Making text safe for Slack: escaping, code spans and cutting to a length.

Slack treats only `&`, `<` and `>` as control characters; text that comes from
Slack already has them as entities, so every helper here normalises first.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITY_CHARS = {"amp": "&", "lt": "<", "gt": ">"}
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
# ANSI escape sequences, then any other C0/C1 control character or DEL: text
# typed into a query can carry them, and a terminal would obey them.
_CONTROLS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|[\x00-\x08\x0e-\x1b\x7f-\x9f]")

# A backtick would close the span early; U+02CB looks the same and does not.
_BACKTICK_LOOKALIKE = "\u02cb"
CODE_SPAN_LIMIT = 300


def unescape(text: str) -> str:
    """Turn Slack's three entities back into the characters, in one pass."""
    return _ENTITY.sub(lambda m: _ENTITY_CHARS[m.group(1)], text)


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` for Slack, never twice: entities are normalised first."""
    plain = unescape(text)
    return plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(text: str) -> str:
    """Make user text safe for a plain_text object, where entities show literally."""
    plain = unescape(text)
    return plain.replace("<", "‹").replace(">", "›")


def cut(text: str, n: int) -> str:
    """Shorten `text` to at most `n` characters, ending with "…" when cut.

    Ends on a whole word when one ends near the limit, and never leaves half an
    entity such as `&am` at the end.
    """
    if len(text) <= n:
        return text
    if n <= 1:
        return ELLIPSIS[:n]

    head = text[: n - 1]
    space = head.rfind(" ", len(head) - 16)
    if space > len(head) // 2:
        head = head[:space]  # end on a whole word when one is close
    head = _PARTIAL_ENTITY.sub("", head)
    return head.rstrip() + ELLIPSIS


def excerpt(text: str, n: int, around: str = "") -> str:
    """Like cut, but keeps the part from shortly before the last `around` in view.

    A log line's useful end (the server's reply) survives a narrow width.
    """
    if len(text) <= n:
        return text
    at = text.rfind(around) if around else -1
    if at < n // 3:
        return cut(text, n)
    start = at - n // 4
    space = text.find(" ", start, at)
    start = space + 1 if space >= 0 else start  # begin on a whole word
    return cut(ELLIPSIS + text[start:], n)


def drop_controls(text: str) -> str:
    """Text without ANSI escape sequences or control characters (keeps whitespace)."""
    return _CONTROLS.sub("", text) if not text.isprintable() else text


def one_line(text: str) -> str:
    """Collapse every run of whitespace into one space; drop control characters."""
    return " ".join(drop_controls(text).split())


def code_span(text: str, limit: int = CODE_SPAN_LIMIT) -> str:
    """Inline code for Slack mrkdwn: one line, escaped, no backtick breaking out.

    Returns "" for blank text, since an empty span would show two backticks.
    """
    flat = one_line(unescape(text)).replace("`", _BACKTICK_LOOKALIKE)
    if not flat:
        return ""
    return "`" + cut(escape(flat), limit) + "`"


def code_block(lines: list[str] | tuple[str, ...], limit: int = 2800) -> str:
    """A fenced code block of escaped lines, cut to `limit` characters overall."""
    safe = [line.replace("```", "ˋˋˋ") for line in (unescape(x) for x in lines)]
    body = cut(escape("\n".join(safe)), max(limit - 8, 1))
    return "```\n" + body + "\n```"
