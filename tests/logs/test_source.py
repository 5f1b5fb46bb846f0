"""Opening logs: encodings, line endings, gzip, limits and hostile bytes."""

from __future__ import annotations

import gzip
import io

import pytest

from bot.knowledge.errors import InputError
from bot.logs import source
from bot.logs.source import open_lines, text_lines


def test_open_lines_reads_bytes_with_lf_crlf_and_bare_cr() -> None:
    data = b"one\ntwo\r\nthree\rfour"
    assert list(open_lines(data)) == ["one", "two", "three", "four"]


def test_open_lines_keeps_crlf_split_across_chunks_as_one_break() -> None:
    data = b"a" * ((1 << 20) - 1) + b"\r\nnext\n"
    lines = list(open_lines(data, max_line=10))
    assert lines == ["a" * 10, "next"]


def test_open_lines_replaces_invalid_utf8() -> None:
    assert list(open_lines(b"caf\xc3\xa9 \xff ok\n")) == ["café \ufffd ok"]


def test_open_lines_strips_ansi_escapes_and_nul_bytes() -> None:
    data = b"\x1b[31m550\x1b[0m 5.1.1 unknown\x00 user\n"
    assert list(open_lines(data)) == ["550 5.1.1 unknown user"]


def test_open_lines_detects_gzip_by_magic_not_name(tmp_path) -> None:
    path = tmp_path / "maillog.txt"
    path.write_bytes(gzip.compress(b"first\nsecond\n"))
    assert list(open_lines(path)) == ["first", "second"]


def test_open_lines_reads_concatenated_gzip_members() -> None:
    data = gzip.compress(b"a\n") + gzip.compress(b"b\n")
    assert list(open_lines(io.BytesIO(data))) == ["a", "b"]


def test_open_lines_stops_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"\n" * (80 << 20), compresslevel=9)
    with pytest.raises(InputError) as caught:
        for _ in open_lines(bomb):
            pass
    assert caught.value.kind == "bomb"


def test_open_lines_caps_decompressed_bytes_with_max_bytes() -> None:
    data = gzip.compress(b"".join(b"line %d\n" % i for i in range(50000)))
    with pytest.raises(InputError) as caught:
        list(open_lines(data, max_bytes=10000))
    assert caught.value.kind in ("too_big", "bomb")


def test_open_lines_rejects_plain_input_over_max_bytes() -> None:
    with pytest.raises(InputError) as caught:
        list(open_lines(b"x" * 5000, max_bytes=100))
    assert caught.value.kind == "too_big"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        bytes(range(32)) * 100,
        b"ok\x00" * 200,
    ],
)
def test_open_lines_refuses_binary_input(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        list(open_lines(data, name="upload.bin"))
    assert caught.value.kind == "binary"
    assert caught.value.name == "upload.bin"


def test_open_lines_reads_utf16_with_bom() -> None:
    data = "550 5.1.1 no\r\n250 ok\r\n".encode("utf-16")
    assert list(open_lines(data)) == ["550 5.1.1 no", "250 ok"]


def test_open_lines_cuts_a_ten_megabyte_line() -> None:
    data = b"x" * (10 << 20) + b"\nafter\n"
    lines = list(open_lines(data, max_line=1000))
    assert [len(line) for line in lines] == [1000, 5]


def test_open_lines_says_empty_and_unreadable(tmp_path) -> None:
    with pytest.raises(InputError) as empty:
        list(open_lines(b""))
    assert empty.value.kind == "empty"
    with pytest.raises(InputError) as missing:
        list(open_lines(tmp_path / "absent.log"))
    assert missing.value.kind == "unreadable"


def test_open_lines_reads_a_text_stream_through_its_buffer() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"a\nb\n"), encoding="utf-8")
    assert list(open_lines(stream)) == ["a", "b"]


def test_text_lines_undoes_slack_fences_entities_and_links() -> None:
    text = (
        "```Mar 1 postfix/smtp[1]: to=&lt;<mailto:jo@example.com|jo@example.com>&gt;, "
        "status=bounced\nsee <https://example.org/x|the page> &amp; more```"
    )
    assert list(text_lines(text)) == [
        "Mar 1 postfix/smtp[1]: to=<jo@example.com>, status=bounced",
        "see the page & more",
    ]


def test_text_lines_keeps_slack_mentions_for_the_renderer_to_escape() -> None:
    assert list(text_lines("<!channel> 550 <@U123>")) == ["<!channel> 550 <@U123>"]


def test_text_lines_handles_bare_cr_and_ansi() -> None:
    assert list(text_lines("a\rb\x1b[1m!\x1b[0m")) == ["a", "b!"]


@pytest.mark.parametrize(
    "text",
    [
        "plain text\twith tab\n",
        "form\x0cfeed",
        "bell\x07",
        "del\x7f",
        "esc\x1b[0m",
        "caf\u00e9 \x85next",
        "caf\u00e9",
        "\x1a\x1c",
        "",
    ],
)
def test_control_check_agrees_with_the_pattern_on_ascii_and_other_text(
    text: str,
) -> None:
    assert source._has_controls(text) == bool(source._CONTROL.search(text))


def test_open_blocks_gives_the_lines_of_open_lines_in_chunks() -> None:
    data = b"short\n" + b"x" * ((1 << 20) + 10) + b"\nlast line without end"
    blocks = list(source.open_blocks(data, max_line=100))
    assert len(blocks) > 1
    assert [line for block in blocks for line in block] == list(
        open_lines(data, max_line=100)
    )
    assert [line for block in blocks for line in block] == [
        "short",
        "x" * 100,
        "last line without end",
    ]
