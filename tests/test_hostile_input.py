"""Hostile and broken input, case by case: the right answer, in bounded memory.

Binary files, invalid UTF-8, gzip bombs and liars, a 10 MB line, ANSI escapes,
NUL bytes, deeply nested JSON, Slack control sequences inside logs, 100 000
distinct codes, CR line ends, empty and blank input; then the CLI on each file.
"""

from __future__ import annotations

import gzip
import json
import re
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.knowledge.errors import InputError
from bot.knowledge.query import parse_query
from bot.logs.reader import summarize
from bot.logs.source import CHUNK, MAX_LINE, open_lines, text_lines
from bot.logs.summary import MAX_CODES, MAX_OVERFLOW_CODES, Summary
from bot.render import words
from bot.render.blocks import check_blocks, explanation_blocks, summary_blocks
from bot.render.jsonout import explanation_dict, summary_dict
from bot.render.text import explanations_text, summary_text

MB = 1 << 20
MEMORY_LIMIT = 48 * MB
"""Peak traced memory allowed while reading one hostile input."""

POSTFIX = (
    "Jan  1 10:00:0{n} mx postfix/smtp[1{n}]: 4A1B2C3{n}: to=<ann@example.com>, "
    "relay=mx.example.net[192.0.2.10]:25, delay=1, dsn={dsn}, status={status} "
    "(host mx.example.net[192.0.2.10] said: {reply} (in reply to RCPT TO command))"
)
TWO_LINES = (
    "550 5.1.1 <ann@example.com>: user unknown\n451 4.7.1 greylisted, try later\n"
)
MENTIONS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<#C1>",
    "<!subteam^S1>",
    "<https://evil.example|click>",
)
HOSTILE_REPLY = "550 5.7.1 " + " ".join(MENTIONS) + " *_~ rejected"
_SLACK_CONTROL = re.compile(r"<[!@#]|<https?:", re.IGNORECASE)


def postfix(n: int, reply: str, dsn: str = "5.1.1", status: str = "bounced") -> str:
    """One Postfix delivery line with the given reply."""
    return POSTFIX.format(n=n % 10, reply=reply, dsn=dsn, status=status)


def codes(summary: Summary) -> dict[str, int]:
    """code -> count of a summary."""
    return {g.code: g.count for g in summary.groups}


def read(data: bytes, **kw: Any) -> list[str]:
    """All lines of some bytes, as open_lines gives them."""
    return list(open_lines(data, name="hostile.log", **kw))


def input_error(data: bytes, **kw: Any) -> InputError:
    """The InputError that reading `data` to the end raises."""
    with pytest.raises(InputError) as caught:
        read(data, **kw)
    return caught.value


def peak_memory(work: Callable[[], object]) -> tuple[object, int]:
    """Run `work` under tracemalloc: (its result or its InputError, peak bytes)."""
    tracemalloc.start()
    try:
        try:
            result: object = work()
        except InputError as error:
            result = error
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def gzip_members(block: bytes, count: int) -> bytes:
    """`count` gzip members of `block` each: small to store, huge unpacked."""
    return gzip.compress(block, 9) * count


def all_strings(value: object) -> Iterator[str]:
    """Every string in a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from all_strings(item)


def assert_renders_safely(summary: Summary) -> None:
    """Blocks valid and without control sequences; text and JSON without escapes."""
    blocks = summary_blocks(summary)
    assert check_blocks(blocks) == []
    assert not _SLACK_CONTROL.search(json.dumps(blocks))
    for text in (summary_text(summary), *all_strings(summary_dict(summary))):
        assert "\x1b" not in text and "\x00" not in text


# --- binary and undecodable input ------------------------------------------------

BINARIES = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "elf": b"\x7fELF\x02\x01\x01" + bytes(200),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)),
    "random": bytes((i * 7919 + 13) % 256 for i in range(8192)),
    "zeros": bytes(4096),
}


@pytest.mark.parametrize("kind", sorted(BINARIES))
def test_binary_file_is_refused_as_binary(kind: str) -> None:
    error = input_error(BINARIES[kind])

    assert error.kind == "binary"
    assert error.name == "hostile.log"


def test_invalid_utf8_is_replaced_and_codes_still_found() -> None:
    data = b"\xc3\x28 " + TWO_LINES.encode().replace(b"user", b"\xed\xa0\x80user")

    lines = read(data)
    summary = summarize(iter(lines))

    assert codes(summary) == {"550": 1, "451": 1}
    assert "\ufffd" in lines[0]
    assert all("\udc80" not in line for line in lines)


def test_invalid_utf8_starting_with_ff_fe_is_not_read_as_utf16() -> None:
    # FF FE is the UTF-16 byte order mark, but a real UTF-16 text has a NUL in
    # every other byte; these are two garbage bytes in front of a UTF-8 log.
    data = b"\xff\xfe" + TWO_LINES.encode()

    summary = summarize(open_lines(data))

    assert codes(summary) == {"550": 1, "451": 1}


def test_utf16_without_bom_is_decoded_not_refused() -> None:
    summary = summarize(open_lines(TWO_LINES.encode("utf-16-le")))

    assert codes(summary) == {"550": 1, "451": 1}


# --- gzip: bombs, liars, damage --------------------------------------------------


def test_gzip_bomb_of_text_stops_as_bomb_in_bounded_memory() -> None:
    bomb = gzip_members(b"a" * (16 * MB), 64)  # 1 GiB unpacked from ~1 MB
    assert len(bomb) < 2 * MB

    result, peak = peak_memory(lambda: read(bomb))

    assert isinstance(result, InputError)
    assert result.kind == "bomb"
    assert peak < MEMORY_LIMIT


def test_gzip_bomb_of_zeros_is_refused_in_bounded_memory() -> None:
    bomb = gzip_members(bytes(16 * MB), 64)

    result, peak = peak_memory(lambda: read(bomb))

    assert isinstance(result, InputError)
    assert result.kind == "binary"  # the first unpacked chunk is already NULs
    assert peak < MEMORY_LIMIT


def test_gzip_bomb_of_log_lines_stops_at_the_size_limit() -> None:
    # The Slack path passes max_bytes: reading stops one chunk past the limit.
    line = postfix(1, "550 5.1.1 user unknown").encode() + b"\n"
    bomb = gzip_members(line * (16 * MB // len(line)), 64)
    lines: list[str] = []

    def drain() -> None:
        lines.extend(open_lines(bomb, name="maillog.gz", max_bytes=MB))

    result, peak = peak_memory(drain)

    assert isinstance(result, InputError)
    assert result.kind in ("bomb", "too_big")  # either stops it at the limit
    assert len(lines) * len(line) <= 2 * CHUNK
    assert peak < MEMORY_LIMIT


def test_gzip_that_lies_about_its_size_is_unreadable() -> None:
    data = bytearray(gzip.compress(TWO_LINES.encode() * 50))
    data[-4:] = (10**9).to_bytes(4, "little")  # ISIZE claims 1 GB

    error = input_error(bytes(data))

    assert error.kind == "unreadable"


def test_gzip_with_a_damaged_body_is_unreadable() -> None:
    data = bytearray(gzip.compress(TWO_LINES.encode() * 50))
    data[20:30] = b"\xff" * 10

    assert input_error(bytes(data)).kind == "unreadable"


def test_truncated_gzip_is_reported_not_silently_summarized() -> None:
    # A cut-off maillog.gz (a partial download) must not pass for the whole log.
    whole = gzip.compress(TWO_LINES.encode() * 200)

    error = input_error(whole[: len(whole) // 2])

    assert error.kind == "unreadable"


def test_gzip_with_a_text_member_after_a_bomb_member_is_still_a_bomb() -> None:
    data = gzip.compress(TWO_LINES.encode()) + gzip_members(b"b" * (16 * MB), 32)

    assert input_error(data).kind == "bomb"


# --- long lines and odd characters -----------------------------------------------


def test_ten_megabyte_line_is_cut_and_the_next_line_still_read() -> None:
    data = b"550 5.1.1 " + b"x" * (10 * MB) + b"\n451 4.7.1 try later\n"

    (lines, summary), peak = peak_memory(
        lambda: (ls := read(data), summarize(iter(ls)))
    )  # type: ignore[misc]

    assert [len(line) for line in lines] == [MAX_LINE, len("451 4.7.1 try later")]
    assert codes(summary) == {"550": 1, "451": 1}
    assert all(len(e) <= MAX_LINE for g in summary.groups for e in g.examples)
    assert peak < MEMORY_LIMIT
    assert_renders_safely(summary)


def test_ten_megabyte_pasted_line_without_newline_is_cut() -> None:
    text = "451 4.7.1 " + "y" * (10 * MB)

    lines = list(text_lines(text))

    assert [len(line) for line in lines] == [MAX_LINE]
    assert codes(summarize(iter(lines))) == {"451": 1}


def test_ten_megabyte_query_is_refused_as_too_long() -> None:
    query = parse_query("550 " * (10 * MB // 4))

    assert query.explanations == ()
    assert query.looks_like_log or "too long" in query.problems[0].problem


def test_ansi_escapes_are_removed_from_log_lines() -> None:
    data = (
        b"\x1b[31m550 5.1.1 user unknown\x1b[0m\n"
        b"\x1b]0;owned\x07451 4.7.1 later\x1b[2J\x1b[H\n"
        b"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\n"
    )

    lines = read(data)
    summary = summarize(iter(lines))

    assert lines == ["550 5.1.1 user unknown", "451 4.7.1 later", "link"]
    assert codes(summary) == {"550": 1, "451": 1}
    assert_renders_safely(summary)


def test_ansi_escape_in_a_query_never_reaches_the_terminal_or_slack() -> None:
    query = parse_query("550 5.1.1 \x1b[31mred\x1b[0m\x00 \x1b]0;title\x07done")

    assert [e.label for e in query.explanations] == ["550 5.1.1"]
    reply = query.explanations[0].reply_text
    assert "\x1b" not in reply and "\x00" not in reply and "red" in reply
    blocks = explanation_blocks(query.explanations, share=True)
    assert "\\u001b" not in json.dumps(blocks) and "\\u0000" not in json.dumps(blocks)
    assert "\x1b" not in explanations_text(query.explanations)
    assert "\x1b" not in json.dumps(explanation_dict(query.explanations[0]))


def test_nul_bytes_are_dropped_and_codes_still_found() -> None:
    data = b"550 5.1.1 user\x00 unknown\n\x00451 4.7.1 later\n"

    lines = read(data)

    assert lines == ["550 5.1.1 user unknown", "451 4.7.1 later"]
    assert codes(summarize(iter(lines))) == {"550": 1, "451": 1}


def test_crlf_and_bare_cr_end_lines_like_lf() -> None:
    data = b"550 5.1.1 a\r\n451 4.7.1 b\r421 4.3.2 c\r\n\r\n250 2.0.0 ok\r"

    lines = read(data)

    assert lines == ["550 5.1.1 a", "451 4.7.1 b", "421 4.3.2 c", "", "250 2.0.0 ok"]
    assert codes(summarize(iter(lines))) == {"550": 1, "451": 1, "421": 1, "250": 1}


def test_crlf_split_across_read_chunks_is_one_line_break() -> None:
    first = b"451 4.7.1 later "
    data = first + b"x" * (CHUNK - len(first) - 1) + b"\r\n550 5.1.1 gone\r\n"

    lines = read(data)

    assert len(lines) == 2
    assert lines[1] == "550 5.1.1 gone"


# --- empty input -----------------------------------------------------------------


def test_empty_file_is_an_empty_input_error() -> None:
    assert input_error(b"").kind == "empty"


def test_empty_gzip_is_an_empty_input_error() -> None:
    assert input_error(gzip.compress(b"")).kind == "empty"


def test_empty_paste_summarizes_to_nothing_found() -> None:
    summary = summarize(text_lines(""))

    assert (summary.lines_read, summary.events, summary.groups) == (0, 0, ())
    assert summary.verdict == "No SMTP reply codes found in 0 lines."


def test_whitespace_only_input_has_lines_but_no_events() -> None:
    summary = summarize(open_lines(b"   \n\t\n \r\n\x0c\n"))

    assert (summary.lines_read, summary.events, summary.unparsed) == (4, 0, 0)
    assert summary.verdict == "No SMTP reply codes found in 4 lines."
    assert_renders_safely(summary)


# --- nested JSON -----------------------------------------------------------------

EVENT_JSON = '{"event":"bounce","email":"a@example.com","reason":"550 5.1.1 unknown"}'


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 100_000,
        "[" * 100_000 + "]" * 100_000,
        '{"event":"bounce","x":' + "[" * 100_000 + "]" * 100_000 + "}",
        "[\n" * 100_000,
        '{"a":\n' * 100_000,
    ],
    ids=["open-line", "balanced-line", "inside-event", "open-lines", "object-lines"],
)
def test_deeply_nested_json_yields_nothing_and_the_next_event_is_found(
    nested: str,
) -> None:
    text = nested + "\n" + EVENT_JSON + "\n" + postfix(1, "451 4.7.1 later", "4.7.1")

    summary, peak = peak_memory(lambda: summarize(text_lines(text)))

    assert isinstance(summary, Summary)
    assert codes(summary).get("451") == 1
    assert sum(codes(summary).values()) <= 2
    assert peak < MEMORY_LIMIT


def test_cut_off_json_array_still_yields_its_complete_events() -> None:
    text = "[\n" + ",\n".join([EVENT_JSON] * 3) + ',\n{"event": "bou'

    summary = summarize(text_lines(text))

    assert codes(summary) == {"550": 3}


def test_deeply_nested_json_query_is_not_explained() -> None:
    query = parse_query("[" * 100_000)

    assert query.explanations == ()
    assert query.looks_like_log or query.problems


# --- Slack control sequences inside logs -----------------------------------------


def hostile_summary() -> Summary:
    """A file whose bounce reply carries every Slack control sequence."""
    data = (postfix(1, HOSTILE_REPLY, "5.7.1") + "\n").encode()
    return summarize(open_lines(data))


def test_mentions_in_a_log_are_escaped_in_blocks() -> None:
    blocks = summary_blocks(hostile_summary())

    dumped = json.dumps(blocks)
    assert check_blocks(blocks) == []
    assert not _SLACK_CONTROL.search(dumped)
    for mention in MENTIONS:
        assert mention.replace("<", "&lt;").replace(">", "&gt;") in dumped
    example = next(
        b["text"]["text"]
        for b in blocks
        if "*Example:*" in b.get("text", {}).get("text", "")
    )
    span = example.split("*Example:* ", 1)[1].split("\n", 1)[0]
    assert span.startswith("`") and span.endswith("`") and span.count("`") == 2
    assert "*_~" in span  # formatting characters stay inert inside the code span


def test_mentions_in_a_log_are_shown_literally_in_text_and_json() -> None:
    summary = hostile_summary()

    text = summary_text(summary)
    data = summary_dict(summary)

    assert "<!channel>" in text and "&lt;" not in text
    example = data["codes"][0]["examples"][0]
    assert all(mention in example for mention in MENTIONS)
    assert "&lt;" not in example


def test_mentions_in_a_slack_paste_are_escaped_and_links_unwrapped() -> None:
    pasted = postfix(1, HOSTILE_REPLY, "5.7.1").replace("<ann@", "&lt;ann@")
    summary = summarize(text_lines(pasted))

    dumped = json.dumps(summary_blocks(summary))

    assert codes(summary) == {"550": 1}
    assert "&lt;!channel&gt;" in dumped and "&lt;@U123&gt;" in dumped
    assert "evil.example" not in dumped or "&lt;https" in dumped
    assert not _SLACK_CONTROL.search(dumped)


def test_mentions_in_a_summary_title_are_made_plain() -> None:
    blocks = summary_blocks(hostile_summary(), title="<!here> maillog <@U123>")

    assert blocks[0]["type"] == "header"
    assert "<" not in blocks[0]["text"]["text"]
    assert check_blocks(blocks) == []


# --- 100 000 distinct codes ------------------------------------------------------


def distinct_code_lines(count: int) -> Iterator[str]:
    """Postfix lines, each with an enhanced code no other line has."""
    for i in range(count):
        yield postfix(i, "ok", f"2.{i // 1000}.{i % 1000}", "sent").replace(
            "4A1B2C3", f"{i:X}Q"
        )


def test_hundred_thousand_distinct_codes_keep_the_summary_bounded() -> None:
    total = 100_000

    summary, peak = peak_memory(lambda: summarize(distinct_code_lines(total)))

    assert isinstance(summary, Summary)
    assert summary.events == total
    assert len(summary.groups) == MAX_CODES
    assert summary.other_codes == min(total - MAX_CODES, MAX_OVERFLOW_CODES)
    assert f"{total - MAX_CODES:,} events" in summary.notes[0]
    assert peak < 32 * MB

    blocks = summary_blocks(summary)
    assert check_blocks(blocks) == []
    assert "more" in blocks[-2]["elements"][0]["text"]
    assert len(summary_dict(summary)["codes"]) == MAX_CODES
    assert len(summary_text(summary)) < 100_000


def test_many_distinct_failure_codes_are_grouped_and_counted() -> None:
    total = 3_000
    lines = (postfix(i, "rejected", f"5.{i // 1000}.{i % 1000}") for i in range(total))

    summary = summarize(lines)

    assert summary.events == total
    assert len(summary.groups) == MAX_CODES
    assert summary.other_codes == total - MAX_CODES
    assert sum(g.count for g in summary.groups) == MAX_CODES


# --- the CLI on each hostile file ------------------------------------------------

CLI_CASES: dict[str, tuple[bytes, int, str]] = {
    # name: (content, exit status, what stderr must say or stdout must hold)
    "image.png": (BINARIES["png"], 1, "does not look like a text log"),
    "random.bin": (BINARIES["random"], 1, "does not look like a text log"),
    "bomb.log.gz": (gzip_members(b"a" * (16 * MB), 64), 1, "unpacks to far more"),
    "liar.gz": (
        gzip.compress(TWO_LINES.encode())[:-4] + (10**9).to_bytes(4, "little"),
        1,
        "I could not read",
    ),
    "empty.log": (b"", 1, words.EMPTY_INPUT),
    "blank.log": (b"  \n\t\n\r\n", 1, "No SMTP reply codes found in 3 lines"),
    "long.log": (b"550 5.1.1 " + b"x" * (10 * MB) + b"\n", 0, "550"),
    "ansi.log": (b"\x1b[31m550 5.1.1 unknown\x1b[0m\r\n", 0, "550"),
    "nul.log": (b"451 4.7.1 later\x00\n", 0, "451"),
    "nested.json": (b"[" * 100_000, 1, "No SMTP reply codes found in 1 line"),
    "mentions.log": ((postfix(1, HOSTILE_REPLY, "5.7.1") + "\n").encode(), 0, "550"),
    "invalid.log": (b"\xc3\x28\xed\xa0\x80 " + TWO_LINES.encode(), 0, "451"),
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_summarize_hostile_file_exits_cleanly(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, status, expected = CLI_CASES[name]
    path = tmp_path / name
    path.write_bytes(content)

    code = main(["summarize", str(path)])

    out, err = capsys.readouterr()
    assert code == status
    assert expected in (err if status and not out else out)
    assert "Traceback" not in err and "Traceback" not in out
    assert len(err) < 400 and err.count("\n") <= 3
    assert "\x1b" not in out and "\x00" not in out


@pytest.mark.parametrize("name", ["mentions.log", "invalid.log", "ansi.log"])
def test_cli_summarize_json_on_hostile_file_is_valid_json(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(CLI_CASES[name][0])

    code = main(["summarize", "--json", str(path)])

    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0
    assert data["events"] == sum(c["count"] for c in data["codes"]) >= 1
    assert all("\x1b" not in s and "\x00" not in s for s in all_strings(data))


def test_cli_explain_with_escape_sequences_prints_no_escape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["550", "5.1.1", "\x1b[2J\x1b]0;owned\x07<!channel>"])

    out, err = capsys.readouterr()
    assert code == 0
    assert "550 5.1.1" in out
    assert "\x1b" not in out + err and "\x07" not in out + err
