"""Known replies of mailbox providers and blocklists, recognised from reply text.

The rows live in data/provider_replies.csv and data/provider_hosts.csv and are
loaded once; teaching smtpcode a new provider reply means adding a row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot.knowledge.records import ProviderReply, Retry
from bot.knowledge.table import data_rows
from bot.knowledge.textmatch import Guarded

__all__ = [
    "host_provider",
    "match_lowered",
    "match_provider",
    "provider_names",
    "provider_replies",
]

_REPLIES_FILE = "provider_replies.csv"
_HOSTS_FILE = "provider_hosts.csv"

# An enhanced-code span: class, subject, lowest and highest detail number.
_Span = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One provider row, prepared for matching."""

    reply: ProviderReply
    codes: frozenset[str]
    spans: tuple[_Span, ...]
    pattern: Guarded
    needs_host: bool

    def fits(self, code: str | None, status: _Span | None) -> bool:
        """True when the row's reply and enhanced codes allow this pair."""
        if self.codes and code is not None and code not in self.codes:
            return False
        if not self.spans or status is None:
            return True
        cls, subject, detail, _ = status
        return any(
            c == cls and s == subject and lo <= detail <= hi
            for c, s, lo, hi in self.spans
        )

    def specificity(self, code: str | None, status: _Span | None) -> int:
        """How precisely the row names this pair: enhanced counts more than reply."""
        score = 0
        if self.spans and status is not None:
            exact = any(lo == hi for _, _, lo, hi in self.spans)
            score += 4 if exact else 2
        if self.codes and code is not None:
            score += 1
        return score


@dataclass(frozen=True, slots=True)
class _Table:
    """Everything loaded from the two data files."""

    rules: tuple[_Rule, ...]
    hosts: tuple[ProviderReply, ...]
    host_marks: tuple[tuple[str, tuple[str, ...]], ...]


def provider_replies() -> tuple[ProviderReply, ...]:
    """Every known provider reply, in file order."""
    return tuple(rule.reply for rule in _table().rules)


def provider_names() -> tuple[str, ...]:
    """Names of the providers and blocklists we know, in file order."""
    names = [r.provider for r in _table().hosts]
    names += [r.reply.provider for r in _table().rules]
    return tuple(dict.fromkeys(names))


def host_provider(text: str) -> ProviderReply | None:
    """The provider named by a host name in the text (gsmtp, yahoodns.net, ...)."""
    hosts = _hosts_in(text.lower())
    return _generic(hosts[0]) if hosts else None


def match_provider(
    text: str, code: str | None = None, enhanced: str | None = None
) -> ProviderReply | None:
    """The provider reply that best explains this reply, or None.

    A reply row wins over a bare host-name match; among rows, one whose provider
    is also named by a host in the text wins, then the most specific code.
    """
    if not text:
        return None
    return match_lowered(text.lower(), code, enhanced)


def match_lowered(
    lowered: str, code: str | None, enhanced: str | None
) -> ProviderReply | None:
    """Like match_provider, for text that is already lower case."""
    hosts = _hosts_in(lowered)
    status = _parse_status(enhanced)
    best: ProviderReply | None = None
    best_key = (False, -1, -1)

    for rule in _candidates(code, enhanced):
        named = rule.reply.provider in hosts
        if rule.needs_host and not named:
            continue
        found = rule.pattern.search(lowered)
        if found is None:
            continue
        key = (named, rule.specificity(code, status), found.end() - found.start())
        if key > best_key:
            best, best_key = rule.reply, key

    if best is None and hosts:
        return _generic(hosts[0])
    return best


@functools.lru_cache(maxsize=512)
def _candidates(code: str | None, enhanced: str | None) -> tuple[_Rule, ...]:
    """Rows whose codes allow this pair (a few dozen at most)."""
    status = _parse_status(enhanced)
    return tuple(rule for rule in _table().rules if rule.fits(code, status))


def _hosts_in(lowered: str) -> tuple[str, ...]:
    """Providers named by host names in the text, in file order.

    Plain substring tests: they run on every failed reply, so they must be cheap.
    """
    return tuple(
        provider
        for provider, marks in _table().host_marks
        if any(mark in lowered for mark in marks)
    )


def _generic(provider: str) -> ProviderReply | None:
    """The host-only row of a provider: it names the provider but no reason."""
    for reply in _table().hosts:
        if reply.provider == provider:
            return reply
    return None


def _parse_status(enhanced: str | None) -> _Span | None:
    """ "5.7.1" -> (5, 7, 1, 1); None for anything that is not an enhanced code."""
    if not enhanced:
        return None
    parts = enhanced.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    cls, subject, detail = (int(p) for p in parts)
    return cls, subject, detail, detail


def _parse_spans(field: str) -> tuple[_Span, ...]:
    """ "4.7.500-4.7.699|5.7.1" -> ((4, 7, 500, 699), (5, 7, 1, 1))."""
    spans: list[_Span] = []
    for item in filter(None, field.split("|")):
        low, _, high = item.partition("-")
        first = _parse_status(low)
        last = _parse_status(high or low)
        if first is None or last is None or first[:2] != last[:2]:
            raise ValueError(f"bad enhanced code in {_REPLIES_FILE}: {item!r}")
        spans.append((first[0], first[1], first[2], last[2]))
    return tuple(spans)


@functools.cache
def _table() -> _Table:
    """Load both data files once."""
    rules = tuple(_rule(row) for row in data_rows(_REPLIES_FILE))
    hosts = tuple(
        ProviderReply(
            provider=row["provider"],
            reply="",
            enhanced="",
            match=row["hosts"],
            meaning=row["meaning"],
            reason="",
            retry=Retry.UNKNOWN,
            fix="",
        )
        for row in data_rows(_HOSTS_FILE)
    )
    marks = tuple((r.provider, tuple(r.match.split("|"))) for r in hosts)
    return _Table(rules=rules, hosts=hosts, host_marks=marks)


def _rule(row: dict[str, str]) -> _Rule:
    """Turn one CSV row into a matching rule."""
    reply = ProviderReply(
        provider=row["provider"],
        reply=row["reply"],
        enhanced=row["enhanced"],
        match=row["match"],
        meaning=row["meaning"],
        reason=row["reason"],
        retry=Retry[row["retry"].upper()],
        fix=row["fix"],
        note=row["note"],
    )
    return _Rule(
        reply=reply,
        codes=frozenset(filter(None, row["reply"].split("|"))),
        spans=_parse_spans(row["enhanced"]),
        pattern=Guarded.compile(row["match"]),
        needs_host=row["needs_host"] == "yes",
    )
