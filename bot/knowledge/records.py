"""Small frozen records for what the knowledge core knows about a code.

Every other part of smtpcode (logs, renderers, the CLI, Slack) speaks in these
records, so their field names are kept steady.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class CodeClass(enum.Enum):
    """What a code says about the outcome, from its first digit (RFC 5321 s4.2.1)."""

    SUCCESS = "success"
    INTERMEDIATE = "intermediate"
    TRANSIENT = "transient failure"
    PERMANENT = "permanent failure"
    APPLICATION = "application code"
    UNKNOWN = "unknown"

    @property
    def is_failure(self) -> bool:
        """True for transient and permanent failures."""
        return self in (CodeClass.TRANSIENT, CodeClass.PERMANENT)

    @property
    def severity(self) -> int:
        """Sort key, worst first: permanent 0, transient 1, unknown 2, ... success 5."""
        order = {
            CodeClass.PERMANENT: 0,
            CodeClass.TRANSIENT: 1,
            CodeClass.UNKNOWN: 2,
            CodeClass.APPLICATION: 3,
            CodeClass.INTERMEDIATE: 4,
            CodeClass.SUCCESS: 5,
        }
        return order[self]


class Retry(enum.Enum):
    """Whether sending the same thing again can help."""

    YES = "yes"
    NO = "no"
    AFTER_FIX = "after a fix"
    NOT_NEEDED = "not needed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of the embedded table, exactly as written in the design."""

    code: str
    description: str
    type: str


@dataclass(frozen=True, slots=True)
class ProviderReply:
    """A mailbox provider's or blocklist's known reply, matched by its text."""

    provider: str
    reply: str
    enhanced: str
    match: str
    meaning: str
    reason: str
    retry: Retry
    fix: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything we know about one code (reply, enhanced, or both).

    `code` is the reply code as text ("550", "0", "9009") or None when only an
    enhanced code was given; `enhanced` is "5.7.26" or None.
    """

    query: str
    code: str | None
    enhanced: str | None
    code_class: CodeClass
    title: str
    standard: str
    table: TableRow | None = None
    causes: tuple[str, ...] = ()
    action: str = ""
    retry: Retry = Retry.UNKNOWN
    related: tuple[str, ...] = ()
    rfc: str = ""
    notes: tuple[str, ...] = ()
    enhanced_title: str = ""
    enhanced_meaning: str = ""
    provider: ProviderReply | None = None
    reason: str | None = None
    hard: bool | None = None
    reply_text: str = ""
    known: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The code as people write it: "550 5.7.26", "451" or "4.7.1"."""
        parts = [p for p in (self.code, self.enhanced) if p]
        return " ".join(parts)
