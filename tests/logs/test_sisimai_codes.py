"""Reply codes and enhanced codes of Sisimai's labelled bounces, through the reader.

Prints agreement and asserts floors that only go up. Sisimai's own status values
(x.0.9xx) are not RFC 3463 codes and are not compared.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from bot.logs.event import Event
from bot.logs.reader import read_events
from bot.logs.source import open_lines
from tests.corpus import corpus_path

REPLY_FLOOR = 0.965
STATUS_FLOOR = 0.97

# Rows where we believe Sisimai's label is wrong, and why. They still count as
# disagreements in the percentages; the test checks they stay the only reasons.
SISIMAI_MISTAKES = {
    "lhost-messagingserver-02.eml": "the DSN's Diagnostic-Code says 522 5.2.0; "
    "Sisimai drops reply codes outside its own list",
    "rhost-messagelabs-03.eml": "the Diagnostic-Code says 542; the server did "
    "send it, though x4z is not a registered reply",
    "lhost-postfix-38.eml": "the server replied 554; Postfix deferred it "
    "(Status 4.0.0) and Sisimai drops a reply whose class differs from Status",
    "lhost-postfix-60.eml": "the server's greeting was 554; Postfix deferred it "
    "(Status 4.0.0) and Sisimai drops a reply whose class differs from Status",
}

_SISIMAI_INTERNAL = re.compile(r"[245]\.0\.9\d\d")


def _rows() -> dict[str, list[dict[str, str]]]:
    table = corpus_path("bounces_dsn", "sisimai", "expected.tsv")
    by_file: dict[str, list[dict[str, str]]] = defaultdict(list)
    with table.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            by_file[row["eml_file"]].append(row)
    return by_file


def _events(path: Path) -> list[Event]:
    return [e for e in read_events(open_lines(path)) if e.format == "bounce"]


def _main(events: list[Event], index: int, rows: int) -> Event | None:
    """The event for the index-th labelled row; with one row, the most telling."""
    if not events:
        return None
    if rows == 1:
        return max(events, key=lambda e: (e.code is not None, e.enhanced is not None))
    return events[min(index, len(events) - 1)]


def _compare() -> tuple[list[tuple[str, str, str]], int, int, int, int]:
    """(disagreements, reply ok, reply rows, status ok, status rows)."""
    folder = corpus_path("bounces_dsn", "sisimai", "bsd")
    wrong: list[tuple[str, str, str]] = []
    reply_ok = reply_rows = status_ok = status_rows = 0
    for name, rows in sorted(_rows().items()):
        events = _events(folder / name)
        for index, row in enumerate(rows):
            event = _main(events, index, len(rows))
            code = event.code if event else None
            enhanced = event.enhanced if event else None

            expected_code = row["expected_replycode"] or None
            reply_rows += 1
            if code == expected_code:
                reply_ok += 1
            else:
                wrong.append((name, "reply", f"{code} != {expected_code}"))

            status = row["expected_status"]
            if status and not _SISIMAI_INTERNAL.fullmatch(status):
                status_rows += 1
                if enhanced == status:
                    status_ok += 1
                else:
                    wrong.append((name, "status", f"{enhanced} != {status}"))
    return wrong, reply_ok, reply_rows, status_ok, status_rows


def test_sisimai_reply_and_status_agreement_stays_above_floors() -> None:
    wrong, reply_ok, reply_rows, status_ok, status_rows = _compare()
    reply_share = reply_ok / reply_rows
    status_share = status_ok / status_rows

    print(f"\nreply code agreement: {reply_ok}/{reply_rows} = {reply_share:.1%}")
    print(f"enhanced status agreement: {status_ok}/{status_rows} = {status_share:.1%}")
    for name, what, detail in wrong:
        note = SISIMAI_MISTAKES.get(name, "ours to improve")
        print(f"  {name} {what}: {detail} ({note})")

    assert reply_share >= REPLY_FLOOR
    assert status_share >= STATUS_FLOOR


def test_listed_sisimai_mistakes_are_still_disagreements() -> None:
    wrong, *_ = _compare()
    disagreeing = {name for name, _, _ in wrong}

    stale = set(SISIMAI_MISTAKES) - disagreeing
    assert not stale, f"now agreeing, drop from SISIMAI_MISTAKES: {sorted(stale)}"


@pytest.mark.parametrize(
    "name", ["dos-lhost-postfix-01.eml", "mac-lhost-postfix-01.eml"]
)
def test_crlf_and_bare_cr_bounces_read_like_the_unix_one(name: str) -> None:
    variant = corpus_path("bounces_dsn", "sisimai", "newline_variants", name)
    unix = corpus_path("bounces_dsn", "sisimai", "bsd", "lhost-postfix-01.eml")

    found = [(e.code, e.enhanced, e.recipient_domain) for e in _events(variant)]
    assert found == [(e.code, e.enhanced, e.recipient_domain) for e in _events(unix)]
    assert found and found[0][1] == "5.1.1"
