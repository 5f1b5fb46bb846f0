"""The knowledge data files (seed table, reply codes, enhanced codes), read once.

Each file is parsed on first use into small frozen records held in read-only
mappings; every later call returns the same objects. `data_rows` is the one CSV
reader, shared with the provider and reason tables.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from bot.knowledge.records import CodeClass, Retry, TableRow

SEED_FILE = "seed_table.csv"
REPLY_FILE = "reply_codes.csv"
ENHANCED_FILE = "enhanced_codes.csv"


@dataclass(frozen=True, slots=True)
class ReplyInfo:
    """What we know about one basic reply code ("550") or class row ("5xx")."""

    code: str
    code_class: CodeClass
    status: str
    title: str
    meaning: str
    causes: tuple[str, ...]
    action: str
    retry: Retry
    related: tuple[str, ...]
    rfc: str
    dotted: str
    table_note: str
    note: str


@dataclass(frozen=True, slots=True)
class EnhancedInfo:
    """One enhanced-code row: a class ("5"), a subject ("7") or a detail ("7.26")."""

    kind: str
    key: str
    title: str
    meaning: str
    causes: tuple[str, ...]
    action: str
    retry_transient: Retry
    retry_permanent: Retry
    basic: tuple[str, ...]
    rfc: str
    status: str
    classes: tuple[str, ...]
    note: str

    def retry_for(self, klass: str) -> Retry:
        """Whether a retry helps when this row comes with class "2", "4" or "5"."""
        if klass == "2":
            return Retry.NOT_NEEDED
        if klass == "4":
            return self.retry_transient
        return self.retry_permanent


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of one CSV file in the knowledge package's data folder, as dicts."""
    text = resources.files("bot.knowledge").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _split(value: str) -> tuple[str, ...]:
    """A semicolon-separated cell as a tuple of stripped, non-empty parts."""
    return tuple(part.strip() for part in value.split(";") if part.strip())


@functools.cache
def seed_rows() -> tuple[TableRow, ...]:
    """The 28 rows of the embedded table, in the design's order."""
    return tuple(
        TableRow(code=r["code"], description=r["description"], type=r["type"])
        for r in data_rows(SEED_FILE)
    )


@functools.cache
def seed_by_code() -> Mapping[str, TableRow]:
    """The embedded table keyed by code."""
    return MappingProxyType({row.code: row for row in seed_rows()})


@functools.cache
def replies() -> Mapping[str, ReplyInfo]:
    """Every basic reply code we know, plus the class rows "2xx" to "5xx"."""
    infos = {}
    for r in data_rows(REPLY_FILE):
        infos[r["code"]] = ReplyInfo(
            code=r["code"],
            code_class=CodeClass(r["class"]),
            status=r["status"],
            title=r["title"],
            meaning=r["meaning"],
            causes=_split(r["causes"]),
            action=r["action"],
            retry=Retry(r["retry"]),
            related=_split(r["related"]),
            rfc=r["rfc"],
            dotted=r["dotted"],
            table_note=r["table_note"],
            note=r["note"],
        )
    return MappingProxyType(infos)


@functools.cache
def enhanced() -> Mapping[tuple[str, str], EnhancedInfo]:
    """Enhanced-code rows keyed by (kind, key): ("detail", "7.26"), ("class", "5")."""
    infos = {}
    for r in data_rows(ENHANCED_FILE):
        info = EnhancedInfo(
            kind=r["kind"],
            key=r["key"],
            title=r["title"],
            meaning=r["meaning"],
            causes=_split(r["causes"]),
            action=r["action"],
            retry_transient=Retry(r["retry_transient"]),
            retry_permanent=Retry(r["retry_permanent"]),
            basic=_split(r["basic"]),
            rfc=r["rfc"],
            status=r["status"],
            classes=_split(r["classes"]),
            note=r["note"],
        )
        infos[(info.kind, info.key)] = info
    return MappingProxyType(infos)


def reply(code: str) -> ReplyInfo | None:
    """The reply-code row for "550" (or "5xx"), or None."""
    return replies().get(code)


def enhanced_class(klass: str) -> EnhancedInfo | None:
    """The class row for "2", "4" or "5", or None."""
    return enhanced().get(("class", klass))


def enhanced_subject(subject: str) -> EnhancedInfo | None:
    """The subject row for "0" to "7", or None."""
    return enhanced().get(("subject", subject))


def enhanced_detail(subject_detail: str) -> EnhancedInfo | None:
    """The registry row for "7.26" (subject.detail), or None."""
    return enhanced().get(("detail", subject_detail))
