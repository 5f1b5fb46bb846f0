"""Postfix: delivery status lines, smtpd/postscreen/cleanup rejects, host replies.

Reads syslog lines (RFC 3164 or ISO 8601 stamps) and bare message bodies as
journald or grok test data show them. A status line that repeats its status
(`dsn=5.1.1 ... said: 550 5.1.1`) is one event; the reply's own enhanced code wins
over `dsn=` when both are there. `reject:` lines are this server refusing a client
(inbound); status and `said:` lines are the next hop answering us (outbound).
"""

from __future__ import annotations

import functools
import re

from bot.logs.event import Event
from bot.logs.replies import (
    SingleLineFormat,
    domain_of,
    field,
    host_of,
    line_time,
    split_reply,
    status_of_code,
    strip_in_reply,
    valid_enhanced,
)

NAME = "postfix"

# status= words Postfix writes (qmgr, smtp, lmtp, local, virtual, pipe, verify).
_STATUSES = {
    "sent": "sent",
    "deferred": "deferred",
    "bounced": "bounced",
    "expired": "expired",
    "SOFTBOUNCE": "deferred",
    "undeliverable": "failed",
    "undeliverable-but-not-cached": "failed",
    "deliverable": "info",
}
_STATUS_WORD = re.compile(r"[^ ,(]*")
"""The word after status=, up to a space, comma or parenthesis."""
_REJECTS = (
    "reject: ",
    "milter-reject: ",
    "reject_warning: ",
    "proxy-reject: ",
    "proxy-accept: ",
)


class PostfixFormat(SingleLineFormat):
    """Postfix log lines; one event per reply."""

    name = NAME

    def claims(self, line: str) -> bool:
        """A postfix/... program name, or a bare body shaped like Postfix's."""
        if "postfix" in line:
            return True
        return (
            ("status=" in line and ("relay=" in line or "dsn=" in line))
            or "NOQUEUE: " in line
            or " said: " in line
            or "refused to talk to me: " in line
            or "reject: " in line
            or "reject_warning: " in line
            or "proxy-accept: " in line
        )

    def certain(self, line: str) -> bool:
        """Surely a Postfix syslog line: a "postfix/<service>[pid]: " program tag."""
        return "postfix/" in line and "]: " in line

    def scan(
        self, lines: list[str], start: int, lineno: int
    ) -> tuple[int, list[Event]]:
        """Take lines from `start` on while certain() holds; `lineno` numbers the first.

        Returns the index of the first line not taken and the events of those
        taken: what certain() and feed() would give line by line, without a
        call for the lines feed() surely finds nothing in. The tests below are
        a looser form of feed()'s own ("reject" for "reject: " and
        "reject_warning: "), so feed() still decides every line they let through.
        """
        events: list[Event] = []
        for index in range(start, len(lines)):
            line = lines[index]
            if "postfix/" not in line or "]: " not in line:
                return index, events
            if "status=" in line:  # feed()'s first test, made here
                events.extend(_status_line(lineno + index - start, line, _body(line)))
            elif (
                "reject" in line
                or "proxy-" in line
                or "said: " in line
                or "refused to talk" in line
            ):
                events.extend(self.feed(lineno + index - start, line))
        return len(lines), events

    def feed(self, lineno: int, line: str) -> tuple[Event, ...]:
        """Events of one line; an empty tuple for Postfix lines without a reply."""
        if "status=" in line:
            return _status_line(lineno, line, _body(line))
        if "reject: " in line or "reject_warning: " in line or "proxy-" in line:
            return _reject_line(lineno, line, _body(line))
        if " said: " in line or "refused to talk to me: " in line:
            return _said_line(lineno, line, _body(line))
        return ()


def _body(line: str) -> str:
    """The message after "postfix/<service>[pid]: ", or the line if it has none."""
    start = line.find("postfix")
    if start < 0:
        return line
    colon = line.find(": ", start)
    return line[colon + 2 :] if colon >= 0 else line


def _status_line(lineno: int, line: str, body: str) -> tuple[Event, ...]:
    """`QID: to=<a@b>, relay=.., dsn=5.1.1, status=bounced (host .. said: 550 ..)`."""
    at = body.find("status=") + 7
    if body.startswith("sent (", at):  # most lines: the pattern would end here too
        status, end = "sent", at + 4
    else:
        word = _STATUS_WORD.match(body, at)
        end = word.end() if word else at
        known = _STATUSES.get(body[at:end])
        if known is None:
            return ()
        status = known

    paren = body.find("(", end)
    detail = body[paren + 1 : body.rfind(")")] if paren >= 0 else ""
    host = None
    if " said: " in detail:
        said, _, detail = detail.partition(" said: ")
        host = host_of(said.rpartition("host ")[2])
    code, enhanced, text = split_reply(strip_in_reply(detail))
    if enhanced is None:
        enhanced = valid_enhanced(field(body, "dsn="))
        if code is None and enhanced is None:
            return ()

    recipient = field(body, "to=") or body.partition(": ")[2].partition(",")[0]
    domain = domain_of(recipient)
    host = host or _relay_host(field(body, "relay="))
    time = line_time(line)
    text = text if code else detail.strip()
    # Positional, in Event's field order: this runs for most lines of a log, and
    # keyword arguments make the tuple about twice as slow to build.
    return (
        Event(
            lineno,
            NAME,
            code,
            enhanced,
            status,
            domain,
            host,
            time,
            text,
            line,  # example
            None,  # provider
            None,  # reason
            None,  # hard
            "outbound",
        ),
    )


@functools.lru_cache(maxsize=1024)
def _relay_host(relay: str | None) -> str | None:
    """The relay= host, unless it is a local transport name (local, virtual...).

    Cached: a log names few relays, and this runs for every delivery.
    """
    if relay is None or relay == "none" or "[" not in relay:
        return None
    return host_of(relay)


def _reject_line(lineno: int, line: str, body: str) -> tuple[Event, ...]:
    """`NOQUEUE: reject: RCPT from h[ip]: 550 5.1.1 <a@b>: ...; from=<> to=<a@b>`."""
    for marker in _REJECTS:
        at = body.find(marker)
        if at >= 0:
            break
    else:
        return ()

    rest = body[at + len(marker) :]
    stage, _, rest = rest.partition(": ")
    client = None
    if " from " in stage:
        client = host_of(stage.partition(" from ")[2])
    if (
        "(smtp:" in rest and rest[:1].isdigit()
    ):  # proxy-accept: "250 2.0.0 from MTA(...): "
        rest = rest.partition("): ")[2] or rest
    reply, _, envelope = rest.partition("; from=")
    if not envelope:
        reply, _, envelope = rest.partition("; to=")
        envelope = "to=" + envelope if envelope else ""

    code, enhanced, text = split_reply(reply)
    if code is None:
        enhanced = valid_enhanced(reply.partition(" ")[0])
        text = reply.partition(" ")[2]
        if enhanced is None:
            return ()
    status = _reject_status(marker, code, enhanced)
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=status,
            recipient_domain=domain_of(field(envelope, "to=", ">")),
            remote_host=client,
            time=line_time(line),
            text=text,
            example=line,
            direction="inbound",
        ),
    )


def _reject_status(marker: str, code: str | None, enhanced: str | None) -> str:
    """ "accepted" for proxy-accept, "info" for reject_warning, else by class."""
    if marker == "proxy-accept: ":
        return "accepted"
    if marker == "reject_warning: ":
        return "info"
    first = (code or enhanced or "5")[0]
    return "accepted" if first == "2" else "rejected"


def _said_line(lineno: int, line: str, body: str) -> tuple[Event, ...]:
    """`QID: host mx[ip] said: 450 4.7.1 ... (in reply to RCPT TO command)`."""
    marker = " said: " if " said: " in body else "refused to talk to me: "
    head, _, reply = body.partition(marker)
    code, enhanced, text = split_reply(strip_in_reply(reply))
    if code is None:
        return ()

    host = host_of(head.rpartition("host ")[2]) if "host " in head else None
    if marker == " said: " and "server " in head and host is None:
        host = host_of(head.rpartition("server ")[2])
    status = "failed" if "SASL authentication failed" in head else status_of_code(code)
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=status,
            recipient_domain=None,
            remote_host=host,
            time=line_time(line),
            text=text,
            example=line,
            direction="outbound",
        ),
    )
