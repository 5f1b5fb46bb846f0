"""Masking personal details in example lines: local parts of addresses, length."""

from __future__ import annotations

import re

EXAMPLE_LIMIT = 300
"""Example lines are cut to this many characters."""

# A local part followed by @domain. Keeps the first character: "jane@example.com"
# becomes "j***@example.com". Already masked parts stay as they are. A local part
# may hold "=" (SRS addresses), so Postfix's and Sendmail's `to=`/`from=` keys
# before a bare address are kept apart rather than taken for its start.
_ADDRESS = re.compile(
    r"(?<![\w.+%-])((?:(?:orig_)?to=|from=|ctladdr=)?)"
    r"([\w%+-])[\w.%+=~#$&'*/?^`{|}!-]*@(?=[\w-])"
)


def mask_addresses(text: str) -> str:
    """Replace the local part of every address with its first letter and ***."""
    if "@" not in text:
        return text
    return _ADDRESS.sub(r"\1\2***@", text)


def cut(text: str, limit: int = EXAMPLE_LIMIT) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def example(line: str, limit: int = EXAMPLE_LIMIT) -> str:
    """An example line as shown to people: cut, then masked."""
    return cut(mask_addresses(line.strip()[: limit * 2]), limit)
