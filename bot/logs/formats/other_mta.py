"""Other mail servers' log lines, one small format per family: Courier, ASSP and
Oracle Communications Messaging Server (iPlanet/Sun ONE) XML connection records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.replies import SingleLineFormat, domain_of, field, line_time, split_reply

NAME = "courier"
ASSP = "assp"
ORACLE = "oracle-ims"

# courieresmtpd: error,relay=...,from=<a@b>,to=<c@d>: 550 User unknown.
# courieresmtpd: error,relay=...,msg="535 Authentication failed.",cmd: AUTH ...
# courieresmtp: id=...,from=<a@b>,addr=<c@d>: 550 5.1.1 User unknown
_COURIER = re.compile(r'(?:>: |msg=")([2-5]\d\d[ -][^"]*)')
# ASSP: "[SMTP Error] 535 5.7.8 ..." or "... - after reply: 535 5.7.8 ..."
_ASSP = re.compile(r"(?:\[SMTP Error\] |after reply: |reply: )([2-5]\d\d[ -].*)$")
_ASSP_TIME = re.compile(r"[A-Z][a-z]{2}-\d\d-\d\d \d\d:\d\d:\d\d")
_ORACLE_TIME = re.compile(r' ts="([^"]+)"')
_ORACLE_DI = re.compile(r' di="([2-5]\d\d[ -][^"]*)"')
# The record's `dr` attribute: "+" a connection made to this server, "-" one it
# made to another.
_ORACLE_DIRECTION = {' dr="+"': "inbound", ' dr="-"': "outbound"}


class CourierFormat(SingleLineFormat):
    """Courier's courieresmtpd rejections and courieresmtp delivery failures."""

    name = NAME

    def claims(self, line: str) -> bool:
        """Lines of Courier's SMTP programs."""
        return "courieresmtp" in line

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Events of one line; an empty tuple when it carries no reply."""
        return _courier(lineno, line)


class AsspFormat(SingleLineFormat):
    """ASSP (Anti-Spam SMTP Proxy) lines quoting the reply it sent."""

    name = ASSP

    def claims(self, line: str) -> bool:
        """ASSP's "[SMTP Error]" tag or its "after reply:" wording."""
        return "[SMTP Error]" in line or "after reply: " in line

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Events of one line; an empty tuple when it carries no reply."""
        return _assp(lineno, line)


class OracleImsFormat(SingleLineFormat):
    """Oracle Messaging Server `<co ... di="..."/>` connection records."""

    name = ORACLE

    def claims(self, line: str) -> bool:
        """An XML connection record carrying a diagnostic."""
        return line.startswith("<co ") and ' di="' in line

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Events of one line; an empty tuple when it carries no reply."""
        return _oracle(lineno, line)


def _event(
    lineno: int,
    line: str,
    fmt: str,
    reply: str,
    time: str | None,
    recipient: str | None = None,
    direction: str | None = None,
) -> tuple[Event, ...]:
    """One event from a reply text, or nothing when it holds no reply code."""
    code, enhanced, text = split_reply(reply)
    if code is None:
        return ()
    status = "failed" if code == "535" else None
    return (
        Event(
            line=lineno,
            format=fmt,
            code=code,
            enhanced=enhanced,
            status=status or {"2": "sent", "4": "deferred"}.get(code[0], "rejected"),
            recipient_domain=domain_of(recipient),
            time=time,
            text=text,
            example=line,
            direction=direction,
        ),
    )


def _courier(lineno: int, line: str) -> tuple[Event, ...]:
    """A courieresmtpd rejection or a courieresmtp delivery failure.

    courieresmtpd is Courier's SMTP server answering a client (inbound);
    courieresmtp is its client quoting the next hop's reply (outbound).
    """
    found = _COURIER.search(line)
    if found is None:
        return ()
    recipient = field(line, "to=<", ">") or field(line, "addr=<", ">")
    direction = "inbound" if "courieresmtpd" in line else "outbound"
    reply, when = found.group(1), line_time(line)
    return _event(lineno, line, NAME, reply, when, recipient, direction)


def _assp(lineno: int, line: str) -> tuple[Event, ...]:
    """An ASSP line quoting the reply it sent to a client (always inbound)."""
    found = _ASSP.search(line)
    if found is None:
        return ()
    stamp = _ASSP_TIME.match(line)
    reply = found.group(1).rstrip(";")
    when = stamp.group(0) if stamp else None
    return _event(lineno, line, ASSP, reply, when, direction="inbound")


def _oracle(lineno: int, line: str) -> tuple[Event, ...]:
    """`<co ts="..." ... us="a@b" di="535 5.7.8 Bad username or password"/>`."""
    found = _ORACLE_DI.search(line)
    if found is None:
        return ()
    stamp = _ORACLE_TIME.search(line)
    when = stamp.group(1) if stamp else None
    direction = next((d for key, d in _ORACLE_DIRECTION.items() if key in line), None)
    return _event(lineno, line, ORACLE, found.group(1), when, direction=direction)
