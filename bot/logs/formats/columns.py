"""Business-system logs with one response code per message in a CSV or TSV column.

The header names the columns ("Response Code", "smtp_code", "Result"...); codes are
kept as written, so application codes such as Plex's "0" or "9009" survive.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable

from bot.logs.event import Event
from bot.logs.mask import example
from bot.logs.replies import domain_of, split_reply, status_of_code, valid_enhanced

logger = logging.getLogger(__name__)

_DELIMITERS = (",", "\t", ";", "|")

# Header names, lower-cased with spaces and "_" removed, by role.
_CODE_NAMES = (
    "responsecode",
    "smtpcode",
    "smtpresponsecode",
    "replycode",
    "statuscode",
    "errorcode",
    "resultcode",
    "code",
    "result",
    "smtpresponse",
    "response",
)
_RECIPIENT_NAMES = ("recipient", "recipients", "to", "toaddress", "email", "rcptto")
_DATE_NAMES = ("date", "time", "datetime", "timestamp", "sent", "senttime", "created")
_TEXT_NAMES = ("message", "responsemessage", "error", "errormessage", "description")

_NAME = re.compile(r"[A-Za-z][\w .()/#-]{0,40}")
_APP_CODE = re.compile(r"\d{1,5}")
# Application codes that mean success (Plex: 0 and 1); other non-SMTP codes failed.
_APP_SUCCESS = frozenset({"0", "1"})


class ColumnsFormat:
    """CSV/TSV logs whose header names a response-code column."""

    name = "columns"

    def __init__(self) -> None:
        self._delimiter = ","
        self._columns: list[str] = []
        self._code = self._recipient = self._date = self._text = self._clock = -1

    @property
    def open(self) -> bool:
        """Each row stands alone; nothing spans lines."""
        return False

    def claims(self, line: str) -> bool:
        """A header naming a code column, or a row with the header's shape."""
        if self._columns:
            return line.count(self._delimiter) + 1 >= len(self._columns) - 1
        if (line[:1] not in ('"', "'") and not line[:1].isalpha()) or ": " in line:
            return False
        if "ode" not in line and "esult" not in line and "esponse" not in line:
            return False
        return _header(line) is not None

    def feed(self, lineno: int, line: str) -> Iterable[Event] | None:
        """Remember a header; turn a row into its event."""
        header = _header(line)
        if header is not None:
            self._use(*header)
            return ()
        if not self._columns:
            return None

        row = _row(line, self._delimiter)
        if row is None or len(row) < len(self._columns) - 1:
            return None
        return self._events(row, lineno, line)

    def flush(self) -> Iterable[Event]:
        """Nothing is held back."""
        return ()

    def _use(self, delimiter: str, names: list[str]) -> None:
        self._delimiter, self._columns = delimiter, names
        self._code = _index(names, _CODE_NAMES)
        self._recipient = _index(names, _RECIPIENT_NAMES)
        self._date = _index(names, _DATE_NAMES)
        clock = names.index("time") if "time" in names else -1
        self._clock = clock if clock != self._date else -1
        self._text = _index(names, _TEXT_NAMES)

    def _events(self, row: list[str], lineno: int, line: str) -> list[Event] | None:
        value = _cell(row, self._code)
        if not value:
            return []
        code, enhanced, text = split_reply(value)
        if code is None:
            enhanced = valid_enhanced(value)
            if enhanced is None and _APP_CODE.fullmatch(value):
                code, text = value.lstrip("0") or "0", ""
            elif enhanced is None:
                return None  # not a code: this line is not one of our rows
        if code is not None and len(code) == 3 and code[0] in "2345":
            status = status_of_code(code, enhanced)
        elif code is None:
            status = status_of_code(None, enhanced)
        else:
            status = "sent" if code in _APP_SUCCESS else "failed"
        when = (self._date, self._clock)
        return [
            Event(
                line=lineno,
                format=self.name,
                code=code,
                enhanced=enhanced,
                status=status,
                recipient_domain=domain_of(_cell(row, self._recipient)),
                time=" ".join(c for c in (_cell(row, i) for i in when) if c) or None,
                text=(text or _cell(row, self._text))[:500],
                example=example(line),
            )
        ]


def _header(line: str) -> tuple[str, list[str]] | None:
    """(delimiter, normalized names) when the line is a header with a code column."""
    delimiter = max(_DELIMITERS, key=line.count)
    if line.count(delimiter) == 0:
        return None
    row = _row(line, delimiter)
    if row is None or len(row) < 2:
        return None
    if not all(_NAME.fullmatch(cell.strip()) for cell in row if cell.strip()):
        return None
    names = [re.sub(r"[\s_().#/-]", "", cell).lower() for cell in row]
    if _index(names, _CODE_NAMES) < 0:
        return None
    return delimiter, names


def _row(line: str, delimiter: str) -> list[str] | None:
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None


def _index(names: list[str], wanted: tuple[str, ...]) -> int:
    """Position of the first wanted name present (in the order of `wanted`)."""
    for name in wanted:
        if name in names:
            return names.index(name)
    return -1


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if 0 <= index < len(row) else ""
