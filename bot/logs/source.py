"""Opening a log for reading: a path, bytes, a stream or pasted text, with limits.

Everything is read in chunks, so a 10 MB single line or a large file never sits in
memory whole. Compressed input is recognised by its magic bytes, not its name.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from bot.knowledge.errors import InputError

logger = logging.getLogger(__name__)

MAX_LINE = 64 * 1024
"""Characters kept of one line; the rest of a longer line is dropped."""

CHUNK = 1 << 20
SNIFF = 8192
BOMB_RATIO = 200
"""Decompressed-to-compressed ratio past which a gzip stream is treated as a bomb."""
BOMB_FLOOR = 16 << 20
"""Below this many decompressed bytes the ratio is not checked."""

_GZIP = b"\x1f\x8b"
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"PK\x03\x04",
    b"\x7fELF",
    b"GIF8",
    b"\xff\xd8\xff",
    b"BZh",
    b"\xfd7zXZ",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\xd0\xcf\x11\xe0",
)
_ANSI = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
# The ASCII part of _CONTROL as bytes: bytes.translate finds them in an ASCII
# chunk about three times faster than the regex scans a str.
_ASCII_CONTROLS = bytes(b for b in range(128) if _CONTROL.match(chr(b)))
_FENCE = re.compile(r"^\s*```[\w+-]*\s*$|^\s*```|```\s*$", re.MULTILINE)
_SLACK_LINK = re.compile(r"<(?:mailto:)?([^<>|\s]+)(?:\|([^<>]*))?>")

Source = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO | io.RawIOBase
)


def open_lines(
    src: Source,
    *,
    name: str = "",
    max_bytes: int | None = None,
    max_line: int = MAX_LINE,
) -> Iterator[str]:
    """Lines of a path, bytes or binary stream, decoded as tolerant UTF-8.

    Gzip is read as it streams; `max_bytes` caps the (decompressed) bytes read.
    Raises InputError: "unreadable", "empty", "binary", "bomb" or "too_big" (the
    last two may come after some lines were already produced).
    """
    for block in open_blocks(src, name=name, max_bytes=max_bytes, max_line=max_line):
        yield from block


def open_blocks(
    src: Source,
    *,
    name: str = "",
    max_bytes: int | None = None,
    max_line: int = MAX_LINE,
) -> Iterator[list[str]]:
    """The lines of open_lines() in lists, one per chunk read, for a reader that
    takes many lines at a time. Raises InputError like open_lines()."""
    stream, owned = _open(src, name)
    try:
        chunks = _raw_chunks(stream, name, max_bytes)
        yield from _split_blocks(_decode(chunks, name), max_line)
    except OSError as error:
        raise InputError("unreadable", type(error).__name__, name) from None
    finally:
        if owned:
            stream.close()


def text_lines(text: str, *, max_line: int = MAX_LINE) -> Iterator[str]:
    """Lines of pasted text: Slack code fences, links and &lt; &gt; &amp; undone."""
    if "```" in text:
        text = _FENCE.sub("", text)
    if "<" in text:
        text = _SLACK_LINK.sub(_unlink, text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    pieces = (text[i : i + CHUNK] for i in range(0, len(text), CHUNK))
    yield from _split_lines(_clean(pieces), max_line)


def _unlink(match: re.Match[str]) -> str:
    """Slack's <mailto:a@b|a@b> and <https://x|label> back to their plain text."""
    target, label = match.group(1), match.group(2)
    if target.startswith(("!", "@", "#")):
        return match.group(0)
    return label if label is not None else target


def _open(src: Source, name: str) -> tuple[BinaryIO | io.RawIOBase, bool]:
    """A binary stream for any accepted source, and whether we must close it."""
    if isinstance(src, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(src)), True
    if isinstance(src, str | os.PathLike):
        try:
            return open(src, "rb"), True
        except OSError as error:
            raise InputError(
                "unreadable", type(error).__name__, name or str(src)
            ) from None
    buffer = getattr(src, "buffer", None)
    if isinstance(src, io.TextIOBase) and buffer is not None:
        return buffer, False
    return src, False


def _raw_chunks(
    stream: BinaryIO | io.RawIOBase, name: str, max_bytes: int | None
) -> Iterator[bytes]:
    """Bytes of the input in chunks, gunzipped when it starts with gzip's magic."""
    head = stream.read(CHUNK)
    if isinstance(head, str):  # a text stream without .buffer
        head = head.encode()
    if not head:
        raise InputError("empty", "the input is empty", name)
    if head.startswith(_GZIP):
        yield from _gunzip(head, stream, name, max_bytes)
        return

    total = len(head)
    _check_size(total, max_bytes, name)
    yield head
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        _check_size(total, max_bytes, name)
        yield chunk


def _check_size(total: int, max_bytes: int | None, name: str) -> None:
    """Raise "too_big" once more than `max_bytes` have been read."""
    if max_bytes is not None and total > max_bytes:
        raise InputError("too_big", f"more than {max_bytes} bytes", name)


def _gunzip(
    head: bytes, stream: BinaryIO | io.RawIOBase, name: str, max_bytes: int | None
) -> Iterator[bytes]:
    """Decompress gzip members as they stream, capping the decompressed size."""
    inflater = zlib.decompressobj(wbits=31)
    compressed, produced = 0, 0
    in_member = False
    pending = head
    while pending:
        compressed += len(pending)
        data = pending
        while data:
            in_member = True
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error:
                raise InputError("unreadable", "a damaged gzip stream", name) from None
            produced += len(out)
            _check_bomb(produced, compressed, max_bytes, name)
            if out:
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                data = inflater.unused_data
                inflater = zlib.decompressobj(wbits=31)
                in_member = False
                if data and not data.startswith(_GZIP):
                    return  # trailing garbage after the last member
        pending = stream.read(CHUNK)
    if in_member:
        raise InputError("unreadable", "the gzip file is cut short", name)
    if produced == 0:
        raise InputError("empty", "the compressed input holds nothing", name)


def _check_bomb(
    produced: int, compressed: int, max_bytes: int | None, name: str
) -> None:
    """Raise "bomb" for an absurd ratio, "too_big" past `max_bytes`."""
    bomb = produced > BOMB_FLOOR and produced > BOMB_RATIO * compressed
    if bomb or (
        max_bytes is not None and produced > max_bytes and produced > 50 * compressed
    ):
        raise InputError("bomb", "the compressed input expands without end", name)
    _check_size(produced, max_bytes, name)


def _decode(chunks: Iterator[bytes], name: str) -> Iterator[str]:
    """Sniff the first chunk, then decode everything as text without failing."""
    first = next(chunks)
    encoding = _sniff(first[:SNIFF], name)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def texts() -> Iterator[str]:
        yield decoder.decode(first)
        for chunk in chunks:
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)

    return _clean(texts())


def _sniff(sample: bytes, name: str) -> str:
    """The encoding to read with; raises InputError("binary") for non-text."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # A log is mostly ASCII, so real UTF-16 has a NUL in every other byte;
        # without them the two bytes are stray garbage before UTF-8 text.
        if sample[2:].count(0) * 4 >= len(sample) - 2:
            return "utf-16"
        sample = sample[2:]
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    half = len(sample) // 2
    if half >= 8 and sample[1::2].count(0) > 0.9 * half > 9 * sample[0::2].count(0):
        return "utf-16-le"
    if sample.startswith(_BINARY_MAGIC):
        raise InputError("binary", "the input is a binary file", name)

    nuls = sample.count(0)
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if nuls > max(4, len(sample) // 100) or controls * 10 > max(len(sample), 40):
        raise InputError("binary", "the input looks like binary data", name)
    return "utf-8"


def _clean(texts: Iterable[str]) -> Iterator[str]:
    """Text chunks with ANSI escapes and control characters gone, CR made LF."""
    carry = ""
    for text in texts:
        if carry:
            text, carry = carry + text, ""
        if not text:
            continue
        escape = text.rfind("\x1b", max(0, len(text) - 32))
        if escape >= 0:
            text, carry = text[:escape], text[escape:]
        if text.endswith("\r"):
            text, carry = text[:-1], "\r" + carry
        yield _scrub(text)
    if carry:
        yield _scrub(carry)


def _scrub(text: str) -> str:
    """One chunk cleaned: ANSI sequences, stray controls, CRLF and bare CR."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
        text = text.replace("\x1b", "")
    if _has_controls(text):
        text = _CONTROL.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _has_controls(text: str) -> bool:
    """True when _CONTROL would find something in the text."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_CONTROLS)) != len(data)
    return _CONTROL.search(text) is not None


def _split_lines(texts: Iterable[str], max_line: int) -> Iterator[str]:
    """Lines of a stream of text chunks; a line longer than `max_line` is cut."""
    for block in _split_blocks(texts, max_line):
        yield from block


def _split_blocks(texts: Iterable[str], max_line: int) -> Iterator[list[str]]:
    """The lines that each text chunk completes, as a list per chunk."""
    pending: list[str] = []
    pending_len = 0
    for text in texts:
        lines = text.split("\n")
        if len(lines) == 1:
            if pending_len < max_line:
                pending.append(text)
                pending_len += len(text)
            continue

        if pending:
            pending.append(lines[0])
            lines[0] = "".join(pending)
            pending, pending_len = [], 0
        tail = lines.pop()
        if max(map(len, lines)) > max_line:
            lines = [line[:max_line] for line in lines]
        yield lines

        if tail:
            pending, pending_len = [tail[:max_line]], min(len(tail), max_line)
    if pending:
        yield ["".join(pending)[:max_line]]
