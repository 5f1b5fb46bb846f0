"""The last-resort reader finds replies only where they plausibly sit."""

from __future__ import annotations

import pytest

from bot.logs.formats.generic import GenericFormat


def found(line: str) -> list[tuple[str | None, str | None]]:
    result = GenericFormat().feed(1, line)
    return [(e.code, e.enhanced) for e in result or ()]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("the server said: 550 5.1.1 user unknown", [("550", "5.1.1")]),
        ("Remote server returned '554 5.7.1 rejected'", [("554", "5.7.1")]),
        ("delivery failed, response: 421 try again", [("421", None)]),
        ("Diagnostic: smtp; 552 5.2.2 mailbox full", [("552", "5.2.2")]),
        ("mail to b@example.com failed 550 5.7.26 DMARC", [("550", "5.7.26")]),
        ("SMTP error from remote server: 451 busy", [("451", None)]),
    ],
)
def test_plausible_positions_are_found(line: str, expected: list[object]) -> None:
    assert found(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "app[550]: connection from 192.0.2.250 port 25",
        "size=550 delay=421 nrcpt=250",
        "took 450 ms at 12:35:50.550",
        "queue id 4501A23 processed, 250 bytes",
        "x12si345abc.211 - gsmtp",
        "event code 498 for mailgun",
        "status: 499 could not reach the MX",
        "status: 607 previous complaint",
        "code 550 4.1.1 mismatch of classes",
        "the value 499 4.1234.343 is malformed",
    ],
)
def test_numbers_that_are_not_replies_are_ignored(line: str) -> None:
    assert found(line) == []
