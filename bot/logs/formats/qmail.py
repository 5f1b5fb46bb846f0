"""qmail: qmail-send `delivery N: success|deferral|failure:` lines and rblsmtpd.

qmail writes the remote reply with spaces turned into underscores
("Remote_host_said:_250_ok"), and ends sentences with "/". Deliveries are
outbound; rblsmtpd and qmail-smtpd replies turn a client away (inbound).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.logs.event import Event
from bot.logs.replies import SingleLineFormat, line_time, split_reply

NAME = "qmail"

_RESULTS = {"success": "sent", "deferral": "deferred", "failure": "bounced"}
_DELIVERY = re.compile(r"delivery \d+: (success|deferral|failure): (.*)$")
_SAID = re.compile(r"said: ?([2-5]\d\d(?:[ -][^/]*)?)")
_HOST = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}|[\w.-]+?)(?: does not| but |_|$)")
_SMTPD = re.compile(r"(?:rblsmtpd|qmail-smtpd)(?:\[\d+\])?: (.*)$")
_RBL_REPLY = re.compile(r"(?:^|: )([2-5]\d\d .*)$")


class QmailFormat(SingleLineFormat):
    """qmail-send and rblsmtpd/qmail-smtpd lines."""

    name = NAME

    def claims(self, line: str) -> bool:
        """qmail's delivery wording, a TAI64N stamp, or rblsmtpd/qmail-smtpd."""
        if line.startswith("@4000") or "qmail" in line or "rblsmtpd" in line:
            return True
        return "delivery " in line and (
            ": success: " in line or ": deferral: " in line or ": failure: " in line
        )

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Events of one line; an empty tuple for qmail lines without a reply."""
        found = _DELIVERY.search(line)
        if found is not None:
            return _delivery(lineno, line, found.group(1), found.group(2))
        smtpd = _SMTPD.search(line)
        if smtpd is not None:
            return _smtpd(lineno, line, smtpd.group(1))
        return ()


def _time(line: str) -> str | None:
    """The syslog stamp, or a TAI64N label (multilog) as UTC ISO 8601."""
    if not line.startswith("@4000"):
        return line_time(line)
    label = line[1:25]
    try:
        # TAI64 seconds are offset by 2**62; TAI ran 10 s ahead of UTC in 1972.
        seconds = int(label[:16], 16) - (1 << 62) - 10
        stamp = datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return stamp.isoformat().replace("+00:00", "Z")


def _delivery(lineno: int, line: str, result: str, report: str) -> tuple[Event, ...]:
    """`delivery 1: failure: 192.0.2.7_does_not_like_recipient./Remote_host_said:..`."""
    text = report.replace("_", " ")
    found = _SAID.search(text)
    if found is None:
        return ()
    code, enhanced, reply = split_reply(found.group(1).strip())
    if code is None:
        return ()

    host = _HOST.match(report)
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=_RESULTS[result],
            remote_host=host.group(1) if host and host.group(1) else None,
            time=_time(line),
            text=reply.rstrip("/ ").strip(),
            example=line,
            direction="outbound",
        ),
    )


def _smtpd(lineno: int, line: str, message: str) -> tuple[Event, ...]:
    """`rblsmtpd: 192.0.2.7 pid 1 zen.example.org: 451 text`, `qmail-smtpd: 421 ..`."""
    found = _RBL_REPLY.search(message)
    if found is None:
        return ()
    code, enhanced, text = split_reply(found.group(1))
    if code is None:
        return ()
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status="rejected" if code[0] in "45" else "accepted",
            time=_time(line),
            text=text,
            example=line,
            direction="inbound",
        ),
    )
