"""The Event record: one reply found in a log."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    """One server reply found in a log entry.

    `code` is the reply code as text ("550", "0", "9009") or None when the entry
    carries only an enhanced code; `enhanced` is "5.1.1" or None. `status` is one
    of STATUSES. `time` is the entry's timestamp as written in the log (ISO 8601
    where the format allows converting it), or None. `example` is the source line
    with local parts of addresses masked, cut to a bounded length.
    """

    line: int
    format: str
    code: str | None
    enhanced: str | None = None
    status: str = "unknown"
    recipient_domain: str | None = None
    remote_host: str | None = None
    time: str | None = None
    text: str = ""
    example: str = ""
    provider: str | None = None
    reason: str | None = None
    hard: bool | None = None

    @property
    def key(self) -> str:
        """The code an event is grouped under: reply code, else enhanced code."""
        return self.code or self.enhanced or "?"


STATUSES = (
    "sent",
    "deferred",
    "bounced",
    "rejected",
    "expired",
    "failed",
    "accepted",
    "info",
    "unknown",
)
