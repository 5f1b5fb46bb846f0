"""JSON for scripts: explanations, summaries and events as dicts with stable keys.

Keys are part of the command line's interface; add new ones, never rename.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.knowledge.records import CodeClass, Explanation, ProviderReply, TableRow
from bot.render.words import group_meaning

if TYPE_CHECKING:  # bot.logs is imported only when a log is summarized
    from bot.logs.event import Event
    from bot.logs.summary import CodeGroup, Summary


def _table_dict(row: TableRow | None) -> dict[str, str] | None:
    if row is None:
        return None
    return {"code": row.code, "description": row.description, "type": row.type}


def _provider_dict(provider: ProviderReply | None) -> dict[str, str] | None:
    if provider is None:
        return None
    return {
        "provider": provider.provider,
        "reply": provider.reply,
        "enhanced": provider.enhanced,
        "meaning": provider.meaning,
        "reason": provider.reason,
        "retry": provider.retry.value,
        "fix": provider.fix,
        "note": provider.note,
    }


def explanation_dict(e: Explanation) -> dict[str, Any]:
    """One explanation; `class` and `retry` are the enums' values."""
    return {
        "query": e.query,
        "code": e.code,
        "enhanced": e.enhanced,
        "label": e.label,
        "class": e.code_class.value,
        "known": e.known,
        "title": e.title,
        "standard": e.standard,
        "table": _table_dict(e.table),
        "enhanced_title": e.enhanced_title,
        "enhanced_meaning": e.enhanced_meaning,
        "causes": list(e.causes),
        "action": e.action,
        "retry": e.retry.value,
        "related": list(e.related),
        "rfc": e.rfc,
        "notes": list(e.notes),
        "reply_text": e.reply_text,
        "provider": _provider_dict(e.provider),
        "reason": e.reason,
        "hard": e.hard,
        "extra": dict(e.extra),
    }


def _hard(group: CodeGroup) -> bool | None:
    """A hard bounce when the knowledge says so, else from the class."""
    if group.explanation.hard is not None:
        return group.explanation.hard
    if group.code_class is CodeClass.PERMANENT:
        return True
    if group.code_class is CodeClass.TRANSIENT:
        return False
    return None


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    """The same counts, biggest first (JSON objects keep insertion order)."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def group_dict(g: CodeGroup) -> dict[str, Any]:
    """One code of a summary."""
    return {
        "code": g.code,
        "count": g.count,
        "share": round(g.share, 4),
        "class": g.code_class.value,
        "meaning": group_meaning(g),
        "enhanced": _ranked(g.enhanced),
        "statuses": _ranked(g.statuses),
        "directions": _ranked(g.directions),
        "reasons": _ranked(g.reasons),
        "providers": _ranked(g.providers),
        "hard": _hard(g),
        "domains": dict(g.domains),
        "hosts": dict(g.hosts),
        "first_seen": g.first_seen,
        "last_seen": g.last_seen,
        "examples": list(g.examples),
    }


def summary_dict(s: Summary) -> dict[str, Any]:
    """A whole summary: totals and verdict at the top level, `codes` worst first."""
    return {
        "verdict": s.verdict,
        "lines_read": s.lines_read,
        "events": s.events,
        "formats": _ranked(s.formats),
        "unparsed": s.unparsed,
        "bytes_read": s.bytes_read,
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "other_codes": s.other_codes,
        "directions": dict(s.directions),
        "notes": list(s.notes),
        "codes": [group_dict(g) for g in s.groups],
    }


def event_dict(ev: Event) -> dict[str, Any]:
    """One event, for JSON Lines."""
    return {
        "line": ev.line,
        "format": ev.format,
        "code": ev.code,
        "enhanced": ev.enhanced,
        "status": ev.status,
        "recipient_domain": ev.recipient_domain,
        "remote_host": ev.remote_host,
        "time": ev.time,
        "reason": ev.reason,
        "hard": ev.hard,
        "provider": ev.provider,
        "direction": ev.direction,
    }
