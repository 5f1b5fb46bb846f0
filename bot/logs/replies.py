"""Reading an SMTP reply out of log text: code, enhanced code, the words after.

Shared by the format modules (they never import each other). Everything here is
strict on purpose: a reply code is 2xx-5xx, an enhanced code is class.subject.detail
with class 2, 4 or 5 and one to three digits per part (RFC 3463 s2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.logs.event import Event

# RFC 3463 s2: class "." subject "." detail, subject and detail 1-3 digits.
# Not glued to a word, a digit or a dot before; not followed by another digit or
# ".digit" (an IP address). Text may follow without a space: "2.0.0OK".
ENHANCED_RE = re.compile(r"(?<![\w.])#?([245]\.\d{1,3}\.\d{1,3})(?!\d|\.\d)")

# A reply at the start of a text: "550 5.1.1 text", "550-5.7.1 text", "250 2.0.0OK",
# "550 #5.1.1 text", "421" alone. Group 1 code, group 2 enhanced (optional).
_REPLY_AT_START = re.compile(
    r"\s*([2-5]\d\d)(?:[ -]+#?(?:([245]\.\d{1,3}\.\d{1,3})(?!\d|\.\d))?|$)"
)
_ACCEPTED = "250 2.0.0 "
"""The reply of most deliveries; split_reply() reads it without the pattern."""
_IN_REPLY_TO = re.compile(r"\s*\(in reply to [^()]*\)\s*$")
_SPACES = re.compile(r"\s+")
_ADDRESS_DOMAIN = re.compile(r"@([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])")
_SYSLOG_TIME = re.compile(
    r"(?:<[\w.]+>\s+)?"
    r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
    r"|[A-Z][a-z]{2}[ -]+\d{1,2}(?:-\d\d)? +\d\d:\d\d:\d\d)"
)


def split_reply(text: str) -> tuple[str | None, str | None, str]:
    """Split "550 5.1.1 No such user" into ("550", "5.1.1", "No such user").

    Returns (None, None, text) when the text does not start with a reply code.
    A reply folded onto one line ("550-5.7.1 a 550-5.7.1 b 550 5.7.1 c") keeps
    its code once and loses the repeated prefixes (RFC 5321 s4.2.1).
    """
    if text.startswith(_ACCEPTED) and "250" not in text[9:]:
        return "250", "2.0.0", text[9:].strip()  # what the pattern gives, sooner
    match = _REPLY_AT_START.match(text)
    if match is None:
        return None, None, text
    code, enhanced = match.groups()
    rest = text[match.end() :]
    if code in rest:
        rest = fold_continuations(rest, code, enhanced)
    return code, enhanced, rest.strip()


def fold_continuations(text: str, code: str, enhanced: str | None) -> str:
    """Remove the repeated "550-5.7.1 " prefixes of a folded multi-line reply."""
    prefix = re.escape(code) + r"[ -]"
    if enhanced:
        prefix += r"(?:" + re.escape(enhanced) + r"\s?)?"
    return _SPACES.sub(" ", re.sub(r"(?:^|\s)" + prefix, " ", text)).strip()


def valid_enhanced(value: str | None) -> str | None:
    """The value when it is a well-formed enhanced code ("dsn=" fields), else None."""
    if not value:
        return None
    match = ENHANCED_RE.fullmatch(value)
    return match.group(1) if match else None


def strip_in_reply(text: str) -> str:
    """Drop Postfix's trailing "(in reply to RCPT TO command)"."""
    if "(in reply to" not in text:
        return text
    return _IN_REPLY_TO.sub("", text)


def domain_of(address: str | None) -> str | None:
    """The lower-cased domain of an address ("<j@Example.COM>" -> "example.com")."""
    if not address:
        return None
    at = address.find("@")
    if at < 0:
        return None
    # No match can start before the first "@", so the rest from there decides;
    # it repeats (a log names few domains), the local part before it rarely does.
    return _domain_after(address[at:])


_DOMAINS: dict[str, str | None] = {}
_DOMAINS_LIMIT = 4096


def _domain_after(tail: str) -> str | None:
    """domain_of() of a text that starts at its first "@", through a small cache."""
    try:
        return _DOMAINS[tail]
    except KeyError:
        pass
    match = _ADDRESS_DOMAIN.search(tail)
    domain = match.group(1).lower().rstrip(".") if match else None
    if len(_DOMAINS) >= _DOMAINS_LIMIT:
        _DOMAINS.clear()
    _DOMAINS[tail] = domain
    return domain


def field(line: str, name: str, stop: str = ",") -> str | None:
    """The value of `name=` up to `stop` (or a space/end), or None when absent."""
    start = line.find(name)
    if start < 0:
        return None
    start += len(name)
    end = line.find(stop, start)
    value = line[start:] if end < 0 else line[start:end]
    return value.strip() or None


def host_of(value: str | None) -> str | None:
    """The host name of "mx.example.com[192.0.2.1]:25", or its address if unnamed."""
    if not value:
        return None
    name, _, rest = value.partition("[")
    name = name.strip()
    if name and name != "unknown":
        return name.lower()
    address = rest.partition("]")[0]
    return address or None


def line_time(line: str) -> str | None:
    """The timestamp at the start of a log line, as written (spaces collapsed)."""
    if line[9:10] == ":" and line[3:4] == " " and line[12:13] == ":":
        stamp = line[:15]  # "Mar 22 08:00:01", the RFC 3164 common case
        return stamp if "  " not in stamp else stamp.replace("  ", " ")
    match = _SYSLOG_TIME.match(line)
    if match is None:
        return None
    return _SPACES.sub(" ", match.group(1))


def status_of_code(code: str | None, enhanced: str | None = None) -> str:
    """A status from the first digit: 2 sent, 4 deferred, 5 rejected."""
    first = (code or enhanced or "?")[0]
    return {"2": "sent", "3": "info", "4": "deferred", "5": "rejected"}.get(
        first, "unknown"
    )


class SingleLineFormat:
    """Base for formats whose entries are single lines: never open, nothing pending."""

    @property
    def open(self) -> bool:
        """Single-line entries never leave the format open."""
        return False

    def flush(self) -> Iterable[Event]:
        """Nothing is ever pending."""
        return ()
