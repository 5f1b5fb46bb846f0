"""Reading what people type or paste into codes to explain.

Forgiving by design: "451", "550-5.7.26", "smtp; 550 5.1.1", "5xx", several codes,
or a whole pasted reply line. Bad input becomes QueryError problems, never a raise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.knowledge import table
from bot.knowledge.errors import QueryError
from bot.knowledge.lookup import (
    NO_CODE,
    CodeToken,
    clean_token,
    explain_token,
    read_token,
)
from bot.knowledge.records import CodeClass, Explanation

logger = logging.getLogger(__name__)

MAX_CHARS = 4000
MAX_CODES = 10
MAX_PROBLEMS = 5
MAX_REPLY_TEXT = 1000

EMPTY = "The query is empty."
TOO_LONG = (
    "That is too long to read as codes ({size} characters); send it as a log to "
    "summarize instead."
)
TOO_MANY = "That holds more than {limit} codes; I explained the first {limit}."


def _word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a constant, as a set."""
    return frozenset(text.split())


# Words a question may hold around its codes: "what does 550 5.7.1 mean?"
FILLER = _word_set(
    """what whats what's is are does do did mean means meaning code codes error
    errors err smtp esmtp reply replies status and or the a an vs versus explain
    plex about of for me please this that these i got get getting help with to in
    on response responses enhanced"""
)
# Words after which a bare application code ("error 9009") is taken as a code.
CODE_WORDS = _word_set("code error err status plex result")
# key=value fields whose value may be a code (Postfix dsn=, JSON-ish code=).
CODE_KEYS = _word_set("dsn status code reply reply_code smtp_code response_code")
_HEADER_WORDS = _word_set(
    """timestamp time date datetime status code recipient sender to from email event
    reason message message_id subject id type bounce domain response dsn smtp
    diagnostic"""
)

_SPLIT = re.compile(r"[\s;]+")
_COMMAS = re.compile(r",+")
# "5,7,1" is kept whole so that it can be offered back as 5.7.1.
_COMMA_DOTTED = re.compile(r"[245],\d{1,3},\d{1,3}")
_DIGIT = re.compile(r"\d")
_KEYED = re.compile(r"([A-Za-z_]+)=(\S+)")
_CONTINUATION = re.compile(r"(\d{3})-(\D.*)")
_MENTION = re.compile(r"<[@#!][^>]*>")
# ANSI escape sequences and control characters other than tab and line breaks: a
# terminal would obey them if a reply line were echoed with them.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LOG_MARKERS = re.compile(
    r"""
    \d{4}-\d{2}-\d{2}[T\s]\d{2}:\d{2}              # ISO 8601 date and time
    | \b\d{1,2}:\d{2}:\d{2}\b                       # clock time (syslog, Exim)
    | \b(?:status|dsn|relay|delays?|ctladdr|msgid|from|to)=      # Postfix fields
    | \b(?:postfix|sendmail|exim|opendkim|amavis)\S*[\[/:]     # program tags
    | (?:^|\s)(?:\*\*|==|=>|->|<=)\s                # Exim delivery flags
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Query:
    """What a query held: explanations, problems, and whether it is really a log."""

    explanations: tuple[Explanation, ...] = ()
    problems: tuple[QueryError, ...] = ()
    looks_like_log: bool = False


@dataclass(frozen=True, slots=True)
class _Unit:
    """One code to explain, with the reply line it came from ("" for questions)."""

    token: CodeToken
    reply_text: str


def parse_query(text: str) -> Query:
    """Read every code in `text` and explain it; never raises."""
    try:
        return _parse(text)
    except Exception:
        logger.exception("reading a query failed")
        return Query(problems=(QueryError(NO_CODE),))


def looks_like_log(text: str) -> bool:
    """True when text has several lines or looks like a log line, JSON or CSV."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        return True
    if not lines:
        return False
    line = lines[0].strip()
    if line.startswith(("{", "[{", '["')):
        return True
    return bool(_LOG_MARKERS.search(line)) or _is_csv_header(line)


def _is_csv_header(line: str) -> bool:
    """A comma-separated line with at least two header-like field names."""
    fields = [f.strip().strip("\"'").lower().replace(" ", "_") for f in line.split(",")]
    if len(fields) < 3:
        return False
    return sum(f in _HEADER_WORDS for f in fields) >= 2


def _parse(text: str) -> Query:
    """parse_query without the safety net."""
    if not text.isprintable():
        text = _CONTROL.sub(" ", _ANSI.sub("", text))
    if not text.strip():
        return Query(problems=(QueryError(EMPTY),))
    if len(text) > MAX_CHARS:
        if looks_like_log(text[:MAX_CHARS]):
            return Query(looks_like_log=True)
        return Query(problems=(QueryError(TOO_LONG.format(size=len(text))),))

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    words = [_words(line) for line in lines]
    question = all(_is_question_word(w) for line_words in words for w in line_words)

    units: list[_Unit] = []
    problems: list[QueryError] = []
    for line, line_words in zip(lines, words, strict=True):
        reply_text = "" if question else line[:MAX_REPLY_TEXT]
        tokens = _line_tokens(line_words, question, problems)
        units.extend(_Unit(t, reply_text) for t in _pair_up(tokens, question))

    return _finish(units, problems, log=not question and looks_like_log(text))


def _finish(units: list[_Unit], problems: list[QueryError], *, log: bool) -> Query:
    """Drop repeats, cap the count, explain, and say why when nothing was found."""
    units = _unique(units)
    if len(units) > MAX_CODES:
        units = units[:MAX_CODES]
        problems.append(QueryError(TOO_MANY.format(limit=MAX_CODES)))
    explanations = tuple(explain_token(u.token, u.reply_text) for u in units)

    unique_problems = list({p.problem: p for p in problems}.values())[:MAX_PROBLEMS]
    if not explanations and not unique_problems and not log:
        unique_problems = [QueryError(NO_CODE)]
    return Query(explanations, tuple(unique_problems), looks_like_log=log)


def _words(line: str) -> list[str]:
    """A line split into words, with "dsn=5.1.1" and "550-Mailbox" opened up."""
    words = []
    for raw in _pieces(line):
        keyed = _KEYED.fullmatch(raw)
        if keyed and keyed[1].lower() in CODE_KEYS:
            words.append(keyed[2])
            continue
        continuation = _CONTINUATION.fullmatch(raw)
        if continuation:
            words.extend(continuation.groups())
            continue
        words.append(raw)
    return _join_spaced_digits(words)


def _pieces(line: str) -> Iterator[str]:
    """A line split at spaces, semicolons and commas, except inside "5,7,1"."""
    for chunk in _SPLIT.split(line):
        if _COMMA_DOTTED.fullmatch(chunk.strip("()[]\"'")):
            yield chunk
            continue
        yield from (part for part in _COMMAS.split(chunk) if part)


def _join_spaced_digits(words: list[str]) -> list[str]:
    """Three lone digits in a row, "5 9 9", read as the one code "599"."""
    digits = [bool(_DIGIT.fullmatch(clean_token(w))) for w in words] + [False]
    joined: list[str] = []
    i = 0
    while i < len(words):
        before = i > 0 and digits[i - 1]
        if digits[i : i + 3] == [True] * 3 and not digits[i + 3] and not before:
            joined.append("".join(clean_token(w) for w in words[i : i + 3]))
            i += 3
            continue
        joined.append(words[i])
        i += 1
    return joined


def _is_question_word(word: str) -> bool:
    """A word that fits a plain question: a code (good or bad), filler, a mention."""
    if _MENTION.fullmatch(word) or clean_token(word).lower() in FILLER:
        return True
    if not clean_token(word):
        return True
    try:
        return read_token(word) is not None
    except QueryError:
        return True


def _line_tokens(
    words: list[str], question: bool, problems: list[QueryError]
) -> list[tuple[int, CodeToken]]:
    """The code tokens of one line with their word positions.

    In a question every code-like word counts and a bad one is a problem; in a
    pasted reply or log line only plausible codes count and the rest is ignored.
    """
    found = []
    for index, word in enumerate(words):
        try:
            token = read_token(word)
        except QueryError as error:
            if question:
                problems.append(error)
            continue
        if token is None:
            continue
        if question or _plausible(token, words, index):
            found.append((index, token))
    return found


def _plausible(token: CodeToken, words: list[str], index: int) -> bool:
    """Whether a number inside free text is really a code and not a size or count.

    Application codes (0, 1, 9009, Mailgun 605...) count only after a word such as
    "error" or "code"; anything with an SMTP reply's shape counts as is.
    """
    if token.kind != "reply" or token.code is None:
        return True
    info = table.reply(token.code)
    if info is None or info.code_class is not CodeClass.APPLICATION:
        return len(token.code) == 3
    before = clean_token(words[index - 1]).lower() if index else ""
    return before in CODE_WORDS


def _pair_up(tokens: list[tuple[int, CodeToken]], question: bool) -> list[CodeToken]:
    """Join a reply code with the enhanced code right after it ("452 4.2.2")."""
    units = []
    i = 0
    while i < len(tokens):
        index, token = tokens[i]
        if i + 1 < len(tokens):
            next_index, following = tokens[i + 1]
            adjacent = next_index == index + 1
            if adjacent and _pairable(token, following, question, len(tokens)):
                text = f"{token.text} {following.text}"
                units.append(CodeToken("pair", token.code, following.enhanced, text))
                i += 2
                continue
        units.append(token)
        i += 1
    return units


def _pairable(
    reply: CodeToken, enhanced: CodeToken, question: bool, count: int
) -> bool:
    """Whether two neighbours form one reply.

    In a reply line they always do (a mismatch is then flagged). In a typed list of
    three or more codes, "421 550 4.7.1", only codes of the same class are joined.
    """
    if reply.kind != "reply" or enhanced.kind != "enhanced":
        return False
    if reply.code is None or enhanced.enhanced is None:
        return False
    if not question or count == 2:
        return True
    return reply.code[0] == enhanced.enhanced[0]


def _unique(units: list[_Unit]) -> list[_Unit]:
    """Each code once; a lone code also given inside a pair is dropped."""
    paired_codes = {u.token.code for u in units if u.token.kind == "pair"}
    paired_enhanced = {u.token.enhanced for u in units if u.token.kind == "pair"}
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for unit in units:
        token = unit.token
        key = (token.code, token.enhanced)
        if key in seen:
            continue
        if token.kind == "reply" and token.code in paired_codes:
            continue
        if token.kind == "enhanced" and token.enhanced in paired_enhanced:
            continue
        seen.add(key)
        kept.append(unit)
    return kept
