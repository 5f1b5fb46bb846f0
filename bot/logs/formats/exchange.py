"""Microsoft Exchange logs: message tracking, SMTP protocol logs, Microsoft 365 traces.

Tracking and protocol logs name their columns in a `#Fields:` line; Microsoft 365
message trace exports are CSV files whose first line names theirs.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.mask import example
from bot.logs.replies import domain_of, split_reply, status_of_code

logger = logging.getLogger(__name__)

MAX_SESSIONS = 10_000
"""Protocol-log sessions remembered at once (to tell a message's final reply)."""

_HEADER_LINES = ("#Software:", "#Version:", "#Log-type:", "#Date:")

# First column names of Microsoft 365 message trace exports (old and new portals).
_TRACE_STARTS = (
    '"date_time_utc"',
    "date_time_utc,",
    '"origin_timestamp_utc"',
    "origin_timestamp_utc,",
    '"Received"',
    "Received,",
    '"Date (UTC)"',
    "Date (UTC),",
    '"Date"',
    "Date,",
)
_TRACE_FIRST = frozenset(start[0] for start in _TRACE_STARTS)
_TRACE_DATE = (
    "date_time_utc",
    "origin_timestamp_utc",
    "received",
    "date (utc)",
    "date",
)
_TRACE_STATUS = ("recipient_status", "status", "delivery status")
_TRACE_RECIPIENT = ("recipient_address", "recipientaddress", "recipient address", "to")

# Tracking log event-id by status; events not listed are routing steps.
_TRACKING_STATUS = {
    "SEND": "sent",
    "DELIVER": "sent",
    "FAIL": "bounced",
    "DEFER": "deferred",
    "DSN": "info",
    "POISONMESSAGE": "failed",
}
# Protocol log event column: who sent the data of the line.
_SPEAKER = {">": "inbound", "<": "outbound"}
# A receive is always this server answering a client, a send the next hop
# answering it; other tracking events follow the directionality column.
_TRACKING_DIRECTION = {"RECEIVE": "inbound", "SEND": "outbound"}
# Message trace words, in the Status column or as the last event of recipient_status.
_TRACE_WORDS = {
    "delivered": "sent",
    "deliver": "sent",
    "send": "sent",
    "resolved": "sent",
    "failed": "bounced",
    "fail": "bounced",
    "pending": "deferred",
    "defer": "deferred",
    "quarantined": "rejected",
    "filteredasspam": "rejected",
    "dropped": "rejected",
}
# The directionality column of tracking logs and trace exports: "Incoming" mail
# came from outside to this organisation, "Originating" was sent by its users.
_DIRECTIONALITY = {"incoming": "inbound", "originating": "outbound"}
# A reply inside braces or after "##": "{550 5.7.1 ...}", "user@x##Receive, Fail".
_REPLY_ANYWHERE = re.compile(r"(?:^|[{;\s'\"])(?=[245]\d\d[ -][245]\.\d)")


class ExchangeFormat:
    """Exchange tracking and protocol logs, and Microsoft 365 message trace CSV."""

    name = "exchange"

    def __init__(self) -> None:
        self._fields: list[str] = []
        self._kind = ""  # "tracking", "protocol" or "trace"
        self._in_header = False
        self._after_data: dict[str, bool] = {}

    @property
    def open(self) -> bool:
        """True between a `#Fields:` header block and its first data line."""
        return self._in_header

    def claims(self, line: str) -> bool:
        """A `#Fields:` or W3C header line, a trace CSV header, or a data line."""
        if line[:1] == "#":
            return line.startswith("#Fields:") or line.startswith(_HEADER_LINES)
        if line[:1] in _TRACE_FIRST and line.startswith(_TRACE_STARTS):
            return True
        if not self._fields:
            return False
        if self._kind == "trace":
            starts = line[:1] == '"' or line[:1].isdigit()
        else:
            starts = line[:2] == "20" and line[4:5] == "-"
        return starts and line.count(",") + 1 >= len(self._fields) - 2

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Read a header (remembering its columns) or one data line."""
        if line.startswith("#"):
            return self._header(line)
        if line.startswith(_TRACE_STARTS) and self._trace_header(line):
            return ()
        self._in_header = False
        if not self._fields:
            return None

        row = _split_csv(line)
        if row is None or len(row) < len(self._fields) - 2:
            return None
        values = dict(zip(self._fields, row, strict=False))
        if self._kind == "tracking":
            return _tracking_events(values, lineno, line)
        if self._kind == "protocol":
            return self._protocol_events(values, lineno, line)
        return _trace_events(values, lineno, line)

    def flush(self) -> Iterable[Event]:
        """Nothing is held back: every data line is read when it comes."""
        self._in_header = False
        return ()

    def _header(self, line: str) -> Iterable[Event] | None:
        if not line.startswith("#Fields:"):
            self._in_header = True
            return ()
        names = [n.strip().lower() for n in line[len("#Fields:") :].split(",")]
        if "event-id" in names or "recipient-status" in names:
            self._kind = "tracking"
        elif "event" in names and "data" in names:
            self._kind = "protocol"
        else:
            return None
        self._fields = names
        self._in_header = False
        self._after_data.clear()
        return ()

    def _trace_header(self, line: str) -> bool:
        row = _split_csv(line)
        if row is None:
            return False
        names = [n.strip().lower() for n in row]
        has_date = any(n in names for n in _TRACE_DATE)
        has_status = any(n in names for n in _TRACE_STATUS)
        if not (has_date and has_status and len(names) >= 3):
            return False
        self._fields, self._kind = names, "trace"
        return True

    def _protocol_events(
        self, values: dict[str, str], lineno: int, line: str
    ) -> list[Event]:
        """A reply in a protocol log; 2xx only as the answer to a message's data.

        The event column says who spoke: ">" this server (in a receive log, its
        reply to a client: inbound), "<" the other side (in a send log, the next
        hop's reply: outbound).
        """
        data = values.get("data", "")
        session = values.get("session-id", "")
        code, enhanced, text = split_reply(data)
        if code is None:
            return []
        if code == "354":
            self._remember(session)
            return []
        if code[0] == "2" and not self._after_data.pop(session, False):
            return []
        if code[0] == "3":
            return []
        remote = values.get("remote-endpoint", "").rsplit(":", 1)[0].strip("[]")
        return [
            Event(
                line=lineno,
                format=self.name,
                code=code,
                enhanced=enhanced,
                status=status_of_code(code, enhanced),
                remote_host=remote or None,
                time=values.get("date-time") or None,
                text=text[:500],
                example=example(line),
                direction=_SPEAKER.get(values.get("event", "")),
            )
        ]

    def _remember(self, session: str) -> None:
        if len(self._after_data) >= MAX_SESSIONS:
            self._after_data.clear()
        self._after_data[session] = True


def _split_csv(line: str) -> list[str] | None:
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None


def _tracking_events(values: dict[str, str], lineno: int, line: str) -> list[Event]:
    """One event per recipient of a SEND, DELIVER, FAIL, DEFER or DSN entry."""
    event_id = values.get("event-id", "").upper()
    status = _TRACKING_STATUS.get(event_id)
    recipients = [r for r in values.get("recipient-address", "").split(";") if r]
    statuses = _split_statuses(values.get("recipient-status", ""), len(recipients))
    if status is None and not any(s[:1] in ("4", "5") for s in statuses):
        return []

    remote = values.get("server-hostname") or values.get("server-ip") or None
    direction = _TRACKING_DIRECTION.get(event_id) or _directionality(values)
    events = []
    for index, reply in enumerate(statuses or [""]):
        code, enhanced, text = split_reply(reply.strip())
        if code is None and status is None:
            continue
        recipient = recipients[index] if index < len(recipients) else None
        events.append(
            Event(
                line=lineno,
                format=ExchangeFormat.name,
                code=code,
                enhanced=enhanced,
                status=status or status_of_code(code, enhanced),
                recipient_domain=domain_of(recipient),
                remote_host=remote if event_id == "SEND" else None,
                time=values.get("date-time") or None,
                text=text[:500],
                example=example(line),
                direction=direction,
            )
        )
    return events


def _split_statuses(value: str, recipients: int) -> list[str]:
    """recipient-status holds one reply per recipient, separated by ";".

    The reply text itself may contain ";" ("RecipNotFound; not found"), so the
    value is cut only before a ";" that starts another reply code.
    """
    if not value:
        return []
    if recipients <= 1:
        return [value]
    return re.split(r";(?=\s*[245]\d\d[ -])", value)


def _trace_events(values: dict[str, str], lineno: int, line: str) -> list[Event]:
    """A Microsoft 365 message trace row: its status word and any reply in it."""
    raw = next((values[k] for k in _TRACE_STATUS if values.get(k)), "")
    if not raw:
        return []
    code = enhanced = None
    text = ""
    found = _REPLY_ANYWHERE.search(raw)
    if found is not None:
        code, enhanced, text = split_reply(raw[found.end() :])
        text = text.split("}", 1)[0]

    # "user@example.com##Receive, Fail" lists events; the last one says how it ended.
    events = raw.split("##", 1)[-1].split("{", 1)[0]
    word = events.split(",")[-1].strip().lower().replace(" ", "")
    status = _TRACE_WORDS.get(word) or (
        status_of_code(code, enhanced) if code else None
    )
    if status is None:
        return []
    recipient = next((values[k] for k in _TRACE_RECIPIENT if values.get(k)), None)
    if recipient is None and "##" in raw:
        recipient = raw.split("##", 1)[0]
    when = next((values[k] for k in _TRACE_DATE if values.get(k)), None)
    return [
        Event(
            line=lineno,
            format=ExchangeFormat.name,
            code=code,
            enhanced=enhanced,
            status=status,
            recipient_domain=domain_of(recipient),
            time=when,
            text=text[:500],
            example=example(line),
            direction=_directionality(values),
        )
    ]


def _directionality(values: dict[str, str]) -> str | None:
    """ "inbound" or "outbound" from a directionality column, when there is one."""
    return _DIRECTIONALITY.get(values.get("directionality", "").strip().lower())
