"""Regexes guarded by plain substrings, so most replies skip the regex entirely.

Substring tests (`in`) are far cheaper than a regex scan; a rule whose every
alternative starts with a known word only runs its regex when one is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Guarded", "literal_gate"]

_META = set(".^$*+?{}[]|()")
_OPTIONAL = set("?*{")
_MIN_GATE = 3


@dataclass(frozen=True, slots=True)
class Guarded:
    """A compiled pattern and the substrings one of which any match contains."""

    pattern: re.Pattern[str]
    gate: tuple[str, ...]

    @classmethod
    def compile(cls, source: str) -> Guarded:
        """Compile a pattern and work out its gate."""
        return cls(re.compile(source), literal_gate(source))

    def search(self, text: str) -> re.Match[str] | None:
        """Like Pattern.search, after a cheap test that a match is possible."""
        if self.gate and not any(word in text for word in self.gate):
            return None
        return self.pattern.search(text)


def literal_gate(source: str) -> tuple[str, ...]:
    """Leading literals of each top-level alternative; () when one has none.

    Every match of the pattern contains one of the returned strings.
    """
    gate = []
    for branch in _top_level_branches(source):
        literal = _leading_literal(branch)
        if len(literal) < _MIN_GATE:
            return ()
        gate.append(literal)
    return tuple(dict.fromkeys(gate))


def _top_level_branches(source: str) -> list[str]:
    """Split on "|" outside groups and character classes."""
    branches, depth, start, i = [], 0, 0, 0
    in_class = False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(source[start:i])
            start = i + 1
        i += 1
    branches.append(source[start:])
    return branches


def _leading_literal(branch: str) -> str:
    """The plain text a branch must start with (after a leading \\b)."""
    if branch.startswith("\\b"):
        branch = branch[2:]
    out: list[str] = []
    i = 0
    while i < len(branch):
        char = branch[i]
        if char == "\\":
            escaped = branch[i + 1 : i + 2]
            if not escaped or escaped.isalnum():
                break
            out.append(escaped)
            i += 2
            continue
        if char in _META:
            if char in _OPTIONAL and out:
                out.pop()
            break
        out.append(char)
        i += 1
    return "".join(out)
