"""Bounce messages: RFC 3464 delivery-status parts and the common vendor bounce texts.

A whole message (.eml, mbox) is buffered up to a limit and read with the standard
`email` package; a pasted excerpt without headers is read as plain text.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from email.message import Message
from email.utils import parsedate_to_datetime

from bot.logs.event import Event
from bot.logs.mask import example
from bot.logs.replies import ENHANCED_RE, domain_of, split_reply, valid_enhanced

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 2 * 1024 * 1024
"""A bounce message is buffered up to this size; the rest is skipped."""

MAX_FRAGMENT_LINES = 5000
"""A pasted bounce excerpt without headers ends after this many lines."""

_MAX_PARTS = 200
_GIST_HEAD = 390
_GIST_TAIL = 100
_MAX_TEXT = 256 * 1024

# Lines that open a message: mbox separator and the usual first headers.
_MESSAGE_START = (
    "From ",
    "Return-Path:",
    "Return-path:",
    "Received:",
    "Delivered-To:",
    "X-Original-To:",
    "X-Apparently-To:",
    "MIME-Version:",
    "Mime-Version:",
    "Content-Type: multipart/report",
    "X-Failed-Recipients:",
    "From:",
    "Date:",
    "Subject:",
    "Message-ID:",
    "Message-Id:",
)

# RFC 3464 s2.2 / s2.3 fields that open a pasted delivery-status excerpt.
_DSN_START = (
    "Final-Recipient:",
    "Original-Recipient:",
    "Reporting-MTA:",
    "Diagnostic-Code:",
)

# First lines of vendor bounce texts pasted without their headers.
_TEXT_START = (
    "This is the mail system at host",  # Postfix
    "This message was created automatically by mail delivery software",  # Exim
    "Delivery has failed to these recipients",  # Exchange
    "Diagnostic information for administrators:",  # Exchange
    "Your message to ",  # Exchange / Office 365
    "Remote Server returned '",  # Exchange
    "Hi. This is the qmail-send program",  # qmail
    "Delivery to the following recipient failed",  # Gmail
    "The response from the remote server was:",  # Gmail
    "The original message was received at",  # Sendmail
    "Transcript of session follows",  # Sendmail, after its dashes
    "SMTP error from remote mail server after",  # Exim
    "Remote host said:",  # qmail
)

_HEADS = frozenset(p[:4] for p in _MESSAGE_START + _DSN_START + _TEXT_START)

# A line from some other log or document ends a pasted excerpt and is left for
# its own format: syslog or ISO 8601 time first, ASSP's "Apr-07-13" time, qmail's
# TAI64N stamp, an Exchange W3C header, an Oracle Messaging Server record, or the
# first line of a JSON document (a mail service's event).
_FOREIGN_LINE = re.compile(
    r"(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d"
    r"|[A-Z][a-z]{2}-\d\d-\d\d \d\d:\d\d:\d\d |@4000[0-9a-f]{20} "
    r"|#(?:Fields|Software|Version|Log-type|Date): |<co ts="
    r'|\{[ \t]*(?:"|$)|\[[ \t]*(?:\{|$))'
)
# Inside a message only a real syslog line ends it early.
_SYSLOG_LINE = re.compile(
    r"(?:[A-Z][a-z]{2} [ \d]\d |\d{4}-\d\d-\d\d[T ])"
    r"\d\d:\d\d:\d\d\S* \S+ [\w/.-]+\[\d+\]: "
)

# Where a copy of the original message begins in a plain-text bounce: stop there.
_ORIGINAL_COPY = re.compile(
    r"copy of the (?:original )?message|original message (?:follows|headers)"
    r"|below this line is a copy|unsent message below"
    r"|^ *-+ ?(?:original|returned) message"
    r"|^content-type: (?:message/rfc822|text/rfc822-headers)"
    r"|^-+ ?The header of the original message",
    re.IGNORECASE | re.MULTILINE,
)
# A header field or its folded continuation (RFC 5322 s2.2); anything else inside
# the header block means the lines were never a message.
_HEADER_LINE = re.compile(r"[!-9;-~]+:|[ \t]")

# Text that introduces a server's reply in vendor bounces. The reply follows.
_ANCHOR = re.compile(
    r"(?:said:"  # Postfix "host X said:", qmail "Remote host said:"
    r"|returned '"  # Exchange "Remote Server returned '550 ...'"
    r"|\bsmtp; ?"  # diagnostic text quoted in prose, Exchange 2003 "#5.1.1 smtp;550"
    r"|<<< "  # Sendmail transcript
    r"|\(reason: "  # Sendmail "(reason: 550 5.1.1 User unknown)"
    r"|Deferred: "  # Sendmail warnings
    r"|(?:server|returned|response) was:"  # Gmail "The response from ... was:"
    r"|^ *#(?=\d)"  # Exchange "#550 5.1.1 RESOLVER.ADR.RecipNotFound ##"
    r"|\]:(?= *\d)"  # Exim "host mx.example.org [192.0.2.1]: 550 ..."
    r"|@[\w.-]+>?:(?=[ \t]+[245]\d\d[ -])"  # "<user@example.org>: 550 5.1.1 ..."
    r"|(?:reason|failure|error|response|said)\s*:(?=\s*[245]\d\d[ -])"
    r"|(?::|-----)[ \t]*\n(?=[ \t]*[245]\d\d[ -])"  # a reply after "...:" line
    r"|^[ \t]*(?=[245]\d\d:?[ -]+[245]\.\d{1,3}\.\d{1,3}\b)"  # a line that is a reply
    r"|^[ \t]*(?=[245]\.\d{1,3}\.\d{1,3} )"  # a line that is an enhanced code
    r"|(?<=\S):(?=[ \t]*[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3} )"  # "host X: 553 5.3.0"
    r"|\[(?=[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3} )"  # "error message: [554 5.4.6"
    r")[ \t]*",
    re.MULTILINE | re.IGNORECASE,
)
# Zoho: "Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.1 <user@...>... text".
_ERROR_CODE = re.compile(
    r"ERROR_CODE :([245]\d\d), ERROR_CODE :([245]\.\d{1,3}\.\d{1,3})"
)
# qmail and others put the enhanced code last: "(#5.1.1)", "(#4.4.3)".
_HASH_STATUS = re.compile(r"\(#([245]\.\d{1,3}\.\d{1,3})\)")
# A reply code anywhere in a Diagnostic-Code value, as a last resort.
_CODE_INSIDE = re.compile(r"(?<![\w.#-])([245][0-5]\d)(?=[ -]+'?\S|$)")
_ADDRESS = re.compile(r"[\w.+%=-]+@[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]")
_HOST_SAID = re.compile(
    r"host ([A-Za-z0-9][\w.-]*\.[A-Za-z]{2,})[ \[(]|Generating server: ([\w.-]+)"
)
_SPACES = re.compile(r"\s+")
_LISTED = re.compile(r"\s*<([^<>\s]+@[^<>\s]+)>:? ")
_WORD = re.compile(r"[^\W\d_]{3}")
# Lines that are fields or addresses of the original message, not the bounce's words.
_PROSE_SKIP = re.compile(
    r"\s*(?:to|from|cc|subject|date|final-recipient|original-recipient"
    r"|x-failed-recipients|received|for|envelope-to|delivered-to):",
    re.IGNORECASE,
)

# The SMTP command a reply answered, as MTAs write it near the reply: Postfix
# "(in reply to RCPT TO command)", Exim "SMTP error ... after end of data:",
# Sendmail's transcript ">>> DATA", "SMTP:RCPT host ...". Read to Postfix's words.
_STAGE = re.compile(
    r"in reply to (end of data|data|rcpt to|mail from|ehlo|helo|starttls)\b"
    r"|after (?:pipelined )?(end of data|data|rcpt to|mail from|ehlo|helo)\b"
    r"|^>>> (data|rcpt to|mail from|ehlo|helo|starttls|\.)"
    r"|\bsmtp:(rcpt|mail|data)\b",
    re.IGNORECASE | re.MULTILINE,
)
_STAGE_NAMES = {
    "end of data": "end of DATA",
    ".": "end of DATA",
    "rcpt": "RCPT TO",
    "mail": "MAIL FROM",
}
_TAGS = re.compile(r"<[^>]{0,500}>")

_RECIPIENT_FIELDS = ("final-recipient", "original-recipient", "x-actual-recipient")
_ACTION_STATUS = {
    "failed": "bounced",
    "delayed": "deferred",
    "delivered": "sent",
    "relayed": "sent",
    "expanded": "sent",
}


@dataclass(frozen=True, slots=True)
class _Finding:
    """One reply seen in a bounce, before it becomes an Event."""

    recipient: str | None
    code: str | None
    enhanced: str | None
    text: str
    remote: str | None = None
    action: str | None = None
    when: str | None = None
    stage: str | None = None
    reason: str | None = None

    @property
    def weight(self) -> int:
        """How much this finding says: reply code and enhanced code count."""
        return (2 if self.code else 0) + (1 if self.enhanced else 0)


class DsnFormat:
    """Bounce messages and pasted bounce excerpts; one event per failed recipient."""

    name = "bounce"

    def __init__(self) -> None:
        self._mode: str | None = None
        self._lines: list[str] = []
        self._start = 0
        self._size = 0
        self._boundary: bytes | None = None
        self._pending: list[Event] = []

    @property
    def open(self) -> bool:
        """True while a message or excerpt is being collected."""
        return self._mode is not None

    def claims(self, line: str) -> bool:
        """A first header of a message, a DSN field or a vendor bounce opening."""
        first = line[:1]
        if first == "<":  # Postfix: "<user@example.net>: host mx... said: 550"
            return ">: host " in line and " said:" in line
        if first in (" ", "\t", "-"):
            line = line.lstrip(" \t-")
        if line[:4] not in _HEADS:  # one set lookup for the common case
            return False
        return line.startswith(_MESSAGE_START + _DSN_START + _TEXT_START)

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Collect the line; events come out when the message or excerpt ends."""
        done = self._take_pending()
        if self._mode is None:
            if not self.claims(line):
                return done or None
            self._begin(lineno, line)
            return done

        if self._ends_before(line):
            # The line is not ours: it goes back to the reader, and so that it is
            # not swallowed, even events already due wait for the next call.
            self._pending = done + self._finish()
            return None

        self._add(line)
        if (
            self._boundary is not None
            and line.rstrip() == "--" + self._boundary.decode("ascii", "replace") + "--"
        ):
            done.extend(self._finish())
        return done

    def flush(self) -> Iterable[Event]:
        """Events of the message or excerpt still open at the end of input."""
        done = self._take_pending()
        if self._mode is not None:
            done.extend(self._finish())
        return done

    def _take_pending(self) -> list[Event]:
        done, self._pending = self._pending, []
        return done

    def _begin(self, lineno: int, line: str) -> None:
        self._mode = "message" if line.startswith(_MESSAGE_START) else "fragment"
        self._lines = []
        self._size = 0
        self._boundary = None
        self._start = lineno
        self._add(line)

    def _add(self, line: str) -> None:
        if self._size > MAX_MESSAGE_BYTES:
            return
        self._size += len(line) + 1
        self._lines.append(line)
        if self._mode == "message" and self._boundary is None and "oundary=" in line:
            self._boundary = _outer_boundary(self._lines)

    def _ends_before(self, line: str) -> bool:
        """Does this line start something else (another message, another log)?"""
        if self._mode == "fragment":
            if len(self._lines) >= MAX_FRAGMENT_LINES or _FOREIGN_LINE.match(line):
                return True
            return line.startswith(_MESSAGE_START)
        if line.startswith("From ") and _has_body(self._lines):
            return True
        if line and not _HEADER_LINE.match(line) and not _has_body(self._lines):
            return not (len(self._lines) == 1 and self._lines[0].startswith("From "))
        return _SYSLOG_LINE.match(line) is not None

    def _finish(self) -> list[Event]:
        lines, mode, start = self._lines, self._mode, self._start
        self._mode, self._lines, self._size, self._boundary = None, [], 0, None
        try:
            if mode == "message":
                findings = _message_findings(lines)
            else:
                findings = _text_findings(lines)
        except (ValueError, LookupError, TypeError, RecursionError) as error:
            logger.debug("bounce at line %s not readable: %s", start, error)
            return []
        return [_event(f, lines, start) for f in findings]


def _has_body(lines: list[str]) -> bool:
    return "" in lines


def _outer_boundary(lines: list[str]) -> bytes | None:
    """The boundary of the top-level multipart, from the header block only."""
    header: list[str] = []
    for line in lines:
        if not line.strip():
            return None
        header.append(line)
    text = "\n".join(header)
    match = re.search(
        r"^Content-Type:\s*multipart/[^\n]*(?:\n[ \t][^\n]*)*", text, re.I | re.M
    )
    if match is None:
        return None
    found = re.search(r'boundary="?([^";\s]+)"?', match.group(0), re.I)
    return found.group(1).encode("ascii", "replace") if found else None


# --- whole messages -------------------------------------------------------------


def _message_findings(lines: list[str]) -> list[_Finding]:
    """Findings of a whole message: its DSN parts first, then its texts."""
    if lines and lines[0].startswith("From "):
        lines = lines[1:]
    raw = "\n".join(lines).encode("utf-8", "surrogateescape")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    found = _feedback_findings(message) or _vacation_findings(message)
    if found:
        return found
    found = _parsed_findings(message, lines)
    if found:
        return found

    # A bounce forwarded as an attachment: read the attached message once.
    for part in message.walk():
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            inner = part.get_payload(0)
            if isinstance(inner, Message) and _looks_like_bounce(inner):
                found = _parsed_findings(inner, str(inner).splitlines())
                if found:
                    return found
    return _codeless(message)


def _feedback_findings(message: Message) -> list[_Finding]:
    """An abuse or opt-out report (ARF, RFC 5965): one finding per recipient."""
    parts = message.walk()
    report = next(
        (p for p in parts if p.get_content_type() == "message/feedback-report"), None
    )
    if report is None:
        return []
    fields: dict[str, list[str]] = {}
    for item in _unfold(_dsn_part_lines(report)):
        if item is not None:
            fields.setdefault(item[0], []).append(item[1])
    kind = (fields.get("feedback-type") or ["abuse"])[0].strip().lower()
    arrived = fields.get("arrival-date")
    when = _iso_date(arrived[0] if arrived else None) or _iso_date(message.get("Date"))
    recipients: list[str | None] = [
        found.group(0)
        for value in fields.get("original-rcpt-to", [])
        if (found := _ADDRESS.search(value)) is not None
    ]
    return [
        _Finding(r, None, None, f"Feedback-Type: {kind}", when=when, reason="feedback")
        for r in recipients or [None]
    ]


_AUTO_SUBJECT = re.compile(
    r"\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|out of (?:the )?office"
    r"|autoreply|vacation|away from|absence)\b",
    re.IGNORECASE,
)


def _vacation_findings(message: Message) -> list[_Finding]:
    """An automatic answer such as an out-of-office note (RFC 3834), not a bounce."""
    submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    subject = str(message.get("Subject", ""))
    flagged = (
        submitted.startswith("auto-replied")
        or _AUTO_SUBJECT.match(subject) is not None
        or any(message.get(name) for name in ("X-Autoreply", "X-Autorespond"))
    )
    if not flagged or _looks_like_bounce(message):
        return []
    sender = _ADDRESS.search(str(message.get("From", "")))
    words = _SPACES.sub(" ", f"Auto-reply: {subject}").strip()[:200]
    when = _iso_date(message.get("Date"))
    recipient = sender.group(0) if sender else None
    return [_Finding(recipient, None, None, words, when=when, reason="vacation")]


def _codeless(message: Message) -> list[_Finding]:
    """A bounce that quotes no code still failed: one finding per recipient."""
    if not _looks_like_bounce(message) or "feedback-report" in str(
        message.get("Content-Type", "")
    ):
        return []
    texts: list[str] = []
    _collect(message, [], texts, budget=[_MAX_PARTS])
    words = _gist(_SPACES.sub(" ", " ".join(texts)).strip())
    subject = str(message.get("Subject", "")).lower()
    action = "delayed" if "delay" in subject or "warning" in subject else "failed"
    when = _iso_date(message.get("Date"))
    lines = "\n".join(texts).splitlines()
    recipients = _header_recipients(message) or _listed_recipients(lines) or [""]
    return [
        _Finding(
            r or None,
            None,
            None,
            _prose_about(lines, r) or words,
            action=action,
            when=when,
        )
        for r in recipients
    ]


def _gist(words: str) -> str:
    """Head and tail of a long bounce text: the reason and the signature stay."""
    if len(words) <= _GIST_HEAD + _GIST_TAIL:
        return words
    return f"{words[:_GIST_HEAD]} ... {words[-_GIST_TAIL:]}"


def _listed_recipients(lines: list[str]) -> list[str]:
    """Recipients a plain bounce lists one per line: "<user@example.org>: reason"."""
    found = (_LISTED.match(line) for line in lines)
    return list(dict.fromkeys(m.group(1) for m in found if m is not None))


_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail delivery", "mailer_daemon")
_BOUNCE_SUBJECTS = (
    "undeliver",
    "delivery status notification",
    "delivery failure",
    "failure notice",
    "returned mail",
    "mail delivery failed",
    "could not be delivered",
    "non-delivery",
    "delivery has failed",
)


def _looks_like_bounce(message: Message) -> bool:
    """A delivery report, or mail from a mailer daemon, or a bounce subject."""
    sender = str(message.get("From", "")).lower()
    subject = str(message.get("Subject", "")).lower()
    return (
        message.get_content_type() == "multipart/report"
        or any(name in sender for name in _BOUNCE_SENDERS)
        or any(words in subject for words in _BOUNCE_SUBJECTS)
    )


def _parsed_findings(message: Message, lines: list[str]) -> list[_Finding]:
    """Findings of one parsed message, not looking into attached messages."""
    dsn_lines: list[str] = []
    texts: list[str] = []
    _collect(message, dsn_lines, texts, budget=[_MAX_PARTS])
    when = _iso_date(message.get("Date"))
    known = _header_recipients(message)

    if not dsn_lines and not any(t.strip() for t in texts):
        # A broken MIME structure (boundary mismatch): read the body as text.
        body = lines[lines.index("") :] if "" in lines else lines
        texts = [_cut_original("\n".join(body))]
    text_lines = "\n".join(texts).splitlines()
    dsn = _dsn_blocks(dsn_lines) or _dsn_blocks(text_lines)
    return _combine(dsn, _reply_findings(text_lines, known), when, text_lines)


def _collect(
    part: Message, dsn: list[str], texts: list[str], budget: list[int]
) -> None:
    """Gather delivery-status fields and readable text, skipping returned copies."""
    budget[0] -= 1
    if budget[0] < 0:
        return
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
        return
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        dsn.extend(_dsn_part_lines(part))
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, dsn, texts, budget)
        return
    if ctype.startswith("text/") or ctype == "application/octet-stream":
        text = _decoded(part)
        if ctype == "text/html":
            if texts:
                return
            text = _TAGS.sub(" ", text)
        texts.append(_cut_original(text))


def _dsn_part_lines(part: Message) -> list[str]:
    """The fields of a delivery-status part as "Name: value" lines, blocks apart."""
    payload = part.get_payload()
    out: list[str] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                for name, value in block.items():
                    out.append(f"{name}: {_SPACES.sub(' ', str(value)).strip()}")
                out.append("")
        return out
    return _decoded(part).splitlines()


def _decoded(part: Message) -> str:
    """A leaf part's text, transfer-decoded and charset-decoded, bounded."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload())[:_MAX_TEXT]
    charset = part.get_content_charset() or "utf-8"
    try:
        return data[:_MAX_TEXT].decode(charset, "replace")
    except LookupError:
        return data[:_MAX_TEXT].decode("utf-8", "replace")


def _cut_original(text: str) -> str:
    """A plain bounce text without the copy of the original message it quotes."""
    match = _ORIGINAL_COPY.search(text)
    return text[: match.start()] if match else text


def _header_recipients(message: Message) -> list[str]:
    value = message.get("X-Failed-Recipients")
    return _ADDRESS.findall(str(value)) if value else []


def _iso_date(value: object) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value)).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


# --- pasted excerpts ------------------------------------------------------------


def _text_findings(lines: list[str]) -> list[_Finding]:
    """Findings of an excerpt: DSN fields and vendor texts, both read as lines."""
    dsn = _dsn_blocks(lines)
    return _combine(dsn, _reply_findings(lines, []), None, lines)


# --- RFC 3464 fields ------------------------------------------------------------


def _unfold(lines: Iterable[str]) -> Iterator[tuple[str, str] | None]:
    """(name, value) of each header-style field, None at a blank or prose line."""
    name: str | None = None
    value = ""
    for line in lines:
        if line[:1] in (" ", "\t") and name is not None and line.strip():
            value += " " + line.strip()
            continue
        if name is not None:
            yield name, value.strip()
            name = None
        head, sep, rest = line.partition(":")
        if sep and head and " " not in head.strip() and len(head) < 40:
            name, value = head.strip().lower(), rest
        else:
            yield None
    if name is not None:
        yield name, value.strip()


def _dsn_blocks(lines: Iterable[str]) -> list[_Finding]:
    """One finding per per-recipient block of RFC 3464 fields."""
    found: list[_Finding] = []
    block: dict[str, str] = {}
    for item in _unfold(lines):
        if item is None:
            # RFC 3464 s2.1: blank lines separate the per-recipient blocks.
            if "final-recipient" in block or "original-recipient" in block:
                found.extend(_dsn_finding(block))
                block = {}
            continue
        name, value = item
        if name in _RECIPIENT_FIELDS and name in block:
            found.extend(_dsn_finding(block))
            block = {}
        block.setdefault(name, value)
    found.extend(_dsn_finding(block))
    return found


def _dsn_finding(block: dict[str, str]) -> list[_Finding]:
    """The finding of one per-recipient block, or nothing without a recipient."""
    recipient = block.get("final-recipient") or block.get("original-recipient")
    if not recipient or not ("status" in block or "diagnostic-code" in block):
        return []
    address = _ADDRESS.search(recipient)

    diagnostic = block.get("diagnostic-code", "")
    kind, semicolon, after = diagnostic.partition(";")
    diag_text = after if semicolon else diagnostic
    code, diag_enhanced, text = _diagnostic_reply(diag_text.strip())
    if kind.strip().lower() == "x-unix":
        # RFC 3464 s2.3.6: an X-Unix diagnostic is a local delivery program's
        # exit, not a remote server's reply; keep the type so that it is seen.
        text = f"{text or diag_text} (X-Unix)"
    status = valid_enhanced(_first_word(block.get("status", "")))
    enhanced = _pick_enhanced(status, diag_enhanced)
    return [
        _Finding(
            recipient=address.group(0) if address else None,
            code=code,
            enhanced=enhanced,
            text=_SPACES.sub(" ", text or diag_text).strip(),
            remote=_after_semicolon(block.get("remote-mta")),
            action=block.get("action", "").strip().lower() or None,
            when=_iso_date(block.get("last-attempt-date") or block.get("arrival-date")),
        )
    ]


def _first_word(value: str) -> str:
    return value.strip().split(" ", 1)[0].strip("()")


def _after_semicolon(value: str | None) -> str | None:
    if not value:
        return None
    host = value.partition(";")[2].strip() or value.strip()
    host = host.strip("[]").split()[0] if host.strip() else ""
    return host.lower() or None


def _pick_enhanced(status: str | None, other: str | None) -> str | None:
    """The enhanced code the server gave, else the Status field.

    The Status field is the reporting MTA's summary; when the quoted reply carries
    its own enhanced code of the same class, that one is more precise.
    """
    if other and (status is None or other[0] == status[0]):
        return other
    return status


def _diagnostic_reply(text: str) -> tuple[str | None, str | None, str]:
    """The reply in a Diagnostic-Code value: at its start, after an anchor, inside."""
    code, enhanced, rest = _split(text)
    if code is not None:
        return code, enhanced, rest
    for match in _ANCHOR.finditer(text):
        code, found, rest = _split(text[match.end() :])
        if code is not None:
            return code, found or enhanced, rest
    inside = _CODE_INSIDE.search(text)
    if inside is not None:
        code, found, rest = _split(text[inside.start() :])
        if code is not None:
            return code, found or enhanced, text
    return None, enhanced, text


def _split(text: str) -> tuple[str | None, str | None, str]:
    """split_reply, also reading "554 554 5.7.0", "5.2.2 text" and "(#5.1.1)"."""
    if text[3:5] == ": " and text[:3].isdigit():
        text = text[:3] + text[4:]  # "550: 5.1.1 ..." as some servers write it
    code, enhanced, rest = split_reply(text)
    if code is None:
        start = ENHANCED_RE.match(text)
        if start is not None:
            return None, start.group(1), text[start.end() :].strip()
        return None, None, text
    if enhanced is None and rest.startswith(code + " "):
        _, enhanced, rest = split_reply(rest)
    if enhanced is None:
        glued = ENHANCED_RE.match(rest)
        if glued is not None:
            enhanced, rest = glued.group(1), rest[glued.end() :].strip()
    if enhanced is None:
        hashed = _HASH_STATUS.search(rest)
        if hashed is not None and hashed.group(1)[0] == code[0]:
            enhanced = hashed.group(1)
    return code, enhanced, rest


# --- vendor texts ---------------------------------------------------------------


def _reply_findings(lines: list[str], known: list[str]) -> list[_Finding]:
    """Replies quoted in vendor bounce texts, each tied to the nearest recipient."""
    text = "\n".join(lines)
    found: list[_Finding] = []
    for match in _ANCHOR.finditer(text):
        reply = _reply_text(text, match.end())
        if match.group(0).endswith("["):
            reply = reply.partition("]")[0]  # "error message: [554 5.4.6 ...]"
        code, enhanced, rest = _split(reply)
        if code is None and enhanced is None:
            continue
        if code and code[0] in "23" and "<<<" in match.group(0):
            continue
        finding = _finding_at(text, match.start(), reply, code, enhanced, known)
        found.append(replace(finding, text=rest))
    for match in _ERROR_CODE.finditer(text):
        reply = _reply_text(text, match.start())
        found.append(_finding_at(text, match.start(), reply, match[1], match[2], known))
    for match in _HASH_STATUS.finditer(text):
        reply = _reply_text(text, text.rfind("\n", 0, match.start()) + 1)
        found.append(
            _finding_at(text, match.start(), reply, None, match.group(1), known)
        )
    return found


def _finding_at(
    text: str,
    start: int,
    reply: str,
    code: str | None,
    enhanced: str | None,
    known: list[str],
) -> _Finding:
    before = text[max(0, start - 600) : start]
    return _Finding(
        recipient=_recipient_near(reply, before, known),
        code=code,
        enhanced=enhanced,
        text=reply,
        remote=_remote_near(before),
        stage=_stage_near(before),
    )


def _stage_near(before: str) -> str | None:
    """The SMTP command named just before a reply, within its paragraph."""
    paragraph = before[before.rfind("\n\n") + 1 :]
    found = list(_STAGE.finditer(paragraph))
    if not found:
        return None
    word = next(g for g in found[-1].groups() if g).lower()
    return _STAGE_NAMES.get(word, word.upper())


def _reply_text(text: str, start: int) -> str:
    """The reply from `start`: its line and indented continuation lines."""
    while text[start : start + 1] in (" ", "\t", "\n") and start < len(text):
        start += 1
    end = text.find("\n", start)
    while end != -1 and text[end + 1 : end + 2] in (" ", "\t") and end - start < 600:
        nxt = text.find("\n", end + 1)
        if not text[end + 1 : nxt if nxt != -1 else None].strip():
            break
        end = nxt
    chunk = text[start:] if end == -1 else text[start:end]
    chunk = chunk.split("'", 1)[0] if text[start - 1 : start] == "'" else chunk
    return _SPACES.sub(" ", chunk).strip()[:600]


def _recipient_near(reply: str, before: str, known: list[str]) -> str | None:
    """The recipient a reply is about: named in it, or the last one named before."""
    lowered = {address.lower() for address in known}
    candidates = _ADDRESS.findall(reply) + _ADDRESS.findall(before)[::-1]
    for address in candidates:
        wanted = not lowered or address.lower() in lowered
        if wanted and ("MAIL FROM:" not in before[-200:] or address in reply):
            return str(address)
    if len(known) == 1:
        return known[0]
    return None


def _remote_near(before: str) -> str | None:
    matches = _HOST_SAID.findall(before[-300:])
    if not matches:
        return None
    name = matches[-1][0] or matches[-1][1]
    return name.lower() or None


# --- putting it together ----------------------------------------------------------


def _combine(
    dsn: list[_Finding], texts: list[_Finding], when: str | None, prose: list[str]
) -> list[_Finding]:
    """One finding per recipient: DSN fields completed by the vendor text.

    A finding that quotes no reply text takes the bounce's own words about its
    recipient, which often name the reason ("Domain does not exist").
    """
    if dsn:
        found = [_completed(f, texts, len(dsn) == 1, when) for f in _unique(dsn)]
    else:
        found = [replace(f, when=f.when or when) for f in _per_recipient(texts)]
    return [
        f if _WORD.search(f.text) else replace(f, text=_prose_about(prose, f.recipient))
        for f in found
    ]


def _prose_about(lines: list[str], recipient: str | None) -> str:
    """The bounce's own sentence about a recipient: its line and what follows."""
    if not recipient:
        return ""
    wanted = recipient.lower()
    for index, line in enumerate(lines):
        if wanted not in line.lower() or _PROSE_SKIP.match(line):
            continue
        # The address alone on its line: the reason is the next paragraph.
        alone = not _WORD.search(line.lower().replace(wanted, ""))
        block = [line]
        for more in lines[index + 1 : index + 8]:
            if _PROSE_SKIP.match(more) or len(block) > 4:
                break
            if not more.strip():
                if alone and len(block) == 1:
                    continue
                break
            block.append(more)
        words = _SPACES.sub(" ", " ".join(block)).strip()[:400]
        return words if _WORD.search(words.lower().replace(wanted, "")) else ""
    return ""


def _unique(findings: list[_Finding]) -> list[_Finding]:
    best: dict[str, _Finding] = {}
    for finding in findings:
        key = (finding.recipient or "").lower()
        if key not in best or finding.weight > best[key].weight:
            best[key] = finding
    return list(best.values())


def _completed(
    finding: _Finding, texts: list[_Finding], only: bool, when: str | None
) -> _Finding:
    """A DSN finding with the reply code the Diagnostic-Code lacked, from the text."""
    finding = replace(finding, when=finding.when or when)
    wanted = (finding.recipient or "").lower()
    if finding.stage is None:
        staged = (t for t in texts if t.stage and (t.recipient or "").lower() == wanted)
        stage = next(staged, None)
        if stage is not None:
            finding = replace(finding, stage=stage.stage)
    if finding.code is not None:
        return finding
    for text in texts:
        same = (text.recipient or "").lower() == wanted or (only and not text.recipient)
        agrees = (
            finding.enhanced is None
            or text.code is None
            or (text.code[0] == finding.enhanced[0])
        )
        if (same or only) and agrees and text.code:
            enhanced = finding.enhanced or text.enhanced
            if text.enhanced and enhanced and enhanced.endswith(".0.0"):
                enhanced = text.enhanced
            return replace(
                finding,
                code=text.code,
                enhanced=enhanced,
                text=finding.text or text.text,
                remote=finding.remote or text.remote,
                stage=finding.stage or text.stage,
            )
    return finding


def _per_recipient(texts: list[_Finding]) -> list[_Finding]:
    """The most telling finding per recipient; unnamed ones only if none is named."""
    named = [f for f in texts if f.recipient]
    if named:
        return _unique(named)
    if not texts:
        return []
    return [max(texts, key=lambda f: f.weight)]


def _event(finding: _Finding, lines: list[str], start: int) -> Event:
    """The Event for a finding, placed on the raw line that shows its reply."""
    lineno, shown = _locate(finding, lines, start)
    status = _ACTION_STATUS.get(finding.action or "", "")
    if finding.reason is not None:
        status = "info"
    if not status:
        first = (finding.code or finding.enhanced or "?")[0]
        status = {"2": "sent", "4": "deferred", "5": "bounced"}.get(first, "unknown")
    text = finding.text[:500]
    if finding.stage and "in reply to" not in text.lower():
        # Postfix's words for the stage, so every format states it the same way.
        text = f"{text[:460]} (in reply to {finding.stage} command)"
    return Event(
        line=lineno,
        format=DsnFormat.name,
        code=finding.code,
        enhanced=finding.enhanced,
        status=status,
        recipient_domain=domain_of(finding.recipient),
        remote_host=finding.remote,
        time=finding.when,
        text=text,
        example=example(shown),
        reason=finding.reason,
        hard=False if finding.reason is not None else None,
        direction="outbound",  # a bounce reports mail we sent
    )


def _locate(finding: _Finding, lines: list[str], start: int) -> tuple[int, str]:
    """The first raw line holding the finding's code (and enhanced code)."""
    needles = [n for n in (finding.code, finding.enhanced) if n]
    if needles:
        for offset, line in enumerate(lines):
            if all(n in line for n in needles):
                return start + offset, line
        for offset, line in enumerate(lines):
            if needles[0] in line and line[:1] not in ("", "<") and ":" in line:
                return start + offset, line
    summary = " ".join(n for n in (finding.code, finding.enhanced, finding.text) if n)
    return start, summary
