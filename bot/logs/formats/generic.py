"""The careful last resort: a reply code only where a reply plausibly sits.

A code counts after words that introduce a server's answer ("said:", "reply:",
"response:", "status:", "smtp;", "SMTP error ...:"), or when an enhanced code of
the same class follows it ("550 5.1.1"). Never a bare number: pids, ports, IP
octets, sizes, delays, times, queue ids and provider trace numbers ("... 211 -
gsmtp") all look like three digits. The second digit must be 0-5 (RFC 5321
s4.2.1), which also keeps out vendor event codes such as Mailgun's 498/499.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.replies import SingleLineFormat, domain_of, line_time, split_reply

NAME = "generic"

_CODE = r"[2-5][0-5]\d"
_AFTER_WORD = re.compile(
    r"(?i)(?:\bsaid|\breply|\bresponse|\bresponded|\banswer(?:ed)?|\bstatus"
    r"|\bsmtp;|\bsmtp error[^:]{0,80}|\bremote server returned)"
    r"\s*[:=;]?\s*['\"(\[]?(" + _CODE + r"(?:[ -].*)?)$"
)
_WITH_ENHANCED = re.compile(
    r"(?<![\w.:/=#\[-])(" + _CODE + r")[ -]#?([245])\.\d{1,3}\.\d{1,3}(?!\d|\.\d)"
)
_TO = re.compile(r"\bto=?:?\s*<([^<>\s]+@[^<>\s]+)>", re.IGNORECASE)
_STATUS = {"2": "sent", "3": "info", "4": "deferred", "5": "rejected"}


class GenericFormat(SingleLineFormat):
    """Any line at all, read with suspicion."""

    name = NAME

    def claims(self, line: str) -> bool:
        """Anything holding a digit 2-5 could hold a reply."""
        return True

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """One event for the first plausible reply, or None when there is none."""
        reply = _find_reply(line)
        if reply is None:
            return None
        code, enhanced, text = split_reply(reply)
        if code is None:
            return None

        recipient = _TO.search(line)
        return (
            Event(
                line=lineno,
                format=NAME,
                code=code,
                enhanced=enhanced,
                status=_STATUS.get(code[0], "unknown"),
                recipient_domain=domain_of(recipient.group(1)) if recipient else None,
                time=line_time(line),
                text=text,
                example=line,
            ),
        )


def _find_reply(line: str) -> str | None:
    """The text starting at the most plausible reply code in a line, or None."""
    found = _AFTER_WORD.search(line)
    if found is not None and not _is_trace(found.group(1)):
        return found.group(1)
    for pair in _WITH_ENHANCED.finditer(line):
        if pair.group(1)[0] == pair.group(2):
            return line[pair.start() :]
    return None


def _is_trace(reply: str) -> bool:
    """Gmail's "211 - gsmtp"-style trace tails are ids, not replies."""
    return reply[3:6] == " - " and "gsmtp" in reply[:20]
