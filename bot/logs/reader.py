"""Reading events out of lines: per-line dispatch to the formats, generic last.

Formats are tried in the order of FORMATS. Structured and multi-line formats come
first because they must see the first line of their entries (a bounce message, a
JSON document, a CSV header); the line-oriented MTA formats follow; the generic
reader is asked only when no format took the line.
"""

from __future__ import annotations

import io
import itertools
import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.sharedctypes import Synchronized
from typing import BinaryIO

from bot.knowledge.errors import InputError
from bot.knowledge.reasons import classify
from bot.logs import mask
from bot.logs.event import Event
from bot.logs.formats.base import LogFormat
from bot.logs.formats.columns import ColumnsFormat
from bot.logs.formats.dsn import DsnFormat
from bot.logs.formats.esp_json import EspJsonFormat
from bot.logs.formats.exchange import ExchangeFormat
from bot.logs.formats.exim import EximFormat
from bot.logs.formats.generic import GenericFormat
from bot.logs.formats.other_mta import AsspFormat, CourierFormat, OracleImsFormat
from bot.logs.formats.postfix import PostfixFormat
from bot.logs.formats.qmail import QmailFormat
from bot.logs.formats.sendmail import SendmailFormat
from bot.logs.formats.transcript import TranscriptFormat
from bot.logs.source import open_blocks, open_lines
from bot.logs.summary import Summarizer, Summary

logger = logging.getLogger(__name__)

FORMATS: tuple[Callable[[], LogFormat], ...] = (
    DsnFormat,
    EspJsonFormat,
    ExchangeFormat,
    ColumnsFormat,
    PostfixFormat,
    EximFormat,
    SendmailFormat,
    QmailFormat,
    CourierFormat,
    AsspFormat,
    OracleImsFormat,
    TranscriptFormat,
)
"""Tried in this order for each line no open entry took; GenericFormat comes last."""

PROGRESS_EVERY = 1 << 16
"""Lines between two calls of the progress callback."""

_CACHE_LIMIT = 8192
# classify() reads the head and the tail of a reply; a bounce puts the SMTP stage
# and the reason at the end, so the whole (bounded) text is passed on.
_TEXT_LIMIT = 600
_VARIABLE = re.compile(r"[\w.+=-]*@[\w.-]+|\[[^\]]*\]|\b[0-9A-Fa-f]*\d[0-9A-Fa-f]*\b")
# The same without the address branch, which cannot match a text without "@";
# trying it at every position is most of the cost of the substitution.
_VARIABLE_NO_AT = re.compile(r"\[[^\]]*\]|\b[0-9A-Fa-f]*\d[0-9A-Fa-f]*\b")


class Reader:
    """One pass over one input: dispatch, enrichment and line counts.

    A line-oriented format may offer `certain(line)`: a cheap test that the line
    is surely its own and starts no structured entry. After such a format took a
    line, the next line it is certain of goes straight to it, which keeps the
    common case (a long log of one MTA) fast without changing any result.

    Such a format may also offer `scan(lines, start, lineno)`, which takes lines
    while it is certain of them and returns where it stopped and their events.
    Most lines of a mail log (connect, cleanup, qmgr, disconnect) hold no reply,
    and this reads them without a call per line.
    """

    def __init__(self, *, mask_examples: bool = True) -> None:
        self.formats: list[LogFormat] = [make() for make in FORMATS]
        self.generic = GenericFormat()
        self.lines = 0
        self.chars = 0
        self.unparsed = 0
        self.seen: dict[str, int] = {}
        self._mask = mask_examples
        self._verdicts: dict[_Key, _Known] = {}
        self._current: LogFormat | None = None
        self._sticky: LogFormat | None = None
        self._certain: Callable[[str], bool] | None = None
        self._scan: _Scan | None = None

    def raw_events(
        self,
        lines: Iterable[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[Event]:
        """Every event as its format made it, in input order (not yet enriched)."""
        return self.block_events(_blocks(lines), progress)

    def block_events(
        self,
        blocks: Iterable[list[str]],
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[Event]:
        """raw_events() of lines that come in lists, as open_blocks() gives them."""
        seen = self.seen
        self._current = self._sticky = self._certain = self._scan = None
        scan: _Scan | None = None
        lineno = 0
        reported = 0

        for block in blocks:
            self.chars += sum(map(len, block)) + len(block)
            index, end = 0, len(block)
            while index < end:
                if scan is not None and self._current is None:
                    taken, found = scan(block, index, lineno + index + 1)
                    if taken > index:
                        assert self._sticky is not None
                        seen[self._sticky.name] += taken - index
                        index = taken
                        yield from found
                        if index == end:
                            break

                index += 1
                yield from self._line(lineno + index, block[index - 1])
                scan = self._scan

            lineno += end
            if progress is not None and lineno - reported >= PROGRESS_EVERY:
                progress(lineno, self.chars)
                reported = lineno

        self.lines = lineno
        for fmt in self.formats:
            yield from fmt.flush()
        if progress is not None:
            progress(lineno, self.chars)

    def _line(self, lineno: int, line: str) -> Iterable[Event]:
        """The events of one line, offered to the open, sticky, then every format."""
        seen, current = self.seen, self._current
        if current is not None:
            if current.open:
                found = current.feed(lineno, line)
                if found is not None:
                    seen[current.name] += 1
                    return found
            self._current = None
        certain = self._certain
        if certain is not None and certain(line):
            assert self._sticky is not None
            found = self._sticky.feed(lineno, line)
            if found is not None:
                seen[self._sticky.name] += 1
                return found
        if not line or line.isspace():
            return ()

        for fmt in self.formats:
            if fmt.claims(line):
                found = fmt.feed(lineno, line)
                if found is not None:
                    seen[fmt.name] = seen.get(fmt.name, 0) + 1
                    if fmt.open:
                        self._current = fmt
                    self._sticky = fmt
                    self._certain = getattr(fmt, "certain", None)
                    self._scan = getattr(fmt, "scan", None)
                    return found
        found = self.generic.feed(lineno, line)
        if found is None:
            self.unparsed += 1
            return ()
        seen[self.generic.name] = seen.get(self.generic.name, 0) + 1
        return found

    def events(
        self,
        lines: Iterable[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[Event]:
        """Every event of every line, enriched, in input order."""
        for event in self.raw_events(lines, progress):
            yield self.enrich(event)

    def enrich(self, event: Event) -> Event:
        """The event with reason, hardness and provider filled in, example masked."""
        reason, hard, provider = self.verdict(event)
        return Event(
            line=event.line,
            format=event.format,
            code=event.code,
            enhanced=event.enhanced,
            status=event.status,
            recipient_domain=event.recipient_domain,
            remote_host=event.remote_host,
            time=event.time,
            text=event.text,
            example=mask.example(event.example) if self._mask else event.example,
            provider=event.provider or provider,
            reason=reason,
            hard=hard,
            direction=event.direction,
        )

    def verdict(self, event: Event) -> _Known:
        """(reason, hard, provider) for an event, cached by the shape of its reply."""
        if event.reason is not None:
            return event.reason or None, event.hard, event.provider
        code, enhanced = event.code, event.enhanced
        text = "" if (code or enhanced or "")[:1] == "2" else event.text[:_TEXT_LIMIT]
        key = (code, enhanced, _variables_out(text) if text else "")
        known = self._verdicts.get(key)
        if known is None:
            known = _classify(code, enhanced, text)
            if len(self._verdicts) >= _CACHE_LIMIT:
                self._verdicts.clear()
            self._verdicts[key] = known
        return known


_Scan = Callable[[list[str], int, int], tuple[int, list[Event]]]
_Key = tuple[str | None, str | None, str]
_Known = tuple[str | None, bool | None, str | None]


BLOCK = 4096
"""Lines handed to the dispatch loop at a time."""


def _blocks(lines: Iterable[str]) -> Iterator[list[str]]:
    """The lines in lists of up to BLOCK, taken from the iterator in one C call."""
    if isinstance(lines, list):
        for start in range(0, len(lines), BLOCK):
            yield lines[start : start + BLOCK]
        return
    stream = iter(lines)
    while block := list(itertools.islice(stream, BLOCK)):
        yield block


def _variables_out(text: str) -> str:
    """The text with addresses, [bracketed] parts and numbers replaced by "#"."""
    pattern = _VARIABLE if "@" in text else _VARIABLE_NO_AT
    return pattern.sub("#", text)


def _classify(code: str | None, enhanced: str | None, text: str) -> _Known:
    """classify() reduced to what an event keeps; never raises."""
    try:
        verdict = classify(code, enhanced, text)
    except Exception:  # the knowledge core must not stop a summary
        logger.exception("classify failed for %s %s", code, enhanced)
        return None, None, None
    provider = verdict.provider.provider if verdict.provider is not None else None
    return verdict.reason or None, verdict.hard, provider


def read_events(lines: Iterable[str]) -> Iterator[Event]:
    """Every reply found in `lines`, as enriched events in input order."""
    return Reader().events(lines)


def summarize(
    lines: Iterable[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Read `lines` once and summarize them by code; `progress(lines, chars)`."""
    return summarize_many([lines], progress=progress)


def summarize_many(
    sources: Iterable[Iterable[str]],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """One summary of several inputs, each read on its own.

    A bounce or JSON document left open at the end of one file must not swallow
    the next file, so every source gets a fresh Reader; the counts add up.
    """
    summarizer = Summarizer()
    counts: _Counts | None = None
    for lines in sources:
        reader = Reader(mask_examples=False)
        add, verdict = summarizer.add_known, reader.verdict
        for event in reader.raw_events(lines, progress):
            add(event, *verdict(event))
        if counts is None:
            counts = _Counts(reader)
        else:
            counts.merge_counts(_Counts(reader))
    counts = counts or _Counts(Reader(mask_examples=False))
    return summarizer.finish(
        lines_read=counts.lines,
        unparsed=counts.unparsed,
        formats=counts.seen,
        bytes_read=counts.chars,
    )


PARALLEL_MIN_BYTES = 32 << 20
"""Plain files at least this big are read by several processes at once."""


def summarize_path(
    path: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Summarize a file; a large plain (not compressed) file is split across CPUs.

    Each process reads one byte range that starts and ends on a line boundary, and
    the partial summaries are merged. `progress(lines, bytes)` is approximate
    while processes run. Raises InputError like `open_lines`.
    """
    size = os.path.getsize(path)
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs < 2 or size < PARALLEL_MIN_BYTES or _is_gzip(path) or not _splittable(path):
        lines = open_lines(path, name=os.fspath(path), max_bytes=max_bytes)
        return summarize(lines, progress=progress)
    if max_bytes is not None and size > max_bytes:
        raise InputError("too_big", f"more than {max_bytes} bytes", str(path))

    bounds = [size * i // jobs for i in range(jobs + 1)]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    done = context.Value("q", 0)
    with context.Pool(jobs, initializer=_share_progress, initargs=(done,)) as pool:
        pending = pool.starmap_async(
            _summarize_range,
            [(os.fspath(path), bounds[i], bounds[i + 1]) for i in range(jobs)],
        )
        while not pending.ready():
            pending.wait(0.25)
            if progress is not None:
                progress(0, done.value)
        parts = pending.get()

    summarizer, counts = parts[0]
    for other_summarizer, other_counts in parts[1:]:
        summarizer.merge(other_summarizer)
        counts.merge_counts(other_counts)
    if progress is not None:
        progress(counts.lines, counts.chars)
    return summarizer.finish(
        lines_read=counts.lines,
        unparsed=counts.unparsed,
        formats=counts.seen,
        bytes_read=counts.chars,
    )


LINE_FORMATS = frozenset(
    {
        PostfixFormat.name,
        EximFormat.name,
        SendmailFormat.name,
        QmailFormat.name,
        CourierFormat.name,
        AsspFormat.name,
        OracleImsFormat.name,
        GenericFormat.name,
    }
)
"""Formats whose entries are single lines, so a file of them may be cut anywhere."""

SNIFF_BYTES = 1 << 20


def _splittable(path: str | os.PathLike[str]) -> bool:
    """True when the file's head is made only of single-line MTA log entries.

    A CSV or Exchange header, a JSON document or a bounce message carries state
    from its first lines, so a byte range cut from its middle would be misread.
    """
    with open(path, "rb") as stream:
        head = stream.read(SNIFF_BYTES)
    reader = Reader(mask_examples=False)
    text = head.decode("utf-8", errors="replace").splitlines()[:-1]
    for _ in reader.raw_events(text):
        pass
    return bool(reader.seen) and set(reader.seen) <= LINE_FORMATS


def _is_gzip(path: str | os.PathLike[str]) -> bool:
    """True when the file starts with gzip's magic bytes."""
    with open(path, "rb") as stream:
        return stream.read(2) == b"\x1f\x8b"


class _Counts:
    """What a worker sends back about its lines (picklable, small)."""

    def __init__(self, reader: Reader) -> None:
        self.lines = reader.lines
        self.chars = reader.chars
        self.unparsed = reader.unparsed
        self.seen = dict(reader.seen)

    def merge_counts(self, other: _Counts) -> None:
        """Add another range's counts to these."""
        self.lines += other.lines
        self.chars += other.chars
        self.unparsed += other.unparsed
        for name, count in other.seen.items():
            self.seen[name] = self.seen.get(name, 0) + count


class _Range(io.RawIOBase):
    """A read-only view of bytes [start, end) of a file, moved to line boundaries."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._end = _line_start(self._file, end)
        self._pos = _line_start(self._file, start)
        self._file.seek(self._pos)

    def readable(self) -> bool:
        """Always readable."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes, never past the end of the range."""
        left = self._end - self._pos
        if size < 0 or size > left:
            size = left
        data = self._file.read(size) if size > 0 else b""
        self._pos += len(data)
        return data

    def close(self) -> None:
        """Close the file."""
        self._file.close()
        super().close()


def _line_start(stream: BinaryIO, offset: int) -> int:
    """The offset of the first line that starts at or after `offset`."""
    if offset == 0:
        return 0
    stream.seek(offset - 1)
    stream.readline()
    return stream.tell()


_progress_total: Synchronized[int] | None = None


def _share_progress(done: Synchronized[int]) -> None:
    """Worker start-up: keep the shared progress counter."""
    global _progress_total
    _progress_total = done


def _summarize_range(path: str, start: int, end: int) -> tuple[Summarizer, _Counts]:
    """Worker: summarize one byte range of a file (line numbers are per range)."""
    done = _progress_total
    reader = Reader(mask_examples=False)
    summarizer = Summarizer()
    add, verdict = summarizer.add_known, reader.verdict
    seen_chars = 0

    def tick(_lines: int, chars: int) -> None:
        nonlocal seen_chars
        if done is None:
            return
        with done.get_lock():
            done.value += chars - seen_chars
        seen_chars = chars

    stream = _Range(path, start, end)
    try:
        for event in reader.block_events(open_blocks(stream, name=path), tick):
            add(event, *verdict(event))
    except InputError as error:
        if error.kind != "empty":
            raise
    finally:
        stream.close()
    return summarizer, _Counts(reader)
