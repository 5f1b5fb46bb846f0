"""Explanations of reply codes, enhanced status codes and pairs of them.

`explain` reads one token and raises QueryError when it cannot; `explain_pair` is
cached, never raises and is what log summaries call for every code group.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, replace

from bot.knowledge import table
from bot.knowledge.errors import QueryError
from bot.knowledge.records import CodeClass, Explanation, Retry, TableRow

logger = logging.getLogger(__name__)

# RFC 5321 s4.2: Reply-code = %x32-35 %x30-35 %x30-39.
REPLY_SHAPE = re.compile(r"[2-5][0-5]\d")
# RFC 3463 s2: class "." subject "." detail, 1-3 digits, no leading zeros.
ENHANCED_SHAPE = re.compile(r"([245])\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})")
_PAIR = re.compile(r"(\d{1,5})(?:-|\s+)(\d{1,3}\.\d{1,3}\.\d{1,3})")
_DOTTED3 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}")
_DOTTED2 = re.compile(r"\d{1,3}\.\d{1,3}")
_DIGITS = re.compile(r"\d+")
# Enhanced codes cited in a cause: "(5.1.1)", "(5.7.23 to 5.7.26)".
_CITED = re.compile(r"[245]\.\d{1,3}\.\d{1,3}(?: to [245]\.\d{1,3}\.\d{1,3})?")
_REPLY_CLASS = re.compile(r"[2-5]xx")
_ENHANCED_CLASS = re.compile(r"[245]\.x\.x")
# Look-alike characters typed for digits and dots: "55O", "5.1.l", "5,7,1".
_TYPOS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", ",": "."})

_LEADING = "#(\"'`*_"
_TRAILING = "?!,;.)\"'`*_:"

_CLASS_OF_DIGIT = {
    "2": CodeClass.SUCCESS,
    "3": CodeClass.INTERMEDIATE,
    "4": CodeClass.TRANSIENT,
    "5": CodeClass.PERMANENT,
}

# Success replies that accept a message or a recipient (RFC 5321 s4.2.2).
_DELIVERY_REPLIES = frozenset({"250", "251", "252"})

TABLE_LABEL = "Table vs standard: "
NOT_SMTP = (
    "Application code, not an SMTP reply: SMTP replies are three digits from 2xx "
    "to 5xx (RFC 5321 s4.2). It comes from the software or service that logged it."
)
STATUS_NOTES = {
    "non-standard": "No RFC defines this code; it comes from lists on the web, "
    "so read it with care.",
    "draft": "Only an Internet-Draft proposes this code; it is not a standard.",
    "experimental": "Only an experimental RFC defines this code; it is rare.",
    "registry": "RFC 5321 does not define this code; it appears only as an "
    "associated code in the enhanced status code registry (RFC 5248 s2.4).",
}
TWO_READINGS = (
    "Ambiguous code with two readings. As a reply code, {code} is {first}. "
    "With the dots put back it is {dotted}: {dotted_title}."
)
UNLISTED_REPLY = (
    "{code} is not a code any standard or common list defines; an unknown code "
    "is read by its first digit only (RFC 5321 s4.2): {klass}."
)
UNREGISTERED_DETAIL = (
    "The detail {detail} of {enhanced} is not in the IANA registry, so it is read "
    "by its class and subject (RFC 3463 s2): {title}."
)
VENDOR_DETAIL = (
    "Three-digit details are vendor-specific (Microsoft uses many); the "
    "provider's own documentation gives the exact meaning."
)
SUCCESS_SUBJECT = " It concerns {subject}."
UNKNOWN_SUBJECT = (
    "The subject {subject} of {enhanced} is not defined (subjects run from 0 to 7), "
    "so only its class tells anything: {title}."
)
MISMATCH = (
    "Class mismatch: reply {code} is a {reply_class} but {enhanced} says "
    "{enhanced_class}. RFC 2034 s4 requires them to agree; act on the reply code's "
    "first digit (RFC 5321 s4.2): {advice}"
)
# The action for a mismatched pair follows the reply code (RFC 5321 s4.2).
MISMATCH_ACTION = {
    CodeClass.SUCCESS: "Nothing to do: reply {code} means success, and the reply "
    "code decides (RFC 5321 s4.2). The enhanced code {enhanced} says "
    "{enhanced_class}, which points to a fault in the server's software.",
    CodeClass.INTERMEDIATE: "Nothing to fix: reply {code} asks for more input, and "
    "the reply code decides (RFC 5321 s4.2). Enhanced codes do not belong on a 3xx "
    "reply, so ignore {enhanced}.",
    CodeClass.TRANSIENT: "Let the queue retry: reply {code} is a transient failure, "
    "and the reply code decides (RFC 5321 s4.2). The enhanced code {enhanced} "
    "({title}) says {enhanced_class}; if the same reply keeps coming back, look "
    "into that.",
    CodeClass.PERMANENT: "Do not resend unchanged: reply {code} is a permanent "
    "failure, and the reply code decides (RFC 5321 s4.2). The enhanced code "
    "{enhanced} ({title}) says {enhanced_class}; read the reply text for what to "
    "fix before sending again.",
}
MISMATCH_ADVICE = {
    CodeClass.SUCCESS: "the command succeeded.",
    CodeClass.INTERMEDIATE: "the server is waiting for more input.",
    CodeClass.TRANSIENT: "retrying later is still right.",
    CodeClass.PERMANENT: "treat it as permanent.",
}
UNREADABLE_ENHANCED = "Could not read {enhanced!r} as an enhanced status code."
UNRECOGNISED_TITLE = "Unrecognised code"
UNRECOGNISED_MEANING = (
    "This is not a code smtpcode knows, and it does not have the shape of an SMTP "
    "reply (three digits, 2xx to 5xx) or of an enhanced status code (such as 5.1.1)."
)
UNRECOGNISED_ACTION = (
    "Look at the software or service that wrote it; its documentation defines it."
)

NO_CODE = "I found no SMTP code in that."
# RFC 5321 s4.2: Reply-code = %x32-35 %x30-35 %x30-39 -- three digits, the first
# 2 to 5 and the second 0 to 5.
BAD_SECOND_DIGIT = (
    "{code} is not a valid SMTP reply code: the second digit of a reply code runs "
    "only from 0 to 5 (RFC 5321 s4.2)."
)
BAD_FIRST_DIGIT = (
    "{code} is not an SMTP reply code: the first digit of a reply code is 2, 3, 4 "
    "or 5 (RFC 5321 s4.2), and it is not an application code I know."
)
BAD_LENGTH = (
    "{code} is not a code I know: SMTP reply codes have exactly three digits "
    "(RFC 5321 s4.2), and it is not an application code I know (such as Plex 9009)."
)
INCOMPLETE = (
    "{code} is incomplete: an enhanced status code has three numbers, such as {code}.1."
)
# RFC 3463 s2: class is 2, 4 or 5; subject and detail are 1 to 3 digits each,
# without leading zeros.
BAD_ENHANCED_CLASS = (
    "{code} is not an enhanced status code: its first number (the class) must be "
    "2, 4 or 5 (RFC 3463 s2), as in 5.1.1."
)
BAD_ENHANCED_PART = (
    "{code} is not an enhanced status code: the second and third numbers have one "
    "to three digits and no leading zeros (RFC 3463 s2), as in 5.1.1."
)
DID_YOU_MEAN = "{code} is not a code, but it looks like a typo: did you mean {fixed}?"
MAX_SUGGESTIONS = 5
_SHOWN = 16  # characters of a bad token repeated back in a message


@dataclass(frozen=True, slots=True)
class CodeToken:
    """One code as read from a query: a reply code, an enhanced code or both.

    `kind` is "reply", "enhanced", "pair", "class" ("5xx") or "enhanced-class"
    ("5.x.x"); `text` is the token as typed.
    """

    kind: str
    code: str | None
    enhanced: str | None
    text: str


def clean_token(text: str) -> str:
    """A token stripped of punctuation: "(550," -> "550", "#5.1.1" -> "5.1.1"."""
    return text.strip().lstrip(_LEADING).rstrip(_TRAILING)


def read_token(text: str) -> CodeToken | None:
    """Read one code-like token; None when it does not look like a code at all.

    Raises QueryError when it looks like a code but is not one ("99999", "4.7"),
    or is a code typed with look-alike characters ("55O", "5,7,1").
    """
    word = clean_token(text)
    lower = word.lower()
    if pair := _PAIR.fullmatch(word):
        code = _check_number(pair[1])
        return CodeToken("pair", code, _check_enhanced(pair[2]), word)
    if _REPLY_CLASS.fullmatch(lower):
        return CodeToken("class", lower, None, word)
    if _ENHANCED_CLASS.fullmatch(lower):
        return CodeToken("enhanced-class", None, lower, word)
    if _DOTTED3.fullmatch(word):
        return CodeToken("enhanced", None, _check_enhanced(word), word)
    if _DOTTED2.fullmatch(word):
        if word[0] in "245" and word[1] == ".":
            raise _problem(INCOMPLETE, word)
        raise _problem(BAD_ENHANCED_CLASS, word)
    if _DIGITS.fullmatch(word):
        return CodeToken("reply", _check_number(word), None, word)
    _check_typo(word)
    return None


def _check_number(digits: str) -> str:
    """A number that is a known code or has the shape of an SMTP reply, or raise."""
    if digits in table.replies() or REPLY_SHAPE.fullmatch(digits):
        return digits
    if len(digits) != 3:
        raise _problem(BAD_LENGTH, digits)
    if digits[0] not in "2345":
        raise _problem(BAD_FIRST_DIGIT, digits)
    shown = digits[:_SHOWN]
    message = BAD_SECOND_DIGIT.format(code=shown)
    raise QueryError(message, query=shown, suggestions=nearest_replies(digits))


def _check_enhanced(text: str) -> str:
    """A well-formed enhanced status code, or raise."""
    if ENHANCED_SHAPE.fullmatch(text):
        return text
    if text[0] not in "245" or text[1] != ".":
        raise _problem(BAD_ENHANCED_CLASS, text)
    raise _problem(BAD_ENHANCED_PART, text)


def _check_typo(word: str) -> None:
    """Raise "did you mean 550?" when a word is a code with look-alike characters."""
    if not any(ch.isdigit() for ch in word) or len(word) > _SHOWN:
        return
    fixed = word.translate(_TYPOS)
    if fixed == word:
        return
    try:
        token = read_token(fixed)
    except QueryError:
        return
    if token is not None:
        message = DID_YOU_MEAN.format(code=word, fixed=fixed)
        raise QueryError(message, query=word, suggestions=(fixed,))


def _problem(template: str, word: str) -> QueryError:
    """A QueryError for a code-like word, with the nearest known codes."""
    shown = word[:_SHOWN]
    return QueryError(
        template.format(code=shown), query=shown, suggestions=nearest_codes(word)
    )


def explain(code: str) -> Explanation:
    """Explain one token ("550", "5.7.26", "550 5.7.26", "5xx", "9009").

    Raises QueryError when the text is not a code we can read.
    """
    token = read_token(code)
    if token is None:
        raise QueryError(NO_CODE, query=code[:_SHOWN])
    return explain_token(token)


def explain_token(token: CodeToken, text: str = "") -> Explanation:
    """Explain a token read by read_token, refined by the reply `text` if any."""
    return replace(explain_pair(token.code, token.enhanced, text), query=token.text)


def explain_pair(code: str | None, enhanced: str | None, text: str = "") -> Explanation:
    """Explain a reply code, an enhanced code or both; never raises.

    Unknown codes get a fallback by class with known=False. With `text` (the
    server's reply) the reasons layer fills provider, reason and hard.
    """
    code = _tidy(code)
    enhanced = _tidy(enhanced)
    try:
        base = _base(code, enhanced)
    except Exception:
        logger.exception("explaining %r %r failed", code, enhanced)
        base = _unrecognised(code or enhanced or "")
    if text:
        base = _refine(base, text)
    return replace(base, extra=dict(base.extra))


def table_rows() -> tuple[TableRow, ...]:
    """The 28 rows of the embedded table, in order."""
    return table.seed_rows()


@functools.cache
def known_codes() -> tuple[str, ...]:
    """Every reply code we know (numeric order), then every registered enhanced code."""
    replies = sorted((c for c in table.replies() if c.isdigit()), key=int)
    enhanced = [
        f"{klass}.{info.key}"
        for (kind, _), info in table.enhanced().items()
        if kind == "detail"
        for klass in info.classes
    ]
    return tuple(replies) + tuple(sorted(enhanced, key=_natural))


def nearest_codes(text: str) -> tuple[str, ...]:
    """Known codes closest to a mistyped one, by prefix and edit distance."""
    word = text.strip().lower()[:_SHOWN]
    if not any(ch.isdigit() for ch in word):
        return ()
    dotted = "." in word
    pool = [c for c in known_codes() if ("." in c) == dotted]
    scored = []
    for cand in pool:
        score = _distance(word, cand)
        if cand.startswith(word) or word.startswith(cand):
            score = min(score, 1)
        if score <= 2:
            scored.append((score, cand[0] != word[0], _natural(cand), cand))
    scored.sort()
    return tuple(item[-1] for item in scored[:MAX_SUGGESTIONS])


def nearest_replies(digits: str) -> tuple[str, ...]:
    """Valid SMTP reply codes closest to a three-digit number ("599" -> 554...)."""
    pool = [
        code
        for code, info in table.replies().items()
        if REPLY_SHAPE.fullmatch(code) and info.code_class is not CodeClass.APPLICATION
    ]
    ranked = sorted(
        pool,
        key=lambda c: (
            c[0] != digits[0],
            _distance(digits, c),
            abs(int(c) - int(digits)),
            c,
        ),
    )
    return tuple(ranked[:MAX_SUGGESTIONS])


def _natural(code: str) -> tuple[int, ...]:
    """Sort key that orders 5.7.9 before 5.7.10."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def _distance(a: str, b: str) -> int:
    """Levenshtein distance between two short strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            )
        previous = current
    return previous[-1]


def _tidy(value: str | None) -> str | None:
    """Strip a code given by a caller; "" becomes None and "5XX" becomes "5xx"."""
    if value is None:
        return None
    value = value.strip()
    if _REPLY_CLASS.fullmatch(value.lower()) or _ENHANCED_CLASS.fullmatch(
        value.lower()
    ):
        value = value.lower()
    return value or None


@functools.lru_cache(maxsize=4096)
def _base(code: str | None, enhanced: str | None) -> Explanation:
    """The text-free explanation of a code pair (cached)."""
    reply = _reply_part(code) if code is not None else None
    enh = _enhanced_part(enhanced) if enhanced is not None else None
    if enhanced is not None and enh is None:
        if reply is None:
            return _unrecognised(enhanced)
        note = UNREADABLE_ENHANCED.format(enhanced=enhanced[:_SHOWN])
        return replace(reply, notes=(*reply.notes, note))
    if reply is not None and enh is not None:
        return _combine(reply, enh)
    return reply or enh or _unrecognised("")


def _reply_part(code: str) -> Explanation:
    """A reply code (or a class such as "5xx") on its own."""
    info = table.reply(code)
    if info is None:
        if REPLY_SHAPE.fullmatch(code):
            return _unlisted_reply(code)
        return _unrecognised(code)

    extra = {"status": info.status}
    if info.dotted:
        extra["dotted"] = info.dotted
    return Explanation(
        query=code,
        code=code,
        enhanced=None,
        code_class=info.code_class,
        title=info.title,
        standard=info.meaning,
        table=table.seed_by_code().get(code),
        causes=info.causes,
        action=info.action,
        retry=info.retry,
        related=info.related,
        rfc=info.rfc,
        notes=_reply_notes(info),
        extra=extra,
    )


def _reply_notes(info: table.ReplyInfo) -> tuple[str, ...]:
    """Labelled notes: table vs standard, not-SMTP, status, two readings."""
    notes = []
    if info.table_note:
        notes.append(TABLE_LABEL + info.table_note)
    if info.code_class is CodeClass.APPLICATION:
        if not info.table_note:  # a table note on such a code already says so
            notes.append(NOT_SMTP)
    elif info.status in STATUS_NOTES:
        notes.append(STATUS_NOTES[info.status])
    if info.dotted:
        notes.append(_two_readings(info))
    if info.note:
        notes.append(info.note)
    return tuple(notes)


def _two_readings(info: table.ReplyInfo) -> str:
    """The note for 511-style codes: reply-code reading, then dots put back."""
    dotted = _enhanced_part(info.dotted)
    dotted_title = dotted.title if dotted else ""
    registered = [r for r in info.related if r != info.dotted]
    if info.status == "non-standard":
        first = "not defined by any RFC, only by lists on the web"
    elif info.status == "registry" and registered:
        listed = _enhanced_part(registered[0])
        title = listed.title.lower() if listed else ""
        first = f"listed in the registry beside {registered[0]} ({title})"
    else:
        first = f"defined by {info.rfc} as: {info.title.lower()}"
    return TWO_READINGS.format(
        code=info.code, first=first, dotted=info.dotted, dotted_title=dotted_title
    )


def _unlisted_reply(code: str) -> Explanation:
    """A well-formed reply code that no list defines: read by its first digit."""
    klass = _reply_part(f"{code[0]}xx")
    note = UNLISTED_REPLY.format(code=code, klass=klass.title.lower())
    return replace(
        klass,
        query=code,
        code=code,
        related=(),
        notes=(note,),
        known=False,
        extra={"match": "class"},
    )


def _unrecognised(code: str) -> Explanation:
    """Something that is no code we know and has no code's shape."""
    return Explanation(
        query=code,
        code=code or None,
        enhanced=None,
        code_class=CodeClass.UNKNOWN,
        title=UNRECOGNISED_TITLE,
        standard=UNRECOGNISED_MEANING,
        action=UNRECOGNISED_ACTION,
        retry=Retry.UNKNOWN,
        known=False,
        extra={"match": "none"},
    )


def _enhanced_part(enhanced: str) -> Explanation | None:
    """An enhanced code on its own, falling back to subject and class; None if bad."""
    if _ENHANCED_CLASS.fullmatch(enhanced):
        return _enhanced_class(enhanced)
    shape = ENHANCED_SHAPE.fullmatch(enhanced)
    if shape is None:
        return None

    klass, subject, detail = shape.groups()
    class_info = table.enhanced_class(klass)
    subject_info = table.enhanced_subject(subject)
    detail_info = table.enhanced_detail(f"{subject}.{detail}")
    assert class_info is not None, "class rows 2, 4, 5 are in enhanced_codes.csv"

    notes: tuple[str, ...] = ()
    if detail_info is not None and klass == "2" and detail == "0":
        # The X.y.0 rows are worded for failures; with class 2 nothing failed and
        # the subject only says what the success concerns (RFC 3463 s2).
        info, match, title = class_info, "detail", detail_info.title
        meaning = class_info.meaning
        if subject_info is not None and subject != "0":
            meaning += SUCCESS_SUBJECT.format(subject=subject_info.title.lower())
    elif detail_info is not None:
        info, match, title = detail_info, "detail", detail_info.title
        meaning = detail_info.meaning
        notes = (detail_info.note,) if detail_info.note else ()
    elif subject_info is not None:
        info, match = subject_info, "subject"
        title = f"{class_info.title}: {subject_info.title.lower()}"
        meaning = f"{subject_info.meaning} {class_info.meaning}"
        notes = (
            UNREGISTERED_DETAIL.format(
                detail=detail, enhanced=enhanced, title=title.lower()
            ),
        )
        if len(detail) == 3:
            notes += (VENDOR_DETAIL,)
    else:
        info, match, title = class_info, "class", class_info.title
        meaning = class_info.meaning
        notes = (
            UNKNOWN_SUBJECT.format(
                subject=subject, enhanced=enhanced, title=title.lower()
            ),
        )

    return Explanation(
        query=enhanced,
        code=None,
        enhanced=enhanced,
        code_class=_CLASS_OF_DIGIT[klass],
        title=title,
        standard=meaning,
        causes=info.causes,
        action=info.action,
        retry=info.retry_for(klass),
        related=tuple(b for b in info.basic if REPLY_SHAPE.fullmatch(b)),
        rfc=(detail_info or info).rfc,
        notes=notes,
        enhanced_title=title,
        enhanced_meaning=meaning,
        known=match != "class",
        extra={
            "match": match,
            "status": info.status,
            "registry": f"X.{subject}.{detail}" if match == "detail" else "",
        },
    )


def _enhanced_class(enhanced: str) -> Explanation:
    """A whole enhanced class such as "5.x.x"."""
    klass = enhanced[0]
    info = table.enhanced_class(klass)
    assert info is not None, "class rows 2, 4, 5 are in enhanced_codes.csv"
    return Explanation(
        query=enhanced,
        code=None,
        enhanced=enhanced,
        code_class=_CLASS_OF_DIGIT[klass],
        title=info.title,
        standard=info.meaning,
        causes=info.causes,
        action=info.action,
        retry=info.retry_for(klass),
        rfc=info.rfc,
        enhanced_title=info.title,
        enhanced_meaning=info.meaning,
        extra={"match": "class", "status": info.status},
    )


def _combine(reply: Explanation, enh: Explanation) -> Explanation:
    """A reply code with its enhanced code: the reply decides class and retry.

    Causes and action come from the enhanced code first when the two agree; when
    their classes differ, the reply code decides (RFC 5321 s4.2) and the action
    says so.
    """
    detail = enh.extra.get("match") == "detail"
    mismatch = _mismatch(reply, enh)

    retry = reply.retry
    if detail and not mismatch and reply.code_class.is_failure:
        retry = enh.retry
    rfc = "; ".join(dict.fromkeys(p for p in (reply.rfc, enh.rfc) if p))

    notes = tuple(dict.fromkeys((*reply.notes, *enh.notes)))
    extra = {**reply.extra, **{f"enhanced_{k}": v for k, v in enh.extra.items()}}
    if mismatch:
        notes = (*notes, mismatch)
        extra["mismatch"] = "class"

    return replace(
        reply,
        query=f"{reply.code} {enh.enhanced}",
        enhanced=enh.enhanced,
        causes=_pair_causes(reply, enh, mismatch=bool(mismatch))[:6],
        action=_pair_action(reply, enh, mismatch=bool(mismatch)),
        retry=retry,
        related=_neighbours(enh)
        or tuple(r for r in reply.related if r != enh.enhanced),
        rfc=rfc,
        notes=notes,
        enhanced_title=enh.title,
        enhanced_meaning=enh.standard,
        known=reply.known and enh.known,
        extra=extra,
    )


def _neighbours(enh: Explanation, count: int = 4) -> tuple[str, ...]:
    """Registered details nearest a registered enhanced code, same class and subject.

    Beside "550 5.7.26" the useful neighbours are the other 5.7.x codes, not the
    5.1.x codes a bare 550 points to. Empty when the code is not a registered detail.
    """
    if enh.extra.get("match") != "detail" or enh.enhanced is None:
        return ()
    klass, subject, detail = enh.enhanced.split(".")
    found = [
        int(info.key.partition(".")[2])
        for (kind, _), info in table.enhanced().items()
        if kind == "detail"
        and info.key.partition(".")[0] == subject
        and klass in info.classes
        and info.key != f"{subject}.{detail}"
    ]
    nearest = sorted(sorted(found, key=lambda d: (abs(d - int(detail)), d))[:count])
    return tuple(f"{klass}.{subject}.{d}" for d in nearest)


def _pair_causes(
    reply: Explanation, enh: Explanation, *, mismatch: bool
) -> tuple[str, ...]:
    """The enhanced code's causes, then the reply's causes that fit it.

    A reply code's generic causes name other enhanced codes ("recipient does not
    exist (5.1.1)"); beside a registered detail only those citing that very code
    stay, beside a subject only those of the same subject or citing none.
    """
    if not reply.code_class.is_failure:
        return reply.causes
    if mismatch:
        return tuple(dict.fromkeys((*enh.causes, *reply.causes)))

    assert enh.enhanced is not None
    detail = enh.extra.get("match") == "detail"
    fitting = []
    for cause in reply.causes:
        cited = _CITED.findall(cause)
        if detail:
            fits = any(_cites(c, enh.enhanced) for c in cited)
        else:
            fits = all(c[2:4] == enh.enhanced[2:4] for c in cited)
        if fits:
            fitting.append(cause)
    if detail and not enh.causes:
        fitting = [c for c in reply.causes if not _CITED.search(c)] + fitting
    return tuple(dict.fromkeys((*enh.causes, *fitting)))


def _cites(cited: str, enhanced: str) -> bool:
    """Whether "5.7.1" or "5.7.23 to 5.7.26" (as cited in a cause) covers a code."""
    first, _, last = cited.partition(" to ")
    low, high = _natural(first), _natural(last or first)
    code = _natural(enhanced)
    return low[1:2] == code[1:2] and low[1:] <= code[1:] <= high[1:]


def _pair_action(reply: Explanation, enh: Explanation, *, mismatch: bool) -> str:
    """What to do: the enhanced code's action, or the reply's when they disagree."""
    if not reply.code_class.is_failure and not mismatch:
        return reply.action
    if mismatch:
        template = MISMATCH_ACTION.get(reply.code_class, "")
        return template.format(
            code=reply.code,
            enhanced=enh.enhanced,
            title=enh.title.lower(),
            enhanced_class=enh.code_class.value,
        )
    if enh.extra.get("match") == "detail" or not reply.action:
        return enh.action
    return reply.action


def _mismatch(reply: Explanation, enh: Explanation) -> str:
    """The class-mismatch note (RFC 2034 s4), or "" when the classes agree."""
    advice = MISMATCH_ADVICE.get(reply.code_class)
    if advice is None or not reply.code or not enh.enhanced:
        return ""
    if reply.code[0] == enh.enhanced[0]:
        return ""
    return MISMATCH.format(
        code=reply.code,
        reply_class=reply.code_class.value,
        enhanced=enh.enhanced,
        enhanced_class=enh.code_class.value,
        advice=advice,
    )


def _refine(base: Explanation, text: str) -> Explanation:
    """Add the reasons layer's verdict (provider, reason, hard) for a reply text."""
    # Imported here: reasons is only needed when there is reply text to read.
    from bot.knowledge.reasons import classify

    text = text.strip()[:2000]
    try:
        verdict = classify(base.code, base.enhanced, text)
    except Exception:
        logger.exception("classifying a %s reply failed", base.label)
        return replace(base, reply_text=text)

    provider = verdict.provider
    retry = provider.retry if provider is not None else base.retry
    notes = base.notes
    if provider is not None and provider.note:
        # The provider's note is shown with it; a code note about the same
        # provider says the same thing twice.
        notes = tuple(n for n in notes if provider.provider not in n)
    reason: str | None = verdict.reason or None
    hard: bool | None = verdict.hard
    if not base.code_class.is_failure:
        # A success is no bounce, and only a reply accepting a message or a
        # recipient means "delivered" (235 is a login, 221 a goodbye).
        hard = None
        if reason == "delivered" and base.code not in _DELIVERY_REPLIES:
            reason = None
    return replace(
        base,
        reply_text=text,
        provider=provider,
        reason=reason,
        hard=hard,
        retry=retry,
        notes=notes,
    )
