"""Aggregating events into a Summary: by code, worst first, with a verdict.

The records are the fixed interface. The Summarizer keeps bounded counters only,
so memory stays flat whatever the size of the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.knowledge.lookup import explain_pair
from bot.knowledge.records import CodeClass, Explanation
from bot.logs import mask
from bot.logs.event import Event


@dataclass(frozen=True, slots=True)
class CodeGroup:
    """All events sharing one code, with what we know about it."""

    code: str
    count: int
    share: float
    code_class: CodeClass
    explanation: Explanation
    enhanced: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    providers: dict[str, int] = field(default_factory=dict)
    domains: tuple[tuple[str, int], ...] = ()
    hosts: tuple[tuple[str, int], ...] = ()
    first_seen: str | None = None
    last_seen: str | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """A whole input summarized by code, worst first."""

    groups: tuple[CodeGroup, ...]
    lines_read: int
    events: int
    formats: dict[str, int]
    unparsed: int
    bytes_read: int
    verdict: str
    first_seen: str | None = None
    last_seen: str | None = None
    other_codes: int = 0
    notes: tuple[str, ...] = ()


MAX_CODES = 200
"""Distinct codes itemised; events of further codes are counted, not itemised."""
MAX_OVERFLOW_CODES = 50_000
"""Distinct codes past MAX_CODES that are still told apart (for other_codes)."""
TOP_K = 64
"""Domains or hosts tracked per code (space-saving counters)."""
SHOWN = 10
"""Domains or hosts reported per code."""
MAX_ENHANCED = 50
"""Distinct enhanced codes, statuses, reasons or providers kept per code."""
EXAMPLES = 2
_TEXT_LIMIT = 500

# Worst-first groups of reasons, and what a person should do about each.
_REASON_WORDS: dict[str, tuple[str, str]] = {
    "userunknown": ("unknown users", "clean the list"),
    "hostunknown": ("domains that do not exist", "clean the list"),
    "hasmoved": ("mailboxes that moved", "update or remove those addresses"),
    "notaccept": ("domains that accept no mail", "remove those addresses"),
    "mailboxfull": ("full mailboxes", "nothing to fix on your side; retries may pass"),
    "suspend": ("suspended mailboxes", "stop mailing those addresses"),
    "filtered": ("recipient-side filtering", "check those recipients still want mail"),
    "rejected": ("rejected senders", "check the envelope sender and its domain"),
    "emailtoolarge": ("messages that are too large", "send smaller messages"),
    "mesgtoobig": ("messages that are too large", "send smaller messages"),
    "exceedlimit": ("messages that are too large", "send smaller messages"),
    "contenterror": ("content the receiver refused", "check message format"),
    "notcompliantrfc": ("messages that break RFC 5322", "fix the message headers"),
    "policyviolation": ("policy rejections", "read the reply text for the policy"),
    "securityerror": ("security rejections", "check authentication and TLS"),
    "virusdetected": ("virus detections", "check what is being sent"),
    "spamdetected": ("spam rejections", "review content and sending reputation"),
    "authfailure": (
        "SPF/DKIM/DMARC failures",
        "fix SPF, DKIM and DMARC for the domain",
    ),
    "badreputation": ("reputation blocks", "slow down and improve sending reputation"),
    "blocked": ("blocks of the sending IP", "check blocklists and request delisting"),
    "requireptr": ("missing reverse DNS", "set a PTR record for the sending IP"),
    "ratelimited": ("rate limiting", "slow down sending to that provider"),
    "speeding": ("rate limiting", "slow down sending to that provider"),
    "toomanyconn": ("too many connections", "open fewer connections at once"),
    "failedstarttls": ("TLS failures", "check STARTTLS and certificates"),
    "norelaying": ("relay denials", "send through an authorised relay"),
    "expired": ("expired deliveries", "check the destination can be reached"),
    "networkerror": ("network or DNS errors", "check DNS and connectivity"),
    "systemerror": ("errors on the receiving side", "retry later"),
    "systemfull": ("full receiving systems", "retry later"),
    "syntaxerror": ("SMTP syntax errors", "check the sending software"),
    "greylisting": ("greylisting", "nothing to do; retries will get through"),
    "suppressed": ("suppressed recipients", "check the suppression list"),
}


class _TopK:
    """Approximate top-k counts in bounded memory (space-saving algorithm)."""

    __slots__ = ("counts", "k")

    def __init__(self, k: int = TOP_K) -> None:
        self.k = k
        self.counts: dict[str, int] = {}

    def add(self, item: str, n: int = 1) -> None:
        """Count n occurrences; evict the smallest entry when full."""
        counts = self.counts
        if item in counts:
            counts[item] += n
        elif len(counts) < self.k:
            counts[item] = n
        else:
            smallest = min(counts, key=counts.__getitem__)
            counts[item] = counts.pop(smallest) + n

    def top(self, n: int = SHOWN) -> tuple[tuple[str, int], ...]:
        """The n biggest, biggest first, ties by name."""
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(ranked[:n])


def _bump(
    counts: dict[str, int], key: str | None, limit: int = MAX_ENHANCED, n: int = 1
) -> None:
    """Count `key` in a small bounded map (new keys past `limit` are dropped)."""
    if key is None:
        return
    if key in counts:
        counts[key] += n
    elif len(counts) < limit:
        counts[key] = n


def _merge(
    into: dict[str, int], other: dict[str, int], limit: int = MAX_ENHANCED
) -> None:
    """Add the counts of `other` into `into`, within the same bound."""
    for key, count in other.items():
        _bump(into, key, limit, count)


class _Group:
    """Running totals for one code."""

    __slots__ = (
        "code",
        "count",
        "domains",
        "enhanced",
        "examples",
        "first",
        "hard",
        "hosts",
        "last",
        "providers",
        "reasons",
        "statuses",
        "text",
    )

    def __init__(self, code: str) -> None:
        self.code = code
        self.count = 0
        self.enhanced: dict[str, int] = {}
        self.statuses: dict[str, int] = {}
        self.reasons: dict[str, int] = {}
        self.providers: dict[str, int] = {}
        self.domains = _TopK()
        self.hosts = _TopK()
        self.first: str | None = None
        self.last: str | None = None
        self.examples: list[str] = []
        self.text = ""
        self.hard = 0

    def add(
        self, event: Event, reason: str | None, hard: bool | None, provider: str | None
    ) -> None:
        """Fold one event into the totals."""
        self.count += 1
        _bump(self.enhanced, event.enhanced)
        _bump(self.statuses, event.status)
        _bump(self.reasons, reason)
        _bump(self.providers, provider)
        if event.recipient_domain:
            self.domains.add(event.recipient_domain)
        if event.remote_host:
            self.hosts.add(event.remote_host)
        if hard:
            self.hard += 1
        if event.time:
            if self.first is None:
                self.first = event.time
            self.last = event.time
        if len(self.examples) < EXAMPLES and event.example:
            example = mask.example(event.example)
            if example not in self.examples:
                self.examples.append(example)
        if not self.text and event.text:
            self.text = event.text[:_TEXT_LIMIT]

    def merge(self, other: _Group) -> None:
        """Fold in the totals of the same code from a later part of the input."""
        self.count += other.count
        self.hard += other.hard
        for mine, theirs in (
            (self.enhanced, other.enhanced),
            (self.statuses, other.statuses),
            (self.reasons, other.reasons),
            (self.providers, other.providers),
        ):
            _merge(mine, theirs)
        for top, more in ((self.domains, other.domains), (self.hosts, other.hosts)):
            for item, count in more.counts.items():
                top.add(item, count)
        self.first = self.first or other.first
        self.last = other.last or self.last
        for example in other.examples:
            if len(self.examples) < EXAMPLES and example not in self.examples:
                self.examples.append(example)
        self.text = self.text or other.text

    def finish(self, total: int) -> CodeGroup:
        """The frozen record, explained by the knowledge core."""
        enhanced = _most(self.enhanced)
        code = None if _is_enhanced(self.code) else self.code
        explanation = explain_pair(
            code, enhanced or (self.code if code is None else None), self.text
        )
        return CodeGroup(
            code=self.code,
            count=self.count,
            share=self.count / total if total else 0.0,
            code_class=explanation.code_class,
            explanation=explanation,
            enhanced=dict(self.enhanced),
            statuses=dict(self.statuses),
            reasons=dict(self.reasons),
            providers=dict(self.providers),
            domains=self.domains.top(),
            hosts=self.hosts.top(),
            first_seen=self.first,
            last_seen=self.last,
            examples=tuple(self.examples),
        )


def _is_enhanced(key: str) -> bool:
    """True for an enhanced-code group key such as "5.1.1"."""
    return key.count(".") == 2


def _most(counts: dict[str, int]) -> str | None:
    """The key with the biggest count (ties by name), or None."""
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


class Summarizer:
    """Events in, one Summary out, in memory that does not grow with the input."""

    def __init__(self) -> None:
        self._groups: dict[str, _Group] = {}
        self._overflow: set[str] = set()
        self._overflow_events = 0
        self._events = 0
        self._first: str | None = None
        self._last: str | None = None
        self._last_line = 0
        self._formats: dict[str, int] = {}

    def add(self, event: Event) -> None:
        """Count one event (already enriched, or not: then without reasons)."""
        self.add_known(event, event.reason, event.hard, event.provider)

    def add_known(
        self, event: Event, reason: str | None, hard: bool | None, provider: str | None
    ) -> None:
        """Count one event whose reason, hardness and provider are given apart."""
        self._events += 1
        self._last_line = max(self._last_line, event.line)
        _bump(self._formats, event.format, MAX_CODES)
        if event.time:
            if self._first is None:
                self._first = event.time
            self._last = event.time

        key = event.key
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= MAX_CODES:
                self._overflow_events += 1
                if len(self._overflow) < MAX_OVERFLOW_CODES:
                    self._overflow.add(key)
                return
            group = self._groups[key] = _Group(key)
        group.add(event, reason, hard, provider)

    def merge(self, other: Summarizer) -> None:
        """Fold in a Summarizer that read the part of the input after this one."""
        self._events += other._events
        self._overflow_events += other._overflow_events
        self._last_line += other._last_line
        _merge(self._formats, other._formats, MAX_CODES)
        self._first = self._first or other._first
        self._last = other._last or self._last
        for key, group in other._groups.items():
            mine = self._groups.get(key)
            if mine is not None:
                mine.merge(group)
            elif len(self._groups) < MAX_CODES:
                self._groups[key] = group
            else:
                self._overflow_events += group.count
                if len(self._overflow) < MAX_OVERFLOW_CODES:
                    self._overflow.add(key)
        for key in other._overflow:
            if len(self._overflow) >= MAX_OVERFLOW_CODES:
                break
            if key not in self._groups:
                self._overflow.add(key)

    def finish(
        self,
        *,
        lines_read: int | None = None,
        unparsed: int = 0,
        formats: dict[str, int] | None = None,
        bytes_read: int = 0,
    ) -> Summary:
        """The summary so far: groups worst first, totals and a verdict."""
        total = self._events
        groups = sorted(
            (group.finish(total) for group in self._groups.values()),
            key=lambda g: (g.code_class.severity, -g.count, g.code),
        )
        notes: list[str] = []
        if self._overflow:
            notes.append(
                f"{self._overflow_events:,} events with {len(self._overflow):,} "
                "further codes are counted in the totals but not listed."
            )
        return Summary(
            groups=tuple(groups),
            lines_read=lines_read if lines_read is not None else self._last_line,
            events=total,
            formats=dict(formats) if formats is not None else dict(self._formats),
            unparsed=unparsed,
            bytes_read=bytes_read,
            verdict=verdict(groups, total, lines_read or self._last_line),
            first_seen=self._first,
            last_seen=self._last,
            other_codes=len(self._overflow),
            notes=tuple(notes),
        )


def verdict(groups: list[CodeGroup], events: int, lines: int) -> str:
    """One sentence a person can act on, from the groups (worst first)."""
    if not events:
        return f"No SMTP reply codes found in {lines:,} lines."
    permanent = [g for g in groups if g.code_class is CodeClass.PERMANENT]
    transient = [g for g in groups if g.code_class is CodeClass.TRANSIENT]
    failures = sum(g.count for g in permanent) + sum(g.count for g in transient)
    if not failures:
        return (
            f"All {events:,} replies are successes or progress replies; nothing to fix."
        )

    if permanent:
        count = sum(g.count for g in permanent)
        what, action = _main_cause(permanent)
        where = _main_place(permanent)
        return (
            f"{count:,} permanent {_plural(count, 'rejection')}, mostly {what}"
            f"{where} — {action}." + _also_transient(transient)
        )
    count = sum(g.count for g in transient)
    what, action = _main_cause(transient)
    where = _main_place(transient)
    return (
        f"Mostly temporary failures ({count:,}): {what}{where}; nothing permanent"
        f" — {action}."
    )


def _main_cause(groups: list[CodeGroup]) -> tuple[str, str]:
    """The commonest reason across groups, in words, and what to do."""
    reasons: dict[str, int] = {}
    for group in groups:
        for reason, count in group.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    common = _most(reasons)
    if common in _REASON_WORDS:
        return _REASON_WORDS[common]
    top = groups[0]
    title = top.explanation.title or top.code
    return (
        f"{top.code} ({title.rstrip('.').lower()})",
        "read the explanation of " + top.code,
    )


def _main_place(groups: list[CodeGroup]) -> str:
    """Where the failures cluster: " at example.net", " by one provider (X)", or ""."""
    domains: dict[str, int] = {}
    providers: dict[str, int] = {}
    for group in groups:
        for domain, count in group.domains:
            domains[domain] = domains.get(domain, 0) + count
        for provider, count in group.providers.items():
            providers[provider] = providers.get(provider, 0) + count
    total = sum(g.count for g in groups)
    top_provider = _most(providers)
    if top_provider and providers[top_provider] * 2 > total:
        return f" by one provider ({top_provider})"
    top_domain = _most(domains)
    if top_domain and domains[top_domain] * 2 > total:
        return f" at {top_domain}"
    return ""


def _also_transient(transient: list[CodeGroup]) -> str:
    """A second sentence counting temporary failures, or "" when there are none."""
    count = sum(g.count for g in transient)
    if not count:
        return ""
    return f" Also {count:,} temporary {_plural(count, 'failure')}."


def _plural(count: int, word: str) -> str:
    """The word, with an s unless count is 1."""
    return word if count == 1 else word + "s"
