"""Our bounce reasons measured against the labelled bounces of the Sisimai project.

Two measurements: classify() on the Status and Diagnostic-Code this test pulls out
of each message itself, and the full reader (bot.logs.reader) once it parses
bounces. Both print their agreement; the floors only ever go up.
"""

from __future__ import annotations

import csv
import email
import email.policy
import re
from collections import Counter
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from bot.knowledge.reasons import (
    canonical_reason,
    classify,
    reason_names,
    sisimai_reason,
)
from tests.corpus import corpus_path

REASON_FLOOR = 0.85
# The full reader (formats, then classify on each event); measured 87.5%.
READER_REASON_FLOOR = 0.87

# A label and our answer agree when both name the same thing:
# - Sisimai renamed reasons over time (mesgtoobig and exceedlimit are now
#   emailtoolarge, toomanyconn and speeding are ratelimited): reasons.csv lists
#   the old names as aliases and canonical_reason() maps them;
# - some of our reasons are finer than Sisimai's ("greylisted" is a kind of
#   ratelimited): reasons.csv names the Sisimai reason in its sisimai column.
# Keys below are further labels, values the answers we accept for them.
SYNONYMS: dict[str, frozenset[str]] = {
    # Go Sisimai says failedstarttls where the Perl one says securityerror.
    "securityerror": frozenset({"securityerror", "failedstarttls"}),
}

# Labels we believe are Sisimai's mistake, with our reason and why. Files here
# are counted as agreeing only when we give the reason written here.
NXDOMAIN = "the MX lookup answered NXDOMAIN: the domain does not exist"
SISIMAI_MISTAKES: dict[str, tuple[str, str]] = {
    "rfc3464-01.eml": (
        "userunknown",
        "the reply is 550 5.1.1 User Unknown; nothing in it says the mailbox is full",
    ),
    "lhost-dragonfly-18.eml": (
        "policyviolation",
        "the reply says Policy violation, and Sisimai has had that reason since 4.22",
    ),
    "lhost-amavis-03.eml": (
        "spamdetected",
        "amavis ends a spam verdict with '- SPAM'; Sisimai labels the same words "
        "spamdetected in lhost-exim-55",
    ),
    "rhost-gsuite-04.eml": ("hostunknown", NXDOMAIN),
    "rhost-gsuite-05.eml": ("hostunknown", NXDOMAIN),
    "rfc3464-53.eml": ("hostunknown", NXDOMAIN),
    "rhost-franceptt-07.eml": (
        "ratelimited",
        "Orange's code 999 means the sender is rate limited for its behaviour",
    ),
    "lhost-sendmail-48.eml": (
        "userunknown",
        "Postfix writes 'Recipient address rejected: User unknown' only at RCPT TO, "
        "so the recipient does not exist",
    ),
    "rfc3464-04.eml": (
        "mailererror",
        "the failing recipient is a pipe to procmail; a local delivery program that "
        "fails is mailererror by Sisimai's own definition, not a remote system error",
    ),
}

_CODE = re.compile(r"(?<![\d.])([245]\d\d)(?:[ -]|$)")
_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)")
# Where a non-DSN bounce starts quoting the original message.
_QUOTE_START = re.compile(
    r"^(?:-+ ?(?:original message|this is a copy|below this line|the header of|"
    r"returned mail|copy of)|content-type: message/rfc822|received: from|"
    r"return-path: |\s*--- the header|-+ ?forwarded message)",
    re.IGNORECASE,
)
_ERRORISH = re.compile(
    r"error|unknown|reject|denied|refused|fail|full|quota|exceed|locked|disabled|complaint|"
    r"not |no such|invalid|blocked|spam|expired|timed? ?out|too |\d\.\d\.\d",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Labelled:
    """One labelled bounce: the file and what Sisimai says about recipient 1."""

    path: Path
    status: str
    code: str
    reason: str


@dataclass(frozen=True)
class Extracted:
    """What this test pulls out of a bounce by itself."""

    code: str | None
    status: str | None
    text: str


def labelled() -> list[Labelled]:
    """The first recipient of every labelled bounce present here."""
    base = corpus_path("bounces_dsn", "sisimai")
    rows: dict[str, Labelled] = {}
    with (base / "expected.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            path = base / "bsd" / row["eml_file"]
            if row["recipient_index"] != "1" or row["eml_file"] in rows:
                continue
            if path.exists():
                rows[row["eml_file"]] = Labelled(
                    path,
                    row["expected_status"],
                    row["expected_replycode"],
                    row["expected_reason"],
                )
    return list(rows.values())


def agrees(name: str, expected: str, got: str) -> bool:
    """True when our reason counts as Sisimai's label for this file."""
    if name in SISIMAI_MISTAKES:
        return got == SISIMAI_MISTAKES[name][0]
    accepted = SYNONYMS.get(expected, frozenset()) | {canonical_reason(expected)}
    if got not in reason_names():
        return got in accepted  # "(no event)" and "(none)"
    return got in accepted or sisimai_reason(got) in accepted


def extract(path: Path) -> Extracted:
    """Status, reply code and reply text of the first recipient of a bounce."""
    raw = path.read_bytes()
    status, diagnostic = _dsn_fields(raw.decode("utf-8", errors="replace"))
    if not diagnostic:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        diagnostic = _body_text(message)
    return _with_codes(diagnostic, status)


def _dsn_fields(raw: str) -> tuple[str | None, str]:
    """First Status and Diagnostic-Code (with folded lines) found in the message."""
    status: str | None = None
    diagnostic: list[str] = []
    lines = iter(raw.splitlines())
    for line in lines:
        name, _, value = line.partition(":")
        if name.lower() == "status" and status is None:
            status = value.strip().split(" ")[0] or None
        if name.lower() != "diagnostic-code" or diagnostic:
            continue
        diagnostic.append(value.strip())
        for more in lines:
            if not more[:1].isspace():
                break
            diagnostic.append(more.strip())
        if status is not None:
            break
    text = " ".join(diagnostic)
    kind, semicolon, rest = text.partition(";")
    return status, (rest.strip() if semicolon and " " not in kind.strip() else text)


def _body_text(message: Message) -> str:
    """Error lines of the first readable text part, plus the Subject."""
    lines: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            lines.append("feedback-type: abuse")
        if part.get_content_type() != "text/plain" or lines:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            lines.extend(_error_lines(_decode(payload, part.get_content_charset())))
    lines.append(" ".join(str(message.get("Subject", "")).split()))
    return " ".join(lines)


def _decode(payload: bytes, charset: str | None) -> str:
    """Bytes to text, tolerating unknown or wrong charsets."""
    try:
        return payload.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _error_lines(body: str) -> list[str]:
    """Lines before the quoted original: those near a code, else those with errors."""
    before: list[str] = []
    for line in body.splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        if line.strip():
            before.append(line.strip())
    near = {
        i + step
        for i, line in enumerate(before)
        if _CODE.search(line) or _STATUS.search(line)
        for step in (-1, 0, 1)
    }
    coded = [line for i, line in enumerate(before) if i in near]
    errors = [line for line in before if _ERRORISH.search(line)]
    return coded or errors or before


def _with_codes(text: str, status: str | None) -> Extracted:
    """Add the reply code and enhanced status found in the text.

    A specific status in the text beats a vague x.0.0 in the Status field.
    """
    code_found = _CODE.search(text)
    status_found = _STATUS.search(text)
    vague = status is None or status.endswith(".0.0") or not _STATUS.fullmatch(status)
    if vague and status_found:
        status = status_found.group(1)
    code = code_found.group(1) if code_found else None
    return Extracted(code, status, text)


def _measure(answers: dict[str, str], rows: list[Labelled]) -> tuple[float, list[str]]:
    """Share of agreeing files and a line per disagreement."""
    misses = []
    for row in rows:
        got = answers[row.path.name]
        if not agrees(row.path.name, row.reason, got):
            misses.append(f"{row.path.name}: sisimai={row.reason} ours={got}")
    return 1 - len(misses) / len(rows), misses


@pytest.mark.corpus
def test_classify_on_extracted_lines_agrees_with_sisimai_reasons() -> None:
    """classify() on the test's own extraction reaches the reason floor."""
    rows = labelled()
    answers = {}
    for row in rows:
        found = extract(row.path)
        answers[row.path.name] = classify(found.code, found.status, found.text).reason

    share, misses = _measure(answers, rows)
    print(
        f"\nreason agreement (classify on extracted lines): {share:.1%} of {len(rows)}"
    )
    print(Counter(m.split("sisimai=")[1] for m in misses).most_common())
    print("\n".join(misses))
    assert share >= REASON_FLOOR


@pytest.mark.corpus
def test_reader_events_agree_with_sisimai_codes_and_reasons() -> None:
    """The full reader on each whole bounce file keeps above its own floor."""
    reader = pytest.importorskip("bot.logs.reader")
    source = pytest.importorskip("bot.logs.source")
    rows = labelled()
    answers: dict[str, str] = {}
    same_code = same_status = with_code = with_status = 0

    for row in rows:
        events = list(reader.read_events(source.open_lines(row.path)))
        if not events:
            answers[row.path.name] = "(no event)"
            continue
        main = events[0]
        answers[row.path.name] = main.reason or "(none)"
        if row.code:
            with_code += 1
            same_code += main.code == row.code
        if row.status and not row.status.startswith(("5.0.9", "4.0.9")):
            with_status += 1
            same_status += main.enhanced == row.status

    if all(a == "(no event)" for a in answers.values()):
        pytest.skip("bot.logs.reader finds no events in bounces yet")
    share, misses = _measure(answers, rows)
    print(f"\nreply code agreement: {same_code}/{with_code}")
    print(f"status agreement (real RFC 3463 codes): {same_status}/{with_status}")
    print(f"reason agreement (reader): {share:.1%} of {len(rows)}")
    print("\n".join(misses))
    assert share >= READER_REASON_FLOOR


def test_sisimai_mistakes_name_reasons_of_our_taxonomy() -> None:
    """Every reason we claim instead of Sisimai's is one of ours."""
    for name, (ours, why) in SISIMAI_MISTAKES.items():
        assert ours in reason_names(), name
        assert why, name
