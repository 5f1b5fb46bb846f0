"""Fuzzing the faces people can reach: the query parser, the summarizer, Block Kit.

Random and adversarial text, mixed with real-looking log lines, must never raise,
must give bounded output within Slack's limits, and must never carry a Slack
control sequence, an ANSI escape or a NUL into what is rendered.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.errors import InputError
from bot.knowledge.query import MAX_CODES as QUERY_MAX_CODES
from bot.knowledge.query import MAX_PROBLEMS, parse_query
from bot.logs.reader import summarize
from bot.logs.source import MAX_LINE, open_lines, text_lines
from bot.logs.summary import EXAMPLES, MAX_CODES, SHOWN, Summary
from bot.render.blocks import (
    MAX_BLOCKS,
    check_blocks,
    explanation_blocks,
    problem_blocks,
    summary_blocks,
)
from bot.render.jsonout import explanation_dict, summary_dict
from bot.render.text import explanations_text, summary_text

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Everything Slack would act on if it reached a message unescaped.
HOSTILE = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<@W0ADMIN|admin>",
    "<#C1>",
    "<#C1|general>",
    "<!subteam^S1>",
    "<!subteam^S1|@oncall>",
    "<!date^1700000000^{date}|x>",
    "<https://evil.example|click>",
    "<http://evil.example>",
    "<mailto:ceo@example.com|ceo>",
    "&lt;!channel&gt;",
    "&amp;lt;!here&amp;gt;",
    "&lt;@U123&gt;",
    "<<!channel>>",
    "<!channel|@channel>",
    "*bold* _it_ ~gone~ `tick` ```fence```",
    "\x1b[31m",
    "\x1b[2J\x1b[H",
    "\x1b]0;owned\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x00",
    "\x07\x08\x7f",
    "\x9b31m",
    "\r",
    "\r\n",
    "\u202e",
    "\ufeff",
    "&",
    "<",
    ">",
    "&amp;",
    "```",
    "`",
    "x" * 5000,
)

SHORT_HOSTILE = tuple(h for h in HOSTILE if len(h) < 100)

REPLIES = (
    "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown {junk}",
    "451 4.7.1 Greylisted, try again later {junk}",
    "421 4.7.0 Try again later, closing connection {junk}",
    "552 5.2.2 Mailbox full {junk}",
    "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked {junk}",
    "550-5.7.26 Unauthenticated email is not accepted {junk}",
    "250 2.0.0 Ok: queued as 4AB1C2D3 {junk}",
    "{junk}",
)

TEMPLATES = (
    # Postfix delivery, deferral, bounce
    "Jan  1 10:00:0{n} mx postfix/smtp[1{n}]: 4A1B2C{n}D: to=<{rcpt}>, "
    "relay={host}[192.0.2.1{n}]:25, delay=1, delays=0/0/0/1, dsn={dsn}, "
    "status={status} (host {host}[192.0.2.1{n}] said: {reply} "
    "(in reply to RCPT TO command))",
    # Postfix smtpd NOQUEUE reject
    "Jan  1 10:00:0{n} mx postfix/smtpd[2{n}]: NOQUEUE: reject: RCPT from "
    "unknown[203.0.113.{n}]: {reply}; from=<a@example.org> to=<{rcpt}> "
    "proto=ESMTP helo=<{host}>",
    # Exim failure and deferral
    "2024-01-01 10:00:0{n} 1rAbCd-00012{n}-AB ** {rcpt} R=dnslookup T=remote_smtp "
    "H={host} [198.51.100.{n}]: SMTP error from remote mail server after "
    "RCPT TO:<{rcpt}>: {reply}",
    "2024-01-01 10:00:0{n} 1rAbCd-00012{n}-AB == {rcpt} R=dnslookup "
    "T=remote_smtp defer (-44) H={host} [198.51.100.{n}]: SMTP error from remote "
    "mail server after RCPT TO:<{rcpt}>: {reply}",
    # Sendmail
    "Jan  1 10:00:0{n} mx sm-mta[3{n}]: x01AbC{n}: to=<{rcpt}>, delay=00:00:01, "
    "mailer=esmtp, relay={host}. [192.0.2.3], dsn={dsn}, stat={reply}",
    # Bounce message fields (RFC 3464)
    "Final-Recipient: rfc822; {rcpt}",
    "Action: failed",
    "Status: {dsn}",
    "Diagnostic-Code: smtp; {reply}",
    "Remote-MTA: dns; {host}",
    # SMTP transcript
    ">>> RCPT TO:<{rcpt}>",
    "<<< {reply}",
    # Columns
    "timestamp,recipient,status,code,response",
    "2024-01-01T10:00:0{n}Z,{rcpt},{status},{code},{reply}",
    # Free text
    "host {host} said: {reply}",
    "{junk}",
)
STATUSES = ("sent", "deferred", "bounced", "expired", "{junk}")
DSNS = ("2.0.0", "4.7.1", "5.1.1", "5.7.26", "5.7.999", "9.9.9", "{junk}")
CODES = ("250", "451", "550", "0", "9009", "999", "{junk}")

_MENTION = re.compile(r"<[!@#]|<(?:https?|mailto):", re.IGNORECASE)
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- strategies ------------------------------------------------------------------

junk = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.lists(st.sampled_from(HOSTILE), max_size=4).map("".join),
    st.text(alphabet="<>&!@#|^`*_~\\[]{}\"'\x1b\x00\r\n;:=.0123456789", max_size=30),
)


@st.composite
def log_line(draw: st.DrawFn) -> str:
    """A real-looking log line with hostile fragments in its variable parts."""
    template = draw(st.sampled_from(TEMPLATES))
    values: dict[str, Any] = {
        "n": draw(st.integers(0, 9)),
        "rcpt": draw(st.sampled_from(("ann@example.com", "b.o+b@example.org")))
        if draw(st.booleans())
        else draw(junk) + "@example.net",
        "host": draw(st.sampled_from(("mx.example.net", "mx1.example.org")))
        if draw(st.booleans())
        else draw(junk),
        "reply": draw(st.sampled_from(REPLIES)),
        "status": draw(st.sampled_from(STATUSES)),
        "dsn": draw(st.sampled_from(DSNS)),
        "code": draw(st.sampled_from(CODES)),
        "junk": draw(junk),
    }
    line = template
    for _ in range(2):  # a reply or status may hold {junk} or {rcpt} itself
        line = line.replace("{reply}", str(values["reply"]))
        for key in ("status", "dsn", "code"):
            line = line.replace("{" + key + "}", str(values[key]))
    for key in ("n", "rcpt", "host", "junk"):
        line = line.replace("{" + key + "}", str(values[key]))
    return line


@st.composite
def esp_json_line(draw: st.DrawFn) -> str:
    """A mail service's event as one JSON line, hostile text inside its strings."""
    event = {
        "event": draw(st.sampled_from(("bounce", "dropped", "deferred", "delivered"))),
        "email": draw(st.sampled_from(("ann@example.com", "x@example.org"))),
        "reason": draw(st.sampled_from(REPLIES)).replace("{junk}", draw(junk)),
        "status": draw(st.sampled_from(DSNS)).replace("{junk}", draw(junk)),
    }
    return json.dumps(event, ensure_ascii=draw(st.booleans()))


def pasted(max_lines: int = 25) -> st.SearchStrategy[str]:
    """A paste: log lines, JSON events, hostile fragments and noise, mixed."""
    line = st.one_of(log_line(), esp_json_line(), junk, st.text(max_size=80))
    ending = st.sampled_from(("\n", "\r\n", "\r"))
    return st.tuples(st.lists(line, max_size=max_lines), ending).map(
        lambda parts: parts[1].join(parts[0])
    )


@st.composite
def raw_bytes(draw: st.DrawFn) -> bytes:
    """A file's bytes: a paste encoded, maybe damaged, maybe gzipped."""
    data = draw(pasted()).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        noise = draw(st.binary(max_size=64))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + noise + data[at:]
    prefix = draw(st.sampled_from((b"", b"\xef\xbb\xbf", b"\xc3\x28", b"\xff")))
    data = prefix + data
    if draw(st.booleans()):
        data = gzip.compress(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return data


# --- checks ----------------------------------------------------------------------


def _strings(value: object) -> Iterator[tuple[str, str]]:
    """(key, string) for every string anywhere in a JSON-like value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield str(key), item
            else:
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def assert_safe_blocks(blocks: list[dict[str, Any]]) -> None:
    """Valid Block Kit within limits, nothing Slack would act on, no controls."""
    assert check_blocks(blocks) == []
    assert 1 <= len(blocks) <= MAX_BLOCKS
    assert len(json.dumps(blocks)) < 60_000
    for key, text in _strings(blocks):
        assert "\x1b" not in text and "\x00" not in text, (key, text[:80])
        if key == "value":
            continue  # a button value is sent back to us, never shown or parsed
        assert not _MENTION.search(text), (key, text[:200])
        if key == "text":
            # every < and > a person could have typed is an entity by now
            assert "<" not in text and ">" not in text, text[:200]


def assert_terminal_safe(text: str) -> None:
    """Terminal output carries no escape, NUL or other control character."""
    assert not _TERMINAL_CONTROL.search(text), repr(_TERMINAL_CONTROL.search(text))


def assert_json_clean(value: object) -> None:
    """JSON output survives a round trip and its strings hold no ESC or NUL."""
    assert json.loads(json.dumps(value)) == value
    for key, text in _strings(value):
        assert "\x1b" not in text and "\x00" not in text, (key, text[:80])


def check_summary(summary: Summary, lines: int) -> None:
    """Bounds a summary keeps whatever it read, and its three renderings."""
    assert summary.lines_read == lines
    assert len(summary.groups) <= MAX_CODES
    counted = sum(g.count for g in summary.groups)
    assert counted <= summary.events
    if not summary.other_codes:
        assert counted == summary.events
    for group in summary.groups:
        assert group.count >= 1
        assert len(group.examples) <= EXAMPLES
        assert len(group.domains) <= SHOWN and len(group.hosts) <= SHOWN
        assert all(len(example) <= MAX_LINE for example in group.examples)

    assert_safe_blocks(summary_blocks(summary, title="maillog <!channel> \x1b[1m"))
    text = summary_text(summary)
    assert_terminal_safe(text)
    assert len(text) < 2_000 + 1_000 * len(summary.groups)
    assert_json_clean(summary_dict(summary))


# --- the query parser ------------------------------------------------------------


@FUZZ
@given(st.one_of(pasted(4), junk, st.text(max_size=300)), st.booleans())
def test_parse_query_on_random_text_gives_bounded_safe_replies(
    text: str, share: bool
) -> None:
    query = parse_query(text)

    assert len(query.explanations) <= QUERY_MAX_CODES
    assert len(query.problems) <= MAX_PROBLEMS
    if not query.looks_like_log:
        assert query.explanations or query.problems
    assert_safe_blocks(
        explanation_blocks(query.explanations, query.problems, share=share)
    )
    rendered = explanations_text(query.explanations, query.problems)
    assert_terminal_safe(rendered)
    assert len(rendered) < 3_000 * (len(query.explanations) + len(query.problems) + 1)
    assert_json_clean([explanation_dict(e) for e in query.explanations])


@FUZZ
@given(st.lists(st.sampled_from(SHORT_HOSTILE), min_size=1, max_size=6), st.booleans())
def test_parse_query_of_reply_line_never_echoes_a_mention(
    fragments: list[str], share: bool
) -> None:
    text = "host mx.example.net said: 550 5.7.1 " + " ".join(fragments)

    query = parse_query(text)

    assert [e.label for e in query.explanations] == ["550 5.7.1"]
    assert_safe_blocks(
        explanation_blocks(query.explanations, query.problems, share=share)
    )
    assert_terminal_safe(explanations_text(query.explanations, query.problems))


# --- the summarizer --------------------------------------------------------------


@FUZZ
@given(pasted())
def test_summarize_pasted_text_stays_bounded_and_renders_safely(text: str) -> None:
    lines = list(text_lines(text))

    summary = summarize(iter(lines))

    check_summary(summary, len(lines))
    for line in lines:
        assert "\x1b" not in line and "\x00" not in line and "\r" not in line


@FUZZ
@given(raw_bytes())
def test_summarize_file_bytes_raises_only_input_errors(data: bytes) -> None:
    try:
        lines = list(open_lines(data, name="fuzz.log"))
    except InputError as error:
        assert error.kind in {"empty", "binary", "unreadable", "bomb", "too_big"}
        assert error.name == "fuzz.log"
        return

    summary = summarize(iter(lines))

    check_summary(summary, len(lines))
    assert all(len(line) <= MAX_LINE for line in lines)


@FUZZ
@given(st.lists(log_line(), min_size=1, max_size=300))
def test_summarize_many_lines_keeps_every_block_within_limits(lines: list[str]) -> None:
    text = "\n".join(lines)

    summary = summarize(text_lines(text))

    check_summary(summary, len(list(text_lines(text))))


# --- the problem renderer ----------------------------------------------------------


@FUZZ
@given(st.one_of(junk, st.text(min_size=1, max_size=4000), pasted(8)))
def test_problem_blocks_escape_any_text(text: str) -> None:
    blocks = problem_blocks(text + " fix this")

    assert_safe_blocks(blocks)
    assert blocks[0]["text"]["text"].endswith(("fix this", "…"))
