"""Sendmail: `stat=` delivery lines with `dsn=` (outbound), and `reject=` lines
where a ruleset turned a connecting client away (inbound)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.replies import (
    SingleLineFormat,
    domain_of,
    field,
    host_of,
    line_time,
    split_reply,
    valid_enhanced,
)

NAME = "sendmail"

_PROGRAMS = ("sm-mta[", "sendmail[", "sm-msp-queue[", "sm-acceptingconnections[")
# "stat=Deferred: 451 4.3.5 text", "stat=Sent (250 2.0.0 text)", "stat=550 5.1.1 ..."
_STAT_REPLY = re.compile(r"(?:^|: |\()([2-5]\d\d[ -].*?)\)?$")


class SendmailFormat(SingleLineFormat):
    """Sendmail (sm-mta) log lines."""

    name = NAME

    def claims(self, line: str) -> bool:
        """A sendmail program name, or `stat=`/`reject=` fields."""
        if any(program in line for program in _PROGRAMS):
            return True
        return (", stat=" in line and "dsn=" in line) or (
            "ruleset=" in line and "reject=" in line
        )

    def certain(self, line: str) -> bool:
        """Surely Sendmail: one of its program tags."""
        return any(program in line for program in _PROGRAMS)

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Events of one line; an empty tuple for Sendmail lines without a reply."""
        if ", stat=" in line:
            return _stat_line(lineno, line)
        if "reject=" in line:
            return _reject_line(lineno, line)
        return ()


def _stat_status(stat: str) -> str:
    """sent / deferred / bounced from the stat= text."""
    word = stat.split(" ", 1)[0].rstrip(":").lower()
    if word == "sent":
        return "sent"
    if word in ("deferred", "queued"):
        return "deferred"
    return "bounced"


def _stat_line(lineno: int, line: str) -> tuple[Event, ...]:
    """`QID: to=<a@b>, ..., relay=mx [ip], dsn=4.3.5, stat=Deferred: 451 4.3.5 ...`."""
    stat = line.partition(", stat=")[2].strip()
    found = _STAT_REPLY.search(stat)
    code, enhanced, text = split_reply(found.group(1)) if found else (None, None, stat)
    enhanced = enhanced or valid_enhanced(field(line, "dsn="))
    if code is None and enhanced is None:
        return ()

    relay = field(line, "relay=")
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=_stat_status(stat),
            recipient_domain=domain_of(field(line, "to=")),
            remote_host=_relay_host(relay),
            time=line_time(line),
            text=text,
            example=line,
            direction="outbound",
        ),
    )


def _relay_host(relay: str | None) -> str | None:
    """ "mx.example.com. [192.0.2.1]" or "[192.0.2.1] [192.0.2.1]" -> a host."""
    if not relay:
        return None
    name = relay.split(" ", 1)[0].rstrip(".")
    if name.startswith("["):
        return name.strip("[]") or None
    return host_of(name)


def _reject_line(lineno: int, line: str) -> tuple[Event, ...]:
    """`QID: ruleset=check_rcpt, arg1=<a@b>, relay=h [ip], reject=550 5.7.1 ...`."""
    reply = line.partition("reject=")[2]
    code, enhanced, text = split_reply(reply)
    if code is None:
        return ()

    arg1 = field(line, "arg1=")
    ruleset = field(line, "ruleset=")
    recipient = arg1 if ruleset == "check_rcpt" else None
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status="rejected",
            recipient_domain=domain_of(recipient),
            remote_host=_relay_host(field(line, "relay=")),
            time=line_time(line),
            text=text,
            example=line,
            direction="inbound",
        ),
    )
