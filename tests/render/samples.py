"""Records built by hand for renderer tests, independent of the knowledge data."""

from __future__ import annotations

from bot.knowledge.errors import QueryError
from bot.knowledge.records import (
    CodeClass,
    Explanation,
    ProviderReply,
    Retry,
    TableRow,
)
from bot.logs.event import Event
from bot.logs.summary import CodeGroup, Summary


def explanation(code: str = "550", **changes: object) -> Explanation:
    """An explanation of a table code with every field filled."""
    fields: dict[str, object] = {
        "query": code,
        "code": code,
        "enhanced": None,
        "code_class": CodeClass.PERMANENT,
        "title": "Mailbox unavailable",
        "standard": "The mailbox cannot be used for this message, for now or for good.",
        "table": TableRow(
            code, "The user does not have permission to send.", "SMTP server"
        ),
        "causes": ("The address does not exist.", "A policy refused the sender."),
        "action": "Check the address, then read the server's text for the reason.",
        "retry": Retry.AFTER_FIX,
        "related": ("5.1.1", "5.7.1"),
        "rfc": "RFC 5321 section 4.2.3",
        "notes": ("The table's words differ from the standard meaning.",),
    }
    fields.update(changes)
    return Explanation(**fields)  # type: ignore[arg-type]


def provider() -> ProviderReply:
    """A provider reply of our own invention."""
    return ProviderReply(
        provider="Example Mail",
        reply="550 5.7.26",
        enhanced="5.7.26",
        match="unauthenticated",
        meaning="The message failed sender authentication.",
        reason="authfailure",
        retry=Retry.AFTER_FIX,
        fix="Publish SPF and DKIM for the sending domain.",
    )


def problem(text: str = "abc is not a code I know.") -> QueryError:
    """A query problem with suggestions."""
    return QueryError(text, query="abc", suggestions=("550", "551"))


def group(code: str = "550", count: int = 3, **changes: object) -> CodeGroup:
    """A code group with every field filled."""
    klass = CodeClass.TRANSIENT if code.startswith("4") else CodeClass.PERMANENT
    fields: dict[str, object] = {
        "code": code,
        "count": count,
        "share": 0.5,
        "code_class": klass,
        "explanation": explanation(code, code_class=klass, table=None),
        "enhanced": {"5.1.1": 2, "5.7.1": 1},
        "statuses": {"bounced": count},
        "reasons": {"userunknown": 2},
        "providers": {"Example Mail": 1},
        "domains": (("example.com", 2), ("example.net", 1)),
        "hosts": (("mx.example.com", 3),),
        "first_seen": "2024-03-03T10:00:01",
        "last_seen": "2024-03-03T11:30:00",
        "examples": ("postfix/smtp: to=<***@example.com> said: 550 5.1.1 unknown",),
    }
    fields.update(changes)
    return CodeGroup(**fields)  # type: ignore[arg-type]


def summary(groups: tuple[CodeGroup, ...] | None = None, **changes: object) -> Summary:
    """A summary of two codes, permanent first."""
    if groups is None:
        groups = (group("550", 3), group("451", 3, enhanced={"4.7.1": 3}))
    fields: dict[str, object] = {
        "groups": groups,
        "lines_read": 1200,
        "events": sum(g.count for g in groups),
        "formats": {"postfix": 5, "bounce": 1},
        "unparsed": 7,
        "bytes_read": 150_000,
        "verdict": "Half permanent: unknown users at example.com; half greylisting.",
        "first_seen": "2024-03-03T10:00:01",
        "last_seen": "2024-03-03T11:30:00",
    }
    fields.update(changes)
    return Summary(**fields)  # type: ignore[arg-type]


def event(**changes: object) -> Event:
    """An event with every field filled."""
    fields: dict[str, object] = {
        "line": 4,
        "format": "postfix",
        "code": "550",
        "enhanced": "5.1.1",
        "status": "bounced",
        "recipient_domain": "example.com",
        "remote_host": "mx.example.com",
        "time": "2024-03-03T10:00:01",
        "text": "5.1.1 unknown user",
        "reason": "userunknown",
        "hard": True,
        "provider": None,
    }
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]
