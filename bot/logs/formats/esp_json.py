"""Mail services' event JSON: SES, SendGrid, Mailgun, Postmark, Mailjet, Brevo, others.

A document may be one line (JSONL) or pretty-printed over many; it is buffered with
bounded size and nesting, then every delivery outcome in it becomes an event.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from bot.logs.event import Event
from bot.logs.mask import example
from bot.logs.replies import ENHANCED_RE, domain_of, split_reply, valid_enhanced

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""A JSON document larger than this is skipped."""

MAX_DEPTH = 64
"""Deeper nesting than this is not read (json would recurse)."""

# Mailgun's own event codes, not SMTP replies (498 "no MX", 499 timeout, 6xx
# suppressions); they stay in the text only.
_VENDOR_CODES = frozenset({"498", "499"})

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
# A reply somewhere in a provider's text: "sent (250 2.0.0 OK ...)", "RecipientError:
# 550 5.5.0 ...", "smtp;550 5.1.1 ...".
_REPLY_INSIDE = re.compile(r"(?:^|[(:;]\s*|\s)(?=[245]\d\d(?:[ -]|$))")

# Event names, lower-cased without punctuation, by the status they mean.
_STATUS_WORDS = {
    "sent": "delivered delivery sent send messagesent messagedelivered success",
    "bounced": "bounce bounced hardbounce hardbounced messagebounced outofband "
    "messagedeliveryfailed hardfail permanent",
    "deferred": "softbounce softbounced deferred deferral delay delayed deliverydelay "
    "deliverydelayed messagedelayed softfail transient",
    "rejected": "dropped blocked reject rejected policyrejection generationrejection "
    "generationfailure invalid invalidemail suppressed renderingfailure messageheld",
    "info": "complaint spam spamreport spamcomplaint complained feedback",
}
# The reason of an outcome that carries no code: a delivery or a complaint says
# all there is to say; a failure's reason comes from its text (reasons.classify).
_STATUS_REASONS = {"sent": "delivered", "info": "feedback"}
_STATUS_OF = {
    word: status for status, words in _STATUS_WORDS.items() for word in words.split()
}
_EVENT_KEYS = ("eventType", "notificationType", "RecordType", "event", "type")
_TEXT_KEYS = (
    "smtpResponse",
    "diagnosticCode",
    "response",
    "smtp_reply",
    "raw_reason",
    "destination_response",
    "diag",
    "Details",
    "comment",
    "error",
    "output",
    "message",
    "reason",
    "description",
)
_CODE_KEYS = ("code", "error_code", "response_code")
_RECIPIENT_KEYS = ("email", "recipient", "rcpt_to", "Email", "Recipient", "to")
_TIME_KEYS = (
    "timestamp",
    "time",
    "ts_event",
    "ts",
    "BouncedAt",
    "DeliveredAt",
    "event_time",
    "created_at",
    "date",
)
_REMOTE_KEYS = ("mx-host", "remoteMtaIp")
# Parts of a payload that describe the original message, not the delivery.
_SKIP_KEYS = frozenset(
    {
        "mail",
        "headers",
        "commonHeaders",
        "user-variables",
        "Metadata",
        "metadata",
        "custom_variables",
        "tags",
        "original_message",
        "bounce_message",
        "flags",
    }
)
_SES_LISTS = {
    "bounce": ("bouncedRecipients", "bounced"),
    "delivery": ("recipients", "sent"),
    "deliverydelay": ("delayedRecipients", "deferred"),
    "complaint": ("complainedRecipients", "info"),
}


class EspJsonFormat:
    """Event webhooks and exports of mail services, as JSON or JSON lines."""

    name = "esp"

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._start = 0
        self._depth = 0
        self._size = 0
        self._too_big = False

    @property
    def open(self) -> bool:
        """True while a multi-line JSON document is being collected."""
        return bool(self._lines)

    def claims(self, line: str) -> bool:
        """A line that opens a JSON object or an array of objects."""
        if line[:1] in (" ", "\t"):
            line = line.lstrip()
        first = line[:1]
        if first == "{":
            return line[1:2] in ('"', "", " ", "\t") or line.startswith("{\n")
        if first == "[":
            rest = line[1:].lstrip()
            return rest[:1] in ("{", "")
        return False

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Collect the line; the document's events come out when it closes."""
        if not self._lines:
            if not self.claims(line):
                return None
            quick = _whole_line(line)
            if quick is not None:
                return list(_events(quick, lineno))
            self._start = lineno
        elif not _jsonish(line):
            logger.debug("JSON document at line %s left unfinished", self._start)
            self._reset()
            return None

        self._lines.append(line)
        self._size += len(line) + 1
        self._too_big = self._too_big or self._size > MAX_DOCUMENT_BYTES
        self._depth += _balance(line)
        if self._depth > MAX_DEPTH:
            self._too_big = True
        if self._depth > 0:
            return ()
        return self._finish()

    def flush(self) -> Iterable[Event]:
        """An unfinished document (a cut-off paste) yields its one-line objects."""
        lines, start, skip = self._lines, self._start, self._too_big
        self._reset()
        if skip:
            return ()
        return [
            event
            for offset, line in enumerate(lines)
            if (value := _whole_line(line.rstrip().removesuffix(","))) is not None
            for event in _events(value, start + offset)
        ]

    def _reset(self) -> None:
        self._lines, self._depth, self._size, self._too_big = [], 0, 0, False

    def _finish(self) -> list[Event]:
        lines, start, skip = self._lines, self._start, self._too_big
        self._reset()
        if skip:
            logger.debug("JSON document at line %s too large or deep", start)
            return []
        document = _loads("\n".join(lines))
        if document is None:
            return []
        return list(_events(document, start))


def _whole_line(line: str) -> object | None:
    """The JSON value of a one-line document (JSONL), or None."""
    text = line.strip()
    if not text.endswith(("}", "]")) or _balance(text) != 0:
        return None
    return _loads(text)


def _loads(text: str) -> object | None:
    try:
        value: object = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value


def _balance(line: str) -> int:
    """Opened minus closed brackets on a line, strings left out."""
    if '"' in line:
        line = _STRINGS.sub("", line)
    return line.count("{") + line.count("[") - line.count("}") - line.count("]")


def _jsonish(line: str) -> bool:
    """Could this line continue a pretty-printed JSON document?"""
    text = line.lstrip()
    return not text or text[0] in '"{}[],:0123456789-tfn'


# --- walking a document -------------------------------------------------------------


def _events(document: object, lineno: int) -> Iterator[Event]:
    for fields in _outcomes(document, 0):
        yield _event(fields, lineno)


def _outcomes(node: object, depth: int) -> Iterator[dict[str, Any]]:
    """Every delivery outcome in a JSON value, as flat dicts of the facts."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _outcomes(item, depth + 1)
        return
    if not isinstance(node, dict):
        return

    ses = _ses_outcomes(node)
    if ses is not None:
        yield from ses
        return
    outcome = _outcome(node)
    if outcome is not None:
        yield outcome
        return

    for key, value in node.items():
        if key in _SKIP_KEYS:
            continue
        if isinstance(value, (dict, list)):
            yield from _outcomes(value, depth + 1)
        elif isinstance(value, str) and key in ("Message", "mandrill_events"):
            # SNS wraps the SES notification, Mandrill its events, as a JSON string.
            inner = _loads(value) if value[:1] in "{[" else None
            if inner is not None:
                yield from _outcomes(inner, depth + 1)


def _ses_outcomes(node: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Amazon SES notifications and event publishing: one outcome per recipient."""
    kind = node.get("eventType") or node.get("notificationType")
    if not isinstance(kind, str) or "mail" not in node:
        return None
    key = kind.lower().replace(" ", "")
    if key == "reject":
        reject = node.get("reject")
        reason = reject.get("reason", "") if isinstance(reject, dict) else ""
        return [{"status": "rejected", "text": str(reason), "time": None, "kind": kind}]
    if key not in _SES_LISTS:
        return []

    body = node.get(key if key != "deliverydelay" else "deliveryDelay")
    if not isinstance(body, dict):
        body = node.get(kind[0].lower() + kind[1:], {})
    if not isinstance(body, dict):
        return []
    list_key, status = _SES_LISTS[key]
    if key == "bounce" and body.get("bounceType") == "Transient":
        status = "deferred"
    shared = {
        "status": status,
        "time": body.get("timestamp"),
        "remote": body.get("remoteMtaIp"),
        "text": body.get("smtpResponse", ""),
        "kind": kind,
    }
    found = []
    for item in body.get(list_key) or [{}]:
        fields = dict(shared)
        if isinstance(item, dict):
            fields["recipient"] = item.get("emailAddress")
            fields["text"] = item.get("diagnosticCode") or shared["text"]
            fields["enhanced"] = item.get("status")
        else:
            fields["recipient"] = str(item)
        found.append(fields)
    return found


def _outcome(node: dict[str, Any]) -> dict[str, Any] | None:
    """The facts of one provider event, or None when the dict is not one."""
    flat = _flatten(node)
    name, status = _status(node, flat)
    if status is None:
        return None
    return {
        "kind": name,
        "status": status,
        "text": _first(flat, _TEXT_KEYS, _has_reply) or _first(flat, _TEXT_KEYS),
        "code": _first(flat, _CODE_KEYS),
        "enhanced": flat.get("enhanced-code") or flat.get("status"),
        "recipient": _first(flat, _RECIPIENT_KEYS, lambda v: "@" in v),
        "time": _first(flat, _TIME_KEYS),
        "remote": _first(flat, _REMOTE_KEYS),
    }


def _status(node: dict[str, Any], flat: dict[str, str]) -> tuple[str, str | None]:
    """The event name and the status it means; None for opens, clicks and the like."""
    name = next((node[k] for k in _EVENT_KEYS if isinstance(node.get(k), str)), None)
    if name is None and node.get("event_name") == "transactional_email_status":
        name = node.get("status")  # Unisender Go
    if not isinstance(name, str):
        return "", None
    key = re.sub(r"[^a-z]", "", name.rsplit(".", 1)[-1].lower())
    status = _STATUS_OF.get(key)
    if key == "failed":  # Mailgun: severity says whether it will retry
        status = "deferred" if flat.get("severity") == "temporary" else "bounced"
    return name, status


def _flatten(node: dict[str, Any]) -> dict[str, str]:
    """Scalar fields of a dict and its nested dicts, nearest first."""
    flat: dict[str, str] = {}
    queue: list[tuple[dict[str, Any], int]] = [(node, 0)]
    while queue:
        current, depth = queue.pop(0)
        for key, value in current.items():
            if key in _SKIP_KEYS:
                continue
            if isinstance(value, dict) and depth < 3:
                queue.append((value, depth + 1))
            elif isinstance(value, list) and value and isinstance(value[0], str):
                flat.setdefault(key, value[0])
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                flat.setdefault(key, str(value))
    return flat


def _first(flat: dict[str, str], keys: tuple[str, ...], test: Any = bool) -> str | None:
    for key in keys:
        value = flat.get(key)
        if value and test(value):
            return value
    return None


def _has_reply(text: str) -> bool:
    return (
        _REPLY_INSIDE.search(text) is not None or ENHANCED_RE.search(text) is not None
    )


# --- one event --------------------------------------------------------------------


def _event(fields: dict[str, Any], lineno: int) -> Event:
    """The Event for one outcome: reply code from the text or a real code field."""
    text = str(fields.get("text") or "").strip()
    code, enhanced, rest = _reply(text)
    note = ""

    field_code = str(fields.get("code") or "")
    if valid_enhanced(field_code):
        enhanced = enhanced or field_code
    elif field_code.isdigit():
        if _real_code(field_code):
            code = code or field_code
        else:
            note = f"provider code {field_code}"
            if field_code[0] not in "45":  # Mailgun 6xx: dropped, never sent
                fields["status"] = "rejected"
    status = str(fields["status"])
    if status != "rejected" or code is not None:
        # A service's own drop (never sent) holds no server reply; SendGrid still
        # puts a generic 5.0.0 in its status field, which is no reply to count.
        enhanced = enhanced or valid_enhanced(str(fields.get("enhanced") or ""))
    if status == "bounced" and (code or enhanced or "5")[0] == "4":
        status = "deferred"
    words = " ".join(part for part in (note, rest) if part)
    reason = _STATUS_REASONS.get(status) if not (code or enhanced) else None
    return Event(
        line=lineno,
        format=EspJsonFormat.name,
        code=code,
        enhanced=enhanced,
        status=status,
        recipient_domain=domain_of(fields.get("recipient")),
        remote_host=_host(fields.get("remote")),
        time=_iso_time(fields.get("time")),
        text=words[:500],
        example=_example(fields, text or note),
        reason=reason,
        hard=False if reason else None,
        direction="outbound",  # a sending service reports mail we sent
    )


def _example(fields: dict[str, Any], reply: str) -> str:
    """One readable line for people: "bounce · j***@example.net · 550 5.1.1 ..."."""
    parts = (fields.get("kind"), fields.get("recipient"), " ".join(reply.split()))
    return example(" · ".join(str(part) for part in parts if part))


def _reply(text: str) -> tuple[str | None, str | None, str]:
    """The reply code and enhanced code in a provider's text, and its words."""
    if not text:
        return None, None, ""
    for match in _REPLY_INSIDE.finditer(text):
        code, enhanced, rest = split_reply(text[match.end() :])
        if code is not None and _real_code(code):
            nearby = ENHANCED_RE.search(rest[:40]) if enhanced is None else None
            if nearby is not None and nearby.group(1)[0] == code[0]:
                # "550 RecipientError: 550 5.1.1 ..." repeats the code with more.
                enhanced = nearby.group(1)
            return code, enhanced, rest.rstrip(")").strip()
    found = ENHANCED_RE.match(text.lstrip())
    if found is not None:
        return None, found.group(1), text
    return None, None, text


def _real_code(code: str) -> bool:
    return len(code) == 3 and code[0] in "245" and code not in _VENDOR_CODES


def _host(value: object) -> str | None:
    return str(value).lower() if value else None


def _iso_time(value: object) -> str | None:
    """ISO 8601 from epoch seconds or milliseconds; text times as written."""
    if value is None or value == "":
        return None
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        return text
    if number > 1e12:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None
