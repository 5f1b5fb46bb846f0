"""The Event record: one reply found in a log."""

from __future__ import annotations

from typing import NamedTuple


class Event(NamedTuple):
    """One server reply found in a log entry (immutable; a tuple, cheap to make).

    `code` is the reply code as text ("550", "0", "9009") or None when the entry
    carries only an enhanced code; `enhanced` is "5.1.1" or None. `status` is one
    of STATUSES. `time` is the entry's timestamp as written in the log (ISO 8601
    where the format allows converting it), or None. `example` is the source line
    with local parts of addresses masked, cut to a bounded length.

    `direction` says whose reply it is, seen from the server that wrote the log:
    "inbound" when that server answered a client sending mail to it (Postfix
    smtpd/postscreen `reject:`, Sendmail `reject=`, Exim `rejected RCPT`), or
    "outbound" when the next hop answered mail that server was sending on
    (`status=bounced ... said:`, `stat=`, Exim `**`/`==`); None when the entry
    does not tell (a bare reply, a transcript, a column of codes).
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
    direction: str | None = None

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
"""What became of the message. "sent", "deferred", "bounced" and "expired" are
delivery outcomes of the server that wrote the log; "rejected" means the answering
server refused a command at SMTP time, for now (4xx) or for good (5xx), so nothing
was queued: with direction "inbound" that is the log's own server refusing a
client. "failed" is a failed login or probe, "accepted" a reply that took the
message or command, "info" a warning or progress reply."""

DIRECTIONS = ("inbound", "outbound")
