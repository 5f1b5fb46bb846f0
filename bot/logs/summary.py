"""Aggregating events into a Summary: by code, worst first, with a verdict.

(Records below are the fixed interface; the Summarizer is built in this module.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.knowledge.records import CodeClass, Explanation


@dataclass(frozen=True, slots=True)
class CodeGroup:
    """All events sharing one code, with what we know about it."""

    code: str
    count: int
    share: float
    code_class: CodeClass
    explanation: Explanation
    enhanced: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    providers: dict[str, int] = field(default_factory=dict)
    domains: tuple[tuple[str, int], ...] = ()
    hosts: tuple[tuple[str, int], ...] = ()
    first_seen: str | None = None
    last_seen: str | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """A whole input summarized by code, worst first."""

    groups: tuple[CodeGroup, ...]
    lines_read: int
    events: int
    formats: dict[str, int]
    unparsed: int
    bytes_read: int
    verdict: str
    first_seen: str | None = None
    last_seen: str | None = None
    other_codes: int = 0
    notes: tuple[str, ...] = ()
