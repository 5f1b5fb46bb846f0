"""Tests for the reply helpers' shortcuts: each gives what its pattern gives."""

from __future__ import annotations

import re

import pytest

from bot.logs import replies
from bot.logs.replies import domain_of, split_reply


def _split_by_pattern(text: str) -> tuple[str | None, str | None, str]:
    """split_reply without its shortcut for "250 2.0.0 "."""
    match = replies._REPLY_AT_START.match(text)
    if match is None:
        return None, None, text
    code, enhanced = match.groups()
    rest = text[match.end() :]
    if code in rest:
        rest = replies.fold_continuations(rest, code, enhanced)
    return code, enhanced, rest.strip()


@pytest.mark.parametrize(
    "text",
    [
        "250 2.0.0 Ok: queued as 336A5BF33B",
        "250 2.0.0  Ok ",
        "250 2.0.0 ",
        "250 2.0.0 OK 250 2.0.0 again",
        "250 2.0.0 OK id=250",
        "250 2.0.00 odd",
        "250 2.0.0.1 not an enhanced code",
        "250 2.0.1 other",
        "550 5.1.1 <a@example.com>: no such user",
    ],
)
def test_split_reply_gives_what_its_pattern_gives(text: str) -> None:
    assert split_reply(text) == _split_by_pattern(text)


def _domain_by_pattern(address: str | None) -> str | None:
    """domain_of without its cache."""
    if not address:
        return None
    match = re.search(r"@([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])", address)
    return match.group(1).lower().rstrip(".") if match else None


@pytest.mark.parametrize(
    "address",
    [
        "<j@Example.COM>",
        "<k@example.com>",
        "j@@example.net",
        "@-x@example.org",
        "<j@.>",
        "no address",
        "",
        None,
        "a@b@example.com",
    ],
)
def test_domain_of_gives_what_its_pattern_gives_also_when_cached(
    address: str | None,
) -> None:
    expected = _domain_by_pattern(address)
    assert domain_of(address) == expected
    assert domain_of(address) == expected
