"""Dispatch, enrichment, totals, and the parallel path for big files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.logs import reader
from bot.logs.formats.columns import ColumnsFormat
from bot.logs.formats.dsn import DsnFormat
from bot.logs.formats.esp_json import EspJsonFormat
from bot.logs.formats.exchange import ExchangeFormat
from bot.logs.formats.generic import GenericFormat
from bot.logs.formats.postfix import PostfixFormat
from bot.logs.formats.transcript import TranscriptFormat
from bot.logs.reader import FORMATS, Reader, read_events, summarize, summarize_path
from bot.logs.source import open_lines

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "samples" / "maillog-sample.log"
MIXED = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "mixed.log"


def test_formats_put_structured_ones_before_line_formats() -> None:
    order = list(FORMATS)
    for structured in (DsnFormat, EspJsonFormat, ExchangeFormat, ColumnsFormat):
        assert order.index(structured) < order.index(PostfixFormat)
    assert order[-1] is TranscriptFormat
    assert GenericFormat not in order


def test_events_are_enriched_and_examples_masked() -> None:
    line = (
        "Mar 1 10:00:00 mx postfix/smtp[1]: 1A: to=<jane.doe@example.net>, "
        "relay=mx.example.net[198.51.100.1]:25, dsn=5.1.1, status=bounced (host "
        "mx.example.net[198.51.100.1] said: 550 5.1.1 <jane.doe@example.net>: "
        "Recipient address rejected: User unknown (in reply to RCPT TO command))"
    )
    [event] = read_events([line])
    assert event.reason == "userunknown"
    assert event.hard is True
    assert "jane.doe" not in event.example
    assert "j***@example.net" in event.example


def test_mixed_paste_goes_to_each_format_and_counts_unparsed() -> None:
    reader_ = Reader()
    found = list(reader_.events(open_lines(MIXED)))
    by_format = {(e.format, e.code) for e in found}
    assert ("postfix", "550") in by_format
    assert ("exim", "451") in by_format
    assert ("sendmail", "553") in by_format
    assert ("transcript", "250") in by_format
    assert ("generic", "554") in by_format
    assert reader_.unparsed == 2
    assert reader_.lines == sum(1 for _ in MIXED.open())


def test_summarize_reports_progress_and_totals() -> None:
    calls: list[tuple[int, int]] = []
    summary = summarize(open_lines(SAMPLE), progress=lambda n, b: calls.append((n, b)))
    lines = SAMPLE.read_text().count("\n")
    assert summary.lines_read == lines
    assert summary.formats == {"postfix": lines}
    assert summary.unparsed == 0
    assert calls[-1] == (lines, SAMPLE.stat().st_size)


def test_parallel_summary_equals_the_single_pass(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "maillog"
    text = SAMPLE.read_text()
    big.write_text(text * 40)
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 1)
    single = summarize(open_lines(big))
    parallel = summarize_path(big, jobs=2)
    assert parallel.events == single.events
    assert parallel.lines_read == single.lines_read
    assert [(g.code, g.count, g.enhanced) for g in parallel.groups] == [
        (g.code, g.count, g.enhanced) for g in single.groups
    ]
    assert parallel.first_seen == single.first_seen
    assert parallel.last_seen == single.last_seen


def test_summarize_path_reads_gzip_in_one_process(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "maillog.gz"
    path.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert summarize_path(path).events == summarize(open_lines(SAMPLE)).events


def test_csv_log_is_not_split_so_rows_after_the_cut_keep_their_header(
    tmp_path: Path, monkeypatch
) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "logs" / "plex_email_log.csv"
    header, *rows = fixture.read_text().splitlines()
    big = tmp_path / "email_log.csv"
    big.write_text("\n".join([header, *rows * 200]) + "\n")
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 1)

    single = summarize(open_lines(big))
    parallel = summarize_path(big, jobs=2)

    assert single.events == len(rows) * 200
    assert parallel.events == single.events
    assert [(g.code, g.count) for g in parallel.groups] == [
        (g.code, g.count) for g in single.groups
    ]


def _interleaved_log() -> list[str]:
    """Postfix lines with a bounce message, ESP JSON, Exim and stray lines between."""
    postfix = SAMPLE.read_text().splitlines()
    bounce = (MIXED.parent.parent / "bounces" / "postfix_try_again.eml").read_text()
    exim = [line for line in MIXED.read_text().splitlines() if " == " in line]
    event = {
        "event": "bounce",
        "email": "jane@example.net",
        "status": "5.1.1",
        "reason": "550 5.1.1 unknown user",
        "timestamp": 1709546400,
    }
    pieces = [
        postfix[:40],
        bounce.splitlines(),
        postfix[40:45],
        [json.dumps(event)],
        postfix[45:70],
        json.dumps(event, indent=2).splitlines(),
        exim,
        postfix[70:71],
        ["", "just some words", "S: 250 OK"],
        postfix[71:],
        exim,
    ]
    return [line for piece in pieces for line in piece]


@pytest.mark.parametrize("block", [3, 4096])
def test_postfix_scan_gives_what_line_by_line_dispatch_gives(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _interleaved_log()
    monkeypatch.setattr(reader, "BLOCK", block)
    fast_reader = Reader()
    fast = list(fast_reader.events(iter(lines)))
    fast_summary = summarize(iter(lines))

    monkeypatch.delattr(PostfixFormat, "scan")
    slow_reader = Reader()
    slow = list(slow_reader.events(iter(lines)))
    slow_summary = summarize(iter(lines))

    assert {"postfix", "bounce", "esp", "exim"} <= set(slow_reader.seen)
    assert fast == slow
    assert fast_reader.seen == slow_reader.seen
    assert fast_reader.unparsed == slow_reader.unparsed
    assert fast_summary == slow_summary
    assert repr(fast_summary) == repr(slow_summary)  # same order in every map


def test_list_and_iterator_inputs_are_read_alike() -> None:
    lines = _interleaved_log()
    from_list = summarize(lines)
    assert from_list == summarize(iter(lines))
    assert from_list.lines_read == len(lines)
