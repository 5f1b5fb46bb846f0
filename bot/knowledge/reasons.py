"""Bounce reasons: sort one server reply into a reason ops people can act on.

Reason names follow Sisimai's taxonomy so results compare with its labels. The
taxonomy, the code defaults and the text rules are data files loaded once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.knowledge.providers import match_lowered
from bot.knowledge.records import ProviderReply, Retry
from bot.knowledge.table import data_rows

__all__ = [
    "ReasonInfo",
    "Verdict",
    "canonical_reason",
    "classify",
    "reason_info",
    "reason_names",
    "sisimai_reason",
]

# Text rules at these levels beat the code tables; later levels only fill gaps.
_STRONG_LEVELS = (1, 2, 3)
_WEAK_LEVELS = (4,)

# (text reason, status reason) pairs where the enhanced code is the better witness:
# "User unknown" after DATA may be a filter speaking, unless the code says 5.1.1.
_STATUS_BEATS_TEXT = frozenset({(1, "filtered", "userunknown")})

# A success that is no delivery (220, 221, 235, 334, 354) is marked "undefined" in
# reason_codes.csv; its verdict has no reason and these words instead.
_NOT_DELIVERY = (
    "not a delivery outcome",
    "Nothing to do; this reply answers a command such as a greeting, a login or "
    "a data prompt, not a delivery.",
)

# Replies longer than this are cut to their head and tail before matching and
# caching: the reason sits near the start, provider trace tags near the end.
_HEAD = 400
_TAIL = 100

# A multi-line reply folded onto one line repeats "550-5.7.1" inside its sentences
# (RFC 5321 s4.2.1); dropping the repeats lets phrases match across the folds.
_FOLD = re.compile(r"(?<=\s)[245]\d\d[- ](?:[245]\.\d{1,3}\.\d{1,3}\s)?")


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    """One reason of the taxonomy, as written in data/reasons.csv.

    `hard` is "yes", "no", or "permanent" (hard only under a permanent code).
    `sisimai` is the Sisimai reason for one of our finer reasons ("greylisted" is
    reported by Sisimai as "ratelimited"), else the name itself.
    """

    name: str
    label: str
    hard: str
    retry: Retry
    action: str
    aliases: tuple[str, ...] = ()
    sisimai: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why one reply failed (or not), whether the address is bad, and what next.

    `basis` says which layer decided: "provider", "text", "status", "reply",
    "success" or "fallback". `reason` is "" for a success that is no delivery
    outcome (a 220 greeting, a 235 login, a 354 prompt): there is nothing to sort.
    A fallback is Sisimai's "onhold" (text that says nothing we know) or
    "undefined" (no text): --json and --events keep these labels for comparison
    with Sisimai, and the renderers for people leave them out.
    """

    reason: str
    hard: bool
    provider: ProviderReply | None
    retry: Retry
    label: str
    action: str = ""
    basis: str = "fallback"


@dataclass(frozen=True, slots=True)
class _Rules:
    """The taxonomy, the code table and the compiled text rules."""

    reasons: dict[str, ReasonInfo]
    aliases: dict[str, str]
    codes: dict[str, str]
    levels: dict[int, tuple[re.Pattern[str], tuple[str, ...]]]


def classify(code: str | None, enhanced: str | None, text: str) -> Verdict:
    """Classify one reply: a provider row, then text rules, then the code tables.

    A 2xx or 3xx reply is "delivered" only when it accepts a message or a
    recipient (250, 251, a bare 2.x.x status); a greeting, login or prompt has
    no reason (""). Cheap for these and for repeated replies; never raises.
    """
    if _is_success(code, enhanced):
        return _success(_success_reason(code, enhanced))
    return _classify(code, enhanced, _normalize(text))


def reason_info(name: str) -> ReasonInfo:
    """The taxonomy entry for a reason or one of its older names.

    Raises KeyError for a name that is not in the taxonomy.
    """
    rules = _rules()
    return rules.reasons[rules.aliases.get(name, name)]


def canonical_reason(name: str) -> str:
    """Today's name for a reason: "mesgtoobig" -> "emailtoolarge"."""
    return _rules().aliases.get(name, name)


def sisimai_reason(name: str) -> str:
    """The Sisimai reason that ours compares with: "greylisted" -> "ratelimited"."""
    info = reason_info(name)
    return info.sisimai or info.name


def reason_names() -> tuple[str, ...]:
    """Every reason in the taxonomy, in file order."""
    return tuple(_rules().reasons)


def _normalize(text: str) -> str:
    """Lower case, single spaces, head and tail of a long reply."""
    if len(text) > _HEAD + _TAIL:
        text = f"{text[:_HEAD]} {text[-_TAIL:]}"
    return " ".join(text.lower().split())


@functools.lru_cache(maxsize=8192)
def _classify(code: str | None, enhanced: str | None, lowered: str) -> Verdict:
    """The cached body of classify, on normalized text."""
    lowered = _FOLD.sub("", lowered)
    provider = match_lowered(lowered, code, enhanced) if lowered else None
    if provider is not None and provider.reason:
        return _verdict(provider.reason, code, enhanced, provider, "provider")

    found, level = _text_match(lowered, _STRONG_LEVELS)
    if found:
        status = _status_reason(enhanced)
        if status and (level, found, status) in _STATUS_BEATS_TEXT:
            return _verdict(status, code, enhanced, provider, "status")
        return _verdict(found, code, enhanced, provider, "text")

    found = _status_reason(enhanced)
    if found:
        return _verdict(found, code, enhanced, provider, "status")

    found = _text_reason(lowered, _WEAK_LEVELS)
    if found:
        return _verdict(found, code, enhanced, provider, "text")

    found = _reply_reason(code)
    if found:
        return _verdict(found, code, enhanced, provider, "reply")

    fallback = "onhold" if lowered else "undefined"
    return _verdict(fallback, code, enhanced, provider, "fallback")


def _verdict(
    reason: str,
    code: str | None,
    enhanced: str | None,
    provider: ProviderReply | None,
    basis: str,
) -> Verdict:
    """Build the verdict: hard and retry follow the reason and the code class."""
    info = reason_info(reason)
    first = (code or enhanced or "?")[0]

    hard = info.hard == "yes" or (info.hard == "permanent" and first != "4")
    if provider is not None and provider.reason:
        retry = provider.retry
    elif info.retry is Retry.NOT_NEEDED or first != "4":
        retry = info.retry
    else:
        # RFC 5321 s4.2.1: a 4yz reply means the same command may succeed later.
        retry = Retry.YES

    action = provider.fix if provider is not None and provider.fix else info.action
    return Verdict(info.name, hard, provider, retry, info.label, action, basis)


@functools.cache
def _success(reason: str) -> Verdict:
    """The verdict of a 2xx/3xx reply, without looking at its text."""
    if reason == "delivered":
        return _verdict(reason, "2", None, None, "success")
    label, action = _NOT_DELIVERY
    return Verdict("", False, None, Retry.NOT_NEEDED, label, action, "success")


def _is_success(code: str | None, enhanced: str | None) -> bool:
    """True for a 2xx or 3xx reply, or a 2.x.x status when there is no reply code."""
    if code:
        return len(code) == 3 and code[0] in "23"
    return bool(enhanced) and enhanced is not None and enhanced.startswith("2.")


def _success_reason(code: str | None, enhanced: str | None) -> str:
    """ "delivered" or "undefined" (no delivery) from reason_codes.csv."""
    codes = _rules().codes
    found = codes.get(enhanced) if enhanced else None
    if found is None and code:
        found = codes.get(code) or codes.get(f"{code[0]}**")
    if found is None and enhanced:
        found = codes.get(f"{enhanced[0]}.*.*")
    return found or "undefined"


def _text_reason(lowered: str, levels: tuple[int, ...]) -> str | None:
    """The reason of the first text rule that matches, by level then position."""
    return _text_match(lowered, levels)[0]


def _text_match(lowered: str, levels: tuple[int, ...]) -> tuple[str | None, int]:
    """(reason, level) of the first text rule that matches; (None, 0) if none."""
    if not lowered:
        return None, 0
    rules = _rules()
    for level in levels:
        pattern, names = rules.levels[level]
        found = pattern.search(lowered)
        if found is not None and found.lastindex is not None:
            return names[found.lastindex - 1], level
    return None, 0


def _status_reason(enhanced: str | None) -> str | None:
    """The reason the enhanced-code table gives: exact code, else its subject."""
    if not enhanced:
        return None
    codes = _rules().codes
    cls, _, rest = enhanced.partition(".")
    subject = rest.partition(".")[0]
    return (
        codes.get(enhanced)
        or codes.get(f"{cls}.{subject}.*")
        or codes.get(f"{cls}.*.*")
    )


def _reply_reason(code: str | None) -> str | None:
    """The reason the reply-code table gives: exact code, else its class."""
    if not code:
        return None
    codes = _rules().codes
    return codes.get(code) or codes.get(f"{code[0]}**")


@functools.cache
def _rules() -> _Rules:
    """Load the three reason files once and compile the text rules."""
    reasons: dict[str, ReasonInfo] = {}
    aliases: dict[str, str] = {}
    for row in data_rows("reasons.csv"):
        info = ReasonInfo(
            name=row["reason"],
            label=row["label"],
            hard=row["hard"],
            retry=Retry[row["retry"].upper()],
            action=row["action"],
            aliases=tuple(filter(None, row["aliases"].split("|"))),
            sisimai=row["sisimai"],
        )
        reasons[info.name] = info
        aliases.update(dict.fromkeys(info.aliases, info.name))

    codes = {row["code"]: row["reason"] for row in data_rows("reason_codes.csv")}
    by_level: dict[int, list[tuple[str, str]]] = {}
    for row in data_rows("reason_patterns.csv"):
        by_level.setdefault(int(row["level"]), []).append(
            (row["reason"], row["pattern"])
        )

    levels = {level: _compile(pairs) for level, pairs in by_level.items()}
    for level in _STRONG_LEVELS + _WEAK_LEVELS:
        levels.setdefault(level, (re.compile("(?!)"), ()))
    return _Rules(reasons, aliases, codes, levels)


def _compile(pairs: list[tuple[str, str]]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One regex per level; group n (1-based) belongs to rule n of the level."""
    joined = "|".join(f"({pattern})" for _, pattern in pairs)
    return re.compile(joined), tuple(reason for reason, _ in pairs)
