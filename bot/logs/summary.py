"""Aggregating events into a Summary: by code, worst first, with a verdict.

The records are the fixed interface. The Summarizer keeps bounded counters only,
so memory stays flat whatever the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.knowledge.lookup import explain_pair
from bot.knowledge.records import CodeClass, Explanation
from bot.logs import mask
from bot.logs.event import Event
from bot.logs.timespan import Span, TimeKey, cached_key


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
    directions: dict[str, int] = field(default_factory=dict)
    """Events by direction ("inbound", "outbound"); events that do not tell are
    left out. The next two maps are the reasons and providers of inbound ones."""
    inbound_reasons: dict[str, int] = field(default_factory=dict)
    inbound_providers: dict[str, int] = field(default_factory=dict)


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
    directions: dict[str, int] = field(default_factory=dict)
    """All events by direction ("inbound", "outbound"), itemised codes or not."""


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
MAX_SHAPES = 1024
"""Distinct event shapes a group counts before folding them into its maps."""
_TEXT_LIMIT = 500
# What a group counts per event besides domains, hosts, times and examples:
# (enhanced, status, reason, provider, direction, hard).
_Shape = tuple[str | None, str, str | None, str | None, str | None, bool | None]

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
    "greylisted": ("greylisting", "nothing to do, the retries get through"),
    "suppressed": ("suppressed recipients", "check the suppression list"),
}
# Our own server's refusals of incoming mail: what they were and what to do.
# Reasons not listed here read "working as intended" (_INBOUND_ACTION).
_INBOUND_WORDS: dict[str, tuple[str, str | None]] = {
    "blocked": ("clients on blocklists or access rules", None),
    "badreputation": ("clients with a poor reputation", None),
    "requireptr": ("clients without reverse DNS", None),
    "userunknown": ("mail for addresses that do not exist here", None),
    "hostunknown": ("mail for domains that do not exist", None),
    "rejected": ("sender addresses that failed your checks", None),
    "norelaying": ("relay attempts for domains you do not host", None),
    "greylisted": ("greylisting", "nothing to do, real senders retry"),
    "spamdetected": ("spam", None),
    "virusdetected": ("viruses", None),
    "authfailure": ("senders failing SPF/DKIM/DMARC", None),
    "securityerror": (
        "failed logins or security checks",
        "expected from password guessers; check it if your own users cannot log in",
    ),
    "ratelimited": ("clients over your rate limits", None),
    "policyviolation": ("your policy rules", None),
    "syntaxerror": ("clients sending bad SMTP commands", None),
    "emailtoolarge": ("messages over your size limit", None),
    "contenterror": ("malformed messages", None),
    "notcompliantrfc": ("malformed messages", None),
    "mailboxfull": ("full local mailboxes", "ask those users to make room"),
    "systemerror": ("errors on your own server", "check your server's logs"),
    "systemfull": ("your server running out of space", "check disk space and load"),
    "networkerror": ("DNS or network errors on your side", "check your resolver"),
    "mailererror": ("a failing local delivery program", "check the delivery program"),
}
_INBOUND_ACTION = "working as intended unless legitimate senders complain"
# Refused logins (RFC 4954 s6: 535 bad credentials, 534 mechanism too weak, 538
# encryption required): counted as logins, not as incoming messages.
_LOGIN_CODES = frozenset({"534", "535", "538"})
# Reasons that say only that the reply did not tell; the verdict looks past them.
_VAGUE_REASONS = ("onhold", "undefined")
# Replies that report something other than a failed delivery: feedback-loop
# complaints (RFC 5965) and automatic answers (RFC 3834).
_NOTICE_WORDS: dict[str, tuple[str, str, str]] = {
    "feedback": (
        "spam complaint (feedback report)",
        "spam complaints (feedback reports)",
        "stop mailing those recipients",
    ),
    "vacation": ("auto-reply", "auto-replies", "nothing to do"),
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
        "directions",
        "domains",
        "enhanced",
        "examples",
        "hard",
        "hosts",
        "inbound_providers",
        "inbound_reasons",
        "providers",
        "reasons",
        "shapes",
        "span",
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
        self.directions: dict[str, int] = {}
        self.inbound_reasons: dict[str, int] = {}
        self.inbound_providers: dict[str, int] = {}
        self.domains = _TopK()
        self.hosts = _TopK()
        self.span = Span()
        self.examples: list[str] = []
        self.text = ""
        self.hard = 0
        self.shapes: dict[_Shape, int] = {}

    def add(
        self,
        event: Event,
        reason: str | None,
        hard: bool | None,
        provider: str | None,
        time_key: TimeKey | None,
    ) -> None:
        """Fold one event into the totals; `time_key` is its time's, if it has one."""
        self.count += 1
        shape = (event.enhanced, event.status, reason, provider, event.direction, hard)
        shapes = self.shapes
        if shape in shapes:
            shapes[shape] += 1
        else:
            shapes[shape] = 1
            if len(shapes) > MAX_SHAPES:
                self.fold()

        # Domains and hosts already tracked are counted here, without a call.
        domain, host = event.recipient_domain, event.remote_host
        if domain:
            domains = self.domains.counts
            if domain in domains:
                domains[domain] += 1
            else:
                self.domains.add(domain)
        if host:
            hosts = self.hosts.counts
            if host in hosts:
                hosts[host] += 1
            else:
                self.hosts.add(host)
        if time_key is not None and event.time:
            self.span.add_keyed(event.time, time_key)

        if len(self.examples) < EXAMPLES and event.example:
            example = mask.example(event.example)
            if example not in self.examples:
                self.examples.append(example)
        if not self.text and event.text:
            self.text = event.text[:_TEXT_LIMIT]

    def fold(self) -> None:
        """Move the counted shapes into the bounded maps, in first-seen order.

        Counting whole shapes and adding them up later gives the same maps as
        bumping every map per event: a key first seen in an earlier event is
        first seen in an earlier shape, so the same keys fit under each bound.
        """
        for shape, n in self.shapes.items():
            enhanced, status, reason, provider, direction, hard = shape
            _bump(self.enhanced, enhanced, n=n)
            _bump(self.statuses, status, n=n)
            _bump(self.reasons, reason or None, n=n)
            _bump(self.providers, provider, n=n)
            if direction:
                _bump(self.directions, direction, n=n)
                if direction == "inbound":
                    _bump(self.inbound_reasons, reason or None, n=n)
                    _bump(self.inbound_providers, provider, n=n)
            if hard:
                self.hard += n
        self.shapes.clear()

    def merge(self, other: _Group) -> None:
        """Fold in the totals of the same code from a later part of the input."""
        self.fold()
        other.fold()
        self.count += other.count
        self.hard += other.hard
        for mine, theirs in (
            (self.enhanced, other.enhanced),
            (self.statuses, other.statuses),
            (self.reasons, other.reasons),
            (self.providers, other.providers),
            (self.directions, other.directions),
            (self.inbound_reasons, other.inbound_reasons),
            (self.inbound_providers, other.inbound_providers),
        ):
            _merge(mine, theirs)
        for top, more in ((self.domains, other.domains), (self.hosts, other.hosts)):
            for item, count in more.counts.items():
                top.add(item, count)
        self.span.merge(other.span)
        for example in other.examples:
            if len(self.examples) < EXAMPLES and example not in self.examples:
                self.examples.append(example)
        self.text = self.text or other.text

    def finish(self, total: int) -> CodeGroup:
        """The frozen record, explained by the knowledge core."""
        self.fold()
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
            first_seen=self.span.first,
            last_seen=self.span.last,
            examples=tuple(self.examples),
            directions=dict(self.directions),
            inbound_reasons=dict(self.inbound_reasons),
            inbound_providers=dict(self.inbound_providers),
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
        self._span = Span()
        self._last_line = 0
        self._formats: dict[str, int] = {}
        self._directions: dict[str, int] = {}
        self._kinds: dict[tuple[str, str | None], int] = {}

    def add(self, event: Event) -> None:
        """Count one event (already enriched, or not: then without reasons)."""
        self.add_known(event, event.reason, event.hard, event.provider)

    def add_known(
        self, event: Event, reason: str | None, hard: bool | None, provider: str | None
    ) -> None:
        """Count one event whose reason, hardness and provider are given apart."""
        self._events += 1
        if event.line > self._last_line:
            self._last_line = event.line
        kind = (event.format, event.direction)
        kinds = self._kinds
        if kind in kinds:
            kinds[kind] += 1
        else:
            kinds[kind] = 1
            if len(kinds) > MAX_SHAPES:
                self._fold()
        time, time_key = event.time, None
        if time:
            time_key = cached_key(time)
            self._span.add_keyed(time, time_key)

        key = event.key
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= MAX_CODES:
                self._overflow_events += 1
                if len(self._overflow) < MAX_OVERFLOW_CODES:
                    self._overflow.add(key)
                return
            group = self._groups[key] = _Group(key)
        group.add(event, reason, hard, provider, time_key)

    def _fold(self) -> None:
        """Move the (format, direction) counts into their maps, like _Group.fold."""
        for (name, direction), n in self._kinds.items():
            _bump(self._formats, name, MAX_CODES, n)
            _bump(self._directions, direction, n=n)
        self._kinds.clear()

    def merge(self, other: Summarizer) -> None:
        """Fold in a Summarizer that read the part of the input after this one."""
        self._fold()
        other._fold()
        self._events += other._events
        self._overflow_events += other._overflow_events
        self._last_line += other._last_line
        _merge(self._formats, other._formats, MAX_CODES)
        _merge(self._directions, other._directions)
        self._span.merge(other._span)
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
        self._fold()
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
            first_seen=self._span.first,
            last_seen=self._span.last,
            other_codes=len(self._overflow),
            notes=tuple(notes),
            directions=dict(self._directions),
        )


def verdict(groups: list[CodeGroup], events: int, lines: int) -> str:
    """One sentence a person can act on, from the groups (worst first).

    Failures of mail the server sent lead, permanent then temporary; its own
    refusals of incoming mail follow in a sentence of their own, since they are
    usually the server doing its job. Spam complaints and auto-replies are
    counted apart because nothing failed to be delivered.
    """
    if not events:
        return f"No SMTP reply codes found in {lines:,} lines."
    inbound = _inbound_sentence(groups)
    outbound = [g for g in map(_outbound_view, groups) if g.count]
    permanent = [g for g in outbound if g.code_class is CodeClass.PERMANENT]
    transient = [g for g in outbound if g.code_class is CodeClass.TRANSIENT]
    notices = _notices(groups)
    sent = any(g.directions.get("outbound") for g in permanent + transient)
    whose = " of outgoing mail" if inbound and sent else ""

    if permanent:
        count = sum(g.count for g in permanent)
        head = f"{count:,} permanent {_plural(count, 'rejection')}{whose}"
        cause, action = _cause(permanent, count)
        also = _also_transient(transient)
        return f"{head}{cause} — {action}.{also}{inbound}{notices}"
    if transient:
        count = sum(g.count for g in transient)
        head = f"{count:,} temporary {_plural(count, 'failure')}{whose}"
        cause, action = _cause(transient, count)
        return f"{head}{cause}; nothing permanent — {action}.{inbound}{notices}"
    if inbound:
        return (inbound + notices).lstrip()
    if notices:
        return "No delivery failures." + notices
    if events == 1:
        return "The one reply is a success or progress reply; nothing to fix."
    return f"All {events:,} replies are successes or progress replies; nothing to fix."


def _outbound_view(group: CodeGroup) -> CodeGroup:
    """The group without its inbound events (outbound and undirected remain)."""
    inbound = group.directions.get("inbound", 0)
    if not inbound:
        return group
    return replace(
        group,
        count=group.count - inbound,
        reasons=_minus(group.reasons, group.inbound_reasons),
        providers=_minus(group.providers, group.inbound_providers),
    )


def _inbound_view(group: CodeGroup) -> CodeGroup:
    """Only the group's inbound events, without recipient domains (they are ours)."""
    return replace(
        group,
        count=group.directions.get("inbound", 0),
        reasons=group.inbound_reasons,
        providers=group.inbound_providers,
        domains=(),
    )


def _minus(counts: dict[str, int], less: dict[str, int]) -> dict[str, int]:
    """counts - less, keeping only what stays above zero."""
    left = {key: count - less.get(key, 0) for key, count in counts.items()}
    return {key: count for key, count in left.items() if count > 0}


def _inbound_sentence(groups: list[CodeGroup]) -> str:
    """ " Your server refused 40 incoming messages, mostly ..." or ""."""
    refused = [
        g for g in map(_inbound_view, groups) if g.count and g.code_class.is_failure
    ]
    logins = sum(g.count for g in refused if g.code in _LOGIN_CODES)
    refused = [g for g in refused if g.code not in _LOGIN_CODES]
    count = sum(g.count for g in refused)
    if not count:
        return _logins_sentence(logins, "Your server")
    temporary = all(g.code_class is CodeClass.TRANSIENT for g in refused)
    how = "temporarily refused" if temporary else "refused"
    head = f" Your server {how} {count:,} incoming {_plural(count, 'message')}"
    cause, action = _cause(refused, count, _INBOUND_WORDS, _INBOUND_ACTION)
    return f"{head}{cause} — {action}.{_logins_sentence(logins, 'It also')}"


def _logins_sentence(count: int, who: str) -> str:
    """ " Your server refused 3 logins (password guessing?) — ..." or ""."""
    if not count:
        return ""
    return (
        f" {who} refused {count:,} {_plural(count, 'login')} (password guessing?)"
        " — working as intended unless your own users cannot log in."
    )


def _cause(
    groups: list[CodeGroup],
    count: int,
    words: dict[str, tuple[str, str | None]] | None = None,
    default: str = "",
) -> tuple[str, str]:
    """ ", mostly unknown users at example.net" and what to do, for these groups.

    One event reads ": unknown users at example.net": "all" or "mostly" of a
    single event is no way to speak.
    """
    table: dict[str, tuple[str, str | None]] = dict(words or _REASON_WORDS)
    reasons = _known(_tally(g.reasons for g in groups))
    common = _most(reasons)
    # The biggest code outweighs a reason that explains fewer events, unless that
    # reason is the biggest code's own: the lead is the largest cause, never a
    # minor one (3 moved mailboxes beside 204 unexplained 550s).
    top = max(groups, key=lambda g: g.count)
    if common in table and (
        reasons[common] >= top.count or _most(_known(top.reasons)) == common
    ):
        what, action = table[common]
        action = action or default
        share = reasons[common]
        mine = [g for g in groups if _most(g.reasons) == common] or groups
    else:
        title = (top.explanation.title or top.code).rstrip(".").lower()
        what = f"{top.code} ({title})"
        action = default or f"read the explanation of {top.code}"
        share, mine = top.count, [top]
    place = _place(mine, sum(g.count for g in mine))
    if count == 1:
        return f": {what}{place}", action
    return f", {_how_many(share, count)} {what}{place}", action


def _known(reasons: dict[str, int]) -> dict[str, int]:
    """The reasons without those that only say the reply did not tell."""
    return {r: n for r, n in reasons.items() if r not in _VAGUE_REASONS}


def _how_many(share: int, count: int) -> str:
    """ "all", "mostly" or "3 of them", for the part the main cause explains."""
    if share >= count:
        return "all"
    return "mostly" if share * 2 > count else f"{share:,} of them"


def _place(groups: list[CodeGroup], count: int) -> str:
    """Where failures cluster: " (Gmail) at example.net", " at example.net" or ""."""
    providers = _tally(g.providers for g in groups)
    domains = _tally(dict(g.domains) for g in groups)
    place = ""
    provider = _most(providers)
    if provider and providers[provider] * 2 > count:
        place = f" ({provider})"
    domain = _most(domains)
    if domain and domains[domain] * 2 > count:
        place += f" at {domain}"
    return place


def _tally(maps: Iterable[dict[str, int]]) -> dict[str, int]:
    """The counts of several small maps added up."""
    total: dict[str, int] = {}
    for counts in maps:
        for key, count in counts.items():
            total[key] = total.get(key, 0) + count
    return total


def _notices(groups: list[CodeGroup]) -> str:
    """Sentences for spam complaints and auto-replies, which are not failures."""
    reasons = _tally(g.reasons for g in groups)
    out = ""
    for reason, (singular, plural, action) in _NOTICE_WORDS.items():
        count = reasons.get(reason, 0)
        if count:
            noun = singular if count == 1 else plural
            out += f" {count:,} {noun} — {action}."
    return out


def _also_transient(transient: list[CodeGroup]) -> str:
    """A second sentence about temporary failures, or "" when there are none."""
    count = sum(g.count for g in transient)
    if not count:
        return ""
    cause, _ = _cause(transient, count)
    return f" Also {count:,} temporary {_plural(count, 'failure')}{cause}."


def _plural(count: int, word: str) -> str:
    """The word, with an s unless count is 1."""
    return word if count == 1 else word + "s"
