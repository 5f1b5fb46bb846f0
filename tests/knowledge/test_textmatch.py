"""Guarded patterns: the substring gate never hides a real match."""

from __future__ import annotations

import pytest

from bot.knowledge.providers import data_rows
from bot.knowledge.textmatch import Guarded, literal_gate


@pytest.mark.parametrize(
    ("source", "gate"),
    [
        ("mailbox full|over quota", ("mailbox full", "over quota")),
        (r"\brp-001\b", ("rp-001",)),
        (r"rfc ?5322", ("rfc",)),
        (r"blocked - see https://support\.proofpoint\.com", ("blocked - see https://support.proofpoint.com",)),
        (r"(?:user|mailbox) unknown|no such user", ()),
        (r"ab|mailbox full", ()),
        (r"doesn.t have a ptr record", ("doesn",)),
    ],
)  # fmt: skip
def test_literal_gate_takes_each_branchs_leading_text(
    source: str, gate: tuple[str, ...]
) -> None:
    """The gate is the leading literal of every branch, or empty when one lacks it."""
    assert literal_gate(source) == gate


def test_gate_never_hides_a_match_of_the_data_examples() -> None:
    """Each text rule's own example is still found through its gate."""
    for row in data_rows("reason_patterns.csv"):
        guarded = Guarded.compile(row["pattern"])
        assert guarded.search(row["example"].lower()) is not None, row["example"]


def test_gate_skips_text_without_any_gate_word() -> None:
    """Text lacking every gate word is rejected without running the regex."""
    guarded = Guarded.compile("mailbox full|over quota")

    assert guarded.search("user unknown") is None
    assert guarded.search("the mailbox full again") is not None
