"""SMTP dialogues: RFC-style `S:`/`C:`, swaks (`<-`, `<~`, `<**`), Exim debug
(`SMTP<<`, `SMTP>>`), PHPMailer (`SERVER -> CLIENT:`), smtplib debug, and bare
server replies such as `exim -bh` prints.

A multi-line reply (`250-first`, `250-second`, `250 last`) is one event (RFC 5321
s4.2.1); it is emitted when its last line arrives. Where the client's commands are
in the dialogue, only the reply to the end of data counts as a delivery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.replies import domain_of

NAME = "transcript"

# Prefixes before a server reply, longest first so "<**" wins over "<*".
_SERVER = (
    "SERVER -> CLIENT:",
    "SMTP<<",
    "SMTP>>",
    "SMTP>|",
    "<**",
    "<~*",
    "<-",
    "<~",
    "S: ",
    "<<<",
)
_CLIENT = ("CLIENT -> SERVER:", "SMTP>>", "->", "~>", "C: ", ">>>")
_LINE = re.compile(r"([2-5]\d\d)([ -]|$)(.*)$")
_ENHANCED = re.compile(r"#?([245]\.\d{1,3}\.\d{1,3})(?!\d|\.\d)\s*")
_SMTPLIB = re.compile(r"reply: retcode \((\d{3})\); Msg: b?['\"](.*)['\"]\s*$")
_STATUS = {"2": "accepted", "3": "info", "4": "deferred", "5": "rejected"}
_TEXT_LIMIT = 2000
# Client lines after which a 2xx reply accepts the message itself (RFC 5321
# s4.1.1.4 end of data, RFC 3030 BDAT ... LAST).
_END_OF_DATA = (".", "BDAT")


class TranscriptFormat:
    """SMTP client/server dialogues; one event per complete server reply."""

    name = NAME

    def __init__(self) -> None:
        self._code: str | None = None
        self._texts: list[str] = []
        self._first_line = 0
        self._example = ""
        self._rcpt: str | None = None
        self._command: str | None = None

    @property
    def open(self) -> bool:
        """Never forces the next line on the reader; a reply left open is flushed."""
        return False

    def claims(self, line: str) -> bool:
        """A reply or command behind a known prefix, or a bare reply line."""
        stripped = line.lstrip()
        if not stripped:
            return False
        first = stripped[0]
        if first in "2345":
            return _LINE.match(stripped) is not None
        if first == "r":
            return _SMTPLIB.match(stripped) is not None
        if first in "SC<-~>" or stripped.startswith(("SERVER", "CLIENT")):
            return _reply_part(stripped) is not None or _command(stripped) is not None
        return False

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Consume one dialogue line; events for replies completed by it."""
        stripped = line.strip()
        smtplib = _SMTPLIB.match(stripped)
        if smtplib is not None:
            return self._close() + self._single(
                lineno, smtplib.group(1), smtplib.group(2)
            )

        command = _command(stripped)
        if command is not None:
            if command.upper().startswith("RCPT TO:"):
                self._rcpt = domain_of(command)
            done = self._close()
            self._command = command.strip().upper()
            return done

        part = _reply_part(stripped) if stripped[:1] not in "2345" else stripped
        if part is None:
            return None
        found = _LINE.match(part)
        if found is None:
            return None
        return self._add(lineno, line, found.group(1), found.group(2), found.group(3))

    def flush(self) -> Iterable[Event]:
        """A multi-line reply whose last line never came."""
        return self._close()

    def _add(
        self, lineno: int, line: str, code: str, sep: str, text: str
    ) -> tuple[Event, ...]:
        """Add one reply line; close the reply on its last line."""
        done: tuple[Event, ...] = ()
        if self._code is not None and code != self._code:
            done = self._close()
        if self._code is None:
            self._code, self._first_line, self._example = code, lineno, line
        if sum(map(len, self._texts)) < _TEXT_LIMIT:
            self._texts.append(text.strip())
        if sep == "-":
            return done
        return done + self._close()

    def _single(self, lineno: int, code: str, text: str) -> tuple[Event, ...]:
        """One complete reply from a line that holds all of it."""
        self._code, self._first_line, self._example = code, lineno, text
        self._texts = [text.replace("\\r\\n", " ").replace("\\n", " ")]
        return self._close()

    def _close(self) -> tuple[Event, ...]:
        """The pending reply as an event, if there is one."""
        code = self._code
        if code is None:
            return ()
        text = " ".join(t for t in self._texts if t)
        enhanced = None
        found = _ENHANCED.match(text)
        if found is not None:
            enhanced = found.group(1)
            text = text[found.end() :]
            if enhanced in text:
                text = " ".join(text.replace(enhanced + " ", " ").split())
        not_delivery = _answers_command(code, self._command)
        event = Event(
            line=self._first_line,
            format=NAME,
            code=code,
            enhanced=enhanced,
            status=_STATUS.get(code[0], "unknown"),
            recipient_domain=self._rcpt if code[0] in "245" else None,
            text=text,
            example=self._example,
            reason="" if not_delivery else None,
            hard=False if not_delivery else None,
        )
        if self._rcpt is not None and code[0] in "245":
            self._rcpt = None
        self._code, self._texts = None, []
        return (event,)


def _answers_command(code: str, command: str | None) -> bool:
    """True for a 2xx/3xx reply to a command other than the end of the data.

    Without the client's side the reply speaks for itself (False).
    """
    if code[0] not in "23" or command is None:
        return False
    if command.startswith(_END_OF_DATA[1]):
        return not command.endswith(" LAST")
    return command != _END_OF_DATA[0]


def _reply_part(line: str) -> str | None:
    """The reply after a server-side prefix, or None."""
    for prefix in _SERVER:
        if line.startswith(prefix):
            rest = line[len(prefix) :].lstrip()
            return rest if _LINE.match(rest) else None
    return None


def _command(line: str) -> str | None:
    """The command after a client-side prefix ("C: RCPT TO:<a@b>"), or None."""
    for prefix in _CLIENT:
        if line.startswith(prefix):
            rest = line[len(prefix) :].lstrip()
            if _LINE.match(rest):  # "SMTP>> 250 OK": Exim as a server replying
                return None
            return rest
    return None
