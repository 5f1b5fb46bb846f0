"""Exim main log: `=>` `->` deliveries, `==` deferrals, `**` bounces, and replies
quoted in rejections, callouts and authenticator failures.

Exim writes a remote server's reply twice for a failed delivery: once on a host
line ("H=mx [ip]: SMTP error from remote mail server ...") and once on the
recipient's `==`/`**` line. Only the recipient line is counted. Deliveries are
outbound; ACL rejections, sender/recipient verify callouts and failed logins are
this server turning a client away (inbound).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.replies import SingleLineFormat, domain_of, line_time, split_reply

NAME = "exim"

_MARKERS = {"=>": "sent", "->": "sent", "==": "deferred", "**": "bounced"}
# "... after RCPT TO:<a@b>: 550 text", "(EHLO response was: 550 text)",
# "response to "MAIL FROM:<>" was: 550 text", "authenticator failed ...: 535 text"
_REPLY_AFTER = re.compile(r"(?::|was:) ([2-5]\d\d(?:[ -].*)?)$")
_EXIM_ID = re.compile(r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}$")
_HOST = re.compile(r" H=(\S+(?: \([^)]*\))? \[[^\]]+\])")
_CONFIRM = re.compile(r' C="((?:[^"\\]|\\.)*)"')
_QUOTING = (
    "SMTP error",
    "LMTP error",
    "authenticator failed",
    "was: ",
    "rejected RCPT ",
    "rejected MAIL ",
    "rejected after DATA",
)
# Words of a line about mail coming in: an ACL refusal, a verify callout made for
# an incoming message, a client's failed login, a malware/spam ACL condition.
_INBOUND = ("rejected ", "verify fail", "authenticator failed for ", " acl ")
_HINTS = (
    " <= ",
    " => ",
    " -> ",
    " == ",
    " ** ",
    " H=",
    " F=<",
    " U=",
    "SMTP error",
    "authenticator failed",
    "SMTP call from",
    "SMTP connection from",
    "rejected",
)


class EximFormat(SingleLineFormat):
    """Exim main log lines."""

    name = NAME

    def claims(self, line: str) -> bool:
        """`YYYY-MM-DD HH:MM:SS ` (or `exim[pid]:`) and an Exim-shaped message."""
        if "exim[" in line:
            return True
        if len(line) < 21 or line[4] != "-" or line[10] != " " or line[13] != ":":
            return False
        return any(hint in line for hint in _HINTS)

    def certain(self, line: str) -> bool:
        """Surely Exim: the claim test is already specific enough."""
        return self.claims(line)

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Events of one line; an empty tuple for Exim lines without a reply."""
        body, time = _body(line)
        words = body.split(" ", 3)
        if len(words) >= 3 and words[1] in _MARKERS and _EXIM_ID.match(words[0]):
            return _delivery(lineno, body, words, time)
        if len(words) >= 2 and _EXIM_ID.match(words[0]) and words[1].startswith("H="):
            return ()  # host-level copy of the reply on the next ==/** line
        if ": " in body and any(hint in body for hint in _QUOTING):
            return _quoted_reply(lineno, body, time, line)
        return ()


def _body(line: str) -> tuple[str, str | None]:
    """The message after the timestamp and [pid], and the timestamp itself."""
    if "exim[" in line:
        line = line.partition("]: ")[2] or line
    time = line_time(line)
    if time is None:
        return line, None
    body = line[len(time) :].lstrip()
    if body.startswith("+") or body.startswith("-"):  # log_timezone offset
        body = body.partition(" ")[2]
    if body.startswith("["):  # [pid] from log_selector +pid
        body = body.partition("] ")[2]
    return body, time


def _delivery(
    lineno: int, body: str, words: list[str], time: str | None
) -> tuple[Event, ...]:
    """`ID ** a@b R=r T=t H=mx [ip] : SMTP error ... after RCPT TO:<a@b>: 550 ...`."""
    status = _MARKERS[words[1]]
    rest = words[3] if len(words) > 3 else ""
    if status == "sent":
        confirm = _CONFIRM.search(rest)
        if confirm is None:
            return ()
        reply = confirm.group(1).replace("\\n", "\n").replace("\\\\", "\\")
    else:
        found = _REPLY_AFTER.search(rest)
        if found is None:
            return ()
        reply = found.group(1)
    reply = " ".join(reply.replace("\\n", "\n").split("\n")[-1:])

    code, enhanced, text = split_reply(reply)
    if code is None:
        return ()
    host = _HOST.search(" " + rest)
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=status,
            recipient_domain=domain_of(words[2]),
            remote_host=_host_name(host.group(1)) if host else None,
            time=time,
            text=text,
            example=body,
            direction="outbound",
        ),
    )


def _host_name(value: str) -> str | None:
    """ "mx.example.com [192.0.2.1]" -> "mx.example.com"; an address when unnamed."""
    name = value.split(" ", 1)[0]
    if name.startswith("[") or name.startswith("("):
        return value.rpartition("[")[2].rstrip("]") or None
    return name.lower()


def _quoted_reply(
    lineno: int, body: str, time: str | None, line: str
) -> tuple[Event, ...]:
    """A reply inside a rejection, callout or authenticator failure."""
    found = _REPLY_AFTER.search(body)
    if found is None:
        return ()
    code, enhanced, text = split_reply(found.group(1))
    if code is None:
        return ()

    recipient = None
    if "rejected RCPT " in body:
        recipient = body.partition("rejected RCPT ")[2].partition(":")[0]
    elif "verify fail for " in body:
        recipient = body.partition("verify fail for ")[2].partition(">")[0]
    host = _HOST.search(" " + body)
    direction = _direction(body)
    if "authenticator failed" in body:
        status = "failed"
    elif direction == "inbound" or code[0] == "5":
        status = "rejected"
    else:
        status = "deferred"
    return (
        Event(
            line=lineno,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=status,
            recipient_domain=domain_of(recipient),
            remote_host=_host_name(host.group(1)) if host else None,
            time=time,
            text=text,
            example=line,
            direction=direction,
        ),
    )


def _direction(body: str) -> str | None:
    """Inbound for this server's own refusals, outbound for a remote's reply."""
    if any(word in body for word in _INBOUND):
        return "inbound"
    if "remote mail server" in body or "LMTP error" in body:
        return "outbound"
    return None
