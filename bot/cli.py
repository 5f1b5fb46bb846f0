"""The `smtpcode` command: explain codes, print the embedded table, summarize logs.

Never imports Slack; bot.logs (and tqdm) are imported only to summarize a log, so
a lookup starts instantly. The first positional argument picks the command.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import sys
import textwrap
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, cast

from bot import __version__
from bot.knowledge.errors import InputError, QueryError, SmtpcodeError
from bot.render import words

if TYPE_CHECKING:
    from bot.logs.summary import Summary

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

COMMANDS = ("list", "summarize")
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
PROGRESS_EVERY = 4096  # lines between progress bar updates


# --- Parsers -------------------------------------------------------------------


def _explain_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smtpcode",
        usage=words.CLI_USAGE,
        description=words.CLI_DESCRIPTION,
        epilog=words.CLI_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("codes", nargs="*", metavar="CODE", help=words.CLI_CODES_HELP)
    parser.add_argument("--json", action="store_true", help=words.CLI_JSON_HELP)
    parser.add_argument(
        "--version", action="version", version=f"smtpcode {__version__}"
    )
    return parser


def _list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smtpcode list", description=words.CLI_LIST_DESCRIPTION
    )
    parser.add_argument("--json", action="store_true", help=words.CLI_LIST_JSON_HELP)
    return parser


def _summarize_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smtpcode summarize", description=words.CLI_SUMMARIZE_DESCRIPTION
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help=words.CLI_FILES_HELP)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help=words.CLI_SUMMARY_JSON_HELP)
    output.add_argument("--events", action="store_true", help=words.CLI_EVENTS_HELP)
    parser.add_argument("--sample", action="store_true", help=words.CLI_SAMPLE_HELP)
    return parser


def _sample_path() -> str:
    """The sample Postfix log that ships inside the package."""
    from importlib.resources import files

    return str(files("bot").joinpath("samples", "maillog-sample.log"))


def _command(args: list[str]) -> tuple[str, list[str]]:
    """Split off the command word when the first positional argument is one."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-":
            if arg in COMMANDS:
                return arg, args[:i] + args[i + 1 :]
            break
    return "explain", args


# --- Output helpers ------------------------------------------------------------


def _out(text: str) -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# --- Explain and list ----------------------------------------------------------


def _run_explain(ns: argparse.Namespace) -> int:
    if not ns.codes:
        _err(words.CLI_NO_ARGS)
        return EXIT_USAGE

    from bot.knowledge.query import parse_query
    from bot.render.jsonout import explanation_dict
    from bot.render.text import explanations_text

    text = " ".join(ns.codes)
    query = parse_query(text)
    if query.looks_like_log:
        return _summarize_text(text, as_json=ns.json)

    if ns.json:
        _out(_json([explanation_dict(e) for e in query.explanations]))
    elif query.explanations:
        _out(explanations_text(query.explanations))
    if query.problems:
        _err(explanations_text((), query.problems))
    ok = query.explanations and not query.problems
    return EXIT_OK if ok else EXIT_PROBLEM


def _run_list(ns: argparse.Namespace) -> int:
    from bot.knowledge.lookup import table_rows

    rows = table_rows()
    if ns.json:
        _out(
            _json(
                [
                    {"code": r.code, "description": r.description, "type": r.type}
                    for r in rows
                ]
            )
        )
        return EXIT_OK

    code_w = max(4, *(len(r.code) for r in rows))
    type_w = max(4, *(len(r.type) for r in rows))
    indent = " " * (code_w + type_w + 4)
    lines = [f"{'CODE':<{code_w}}  {'TYPE':<{type_w}}  DESCRIPTION"]
    for r in rows:
        first = f"{r.code:<{code_w}}  {r.type:<{type_w}}  "
        lines += textwrap.wrap(
            r.description, 88, initial_indent=first, subsequent_indent=indent
        )
    _out("\n".join(lines))
    return EXIT_OK


# --- Summarize -----------------------------------------------------------------


class _Bar(Protocol):
    """The part of tqdm's progress bar used here."""

    n: float

    def update(self, n: float) -> object: ...

    def close(self) -> None: ...


class _Input:
    """One opened input: its name, binary stream and size (None when unknown)."""

    def __init__(self, name: str, stream: BinaryIO, size: int | None) -> None:
        self.name = name
        self.stream = stream
        self.size = size

    def position(self) -> int | None:
        """Bytes consumed so far (compressed bytes for .gz), when knowable."""
        try:
            return self.stream.tell()
        except (OSError, ValueError):
            return None


def _size(stream: BinaryIO) -> int | None:
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _open_inputs(names: list[str]) -> list[_Input]:
    """Open every input up front, so a wrong path fails before any reading."""
    inputs = []
    for name in names or ["-"]:
        if name == "-":
            stdin = sys.stdin.buffer
            if sys.stdin.isatty():
                _err("Reading log lines from standard input; end with Ctrl-D.")
            inputs.append(_Input("standard input", stdin, _size(stdin)))
            continue
        try:
            stream = cast(BinaryIO, open(name, "rb"))  # noqa: SIM115 - see _close
        except OSError as exc:
            _close(inputs)
            raise InputError("unreadable", exc.strerror or str(exc), name) from exc
        inputs.append(_Input(name, stream, _size(stream)))
    return inputs


def _close(inputs: list[_Input]) -> None:
    for item in inputs:
        if item.stream is not sys.stdin.buffer:
            item.stream.close()


def _progress_bar(inputs: list[_Input]) -> _Bar | None:
    """A byte progress bar on stderr, only on a terminal and for large inputs."""
    sizes = [i.size for i in inputs]
    if not sys.stderr.isatty() or None in sizes:
        return None
    total = sum(s or 0 for s in sizes)
    if total < PROGRESS_MIN_BYTES:
        return None

    from tqdm import tqdm  # type: ignore[import-untyped]

    bar: _Bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=inputs[0].name if len(inputs) == 1 else f"{len(inputs)} files",
        leave=False,
        file=sys.stderr,
    )
    return bar


def _lines(
    item: _Input, bar: _Bar | None, done_before: int, skip_empty: bool
) -> Iterator[str]:
    """The decoded lines of one input, moving the progress bar as they go.

    An empty input is skipped when there are others (`skip_empty`).
    """
    from bot.logs.source import open_lines

    lines = open_lines(item.stream, name=item.name)  # no size limit in a terminal
    try:
        for n, line in enumerate(lines, 1):
            if bar is not None and n % PROGRESS_EVERY == 0:
                _advance(bar, item, done_before)
            yield line
    except InputError as error:
        if error.kind != "empty" or not skip_empty:
            raise
    if bar is not None:
        _advance(bar, item, done_before)


def _advance(bar: _Bar, item: _Input, done_before: int) -> None:
    position = item.position()
    if position is not None:
        bar.update(max(0, done_before + position - bar.n))


def _each_input(inputs: list[_Input], bar: _Bar | None) -> Iterator[Iterator[str]]:
    """The lines of each input apart, so that no entry runs from one into the next."""
    done = 0
    for item in inputs:
        yield _lines(item, bar, done, len(inputs) > 1)
        done += item.size or 0


def _print_summary(summary: Summary, *, as_json: bool) -> int:
    from bot.render.jsonout import summary_dict
    from bot.render.text import summary_text

    _out(_json(summary_dict(summary)) if as_json else summary_text(summary))
    if not summary.events and as_json:
        _err(words.NOTHING_FOUND)
    return EXIT_OK if summary.events else EXIT_PROBLEM


def _summarize_text(text: str, *, as_json: bool) -> int:
    """Summarize text given on the command line (a pasted log)."""
    from bot.logs.reader import summarize
    from bot.logs.source import text_lines

    return _print_summary(summarize(text_lines(text)), as_json=as_json)


def _print_events(inputs: list[_Input], bar: _Bar | None) -> int:
    """JSON Lines, one event each; line numbers count within each input."""
    from bot.logs.reader import read_events
    from bot.render.jsonout import event_dict

    found = 0
    done = 0
    for item in inputs:
        for event in read_events(_lines(item, bar, done, len(inputs) > 1)):
            record = event_dict(event)
            if len(inputs) > 1:
                record["file"] = item.name
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            found += 1
        done += item.size or 0

    if not found:
        _err(words.NOTHING_FOUND)
    return EXIT_OK if found else EXIT_PROBLEM


def _is_gzip(stream: BinaryIO) -> bool:
    """True when a seekable stream starts with gzip's magic bytes (left at 0)."""
    magic = stream.read(2)
    stream.seek(0)
    return magic == b"\x1f\x8b"


def _summary(inputs: list[_Input], bar: _Bar | None) -> Summary:
    """One regular file goes to summarize_path, which may use both CPUs."""
    from bot.logs.reader import summarize_many, summarize_path

    item = inputs[0]
    if (
        len(inputs) > 1
        or item.size is None
        or item.stream is sys.stdin.buffer
        or _is_gzip(item.stream)
    ):
        return summarize_many(_each_input(inputs, bar))

    def tick(_lines: int, done: int) -> None:
        if bar is not None:
            bar.update(max(0, min(done, item.size or 0) - bar.n))

    return summarize_path(item.stream.name, progress=tick)


def _run_summarize(ns: argparse.Namespace) -> int:
    names = [*ns.files, _sample_path()] if ns.sample else ns.files
    inputs = _open_inputs(names)
    bar = _progress_bar(inputs)
    try:
        if ns.events:
            return _print_events(inputs, bar)

        summary = _summary(inputs, bar)
    finally:
        if bar is not None:
            bar.close()
        _close(inputs)
    return _print_summary(summary, as_json=ns.json)


# --- Entry point ---------------------------------------------------------------


def _run(argv: list[str]) -> int:
    command, rest = _command(argv)
    if command == "list":
        return _run_list(_list_parser().parse_args(rest))
    if command == "summarize":
        return _run_summarize(_summarize_parser().parse_args(rest))
    return _run_explain(_explain_parser().parse_args(rest))


def _quiet_broken_pipe() -> None:
    """After `| head` closed the pipe, point stdout at devnull so exit is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 problem, 2 usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")

    try:
        return _run(args)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except QueryError as exc:
        _err(words.query_error_text(exc))
    except InputError as exc:
        _err(words.input_error_text(exc))
    except SmtpcodeError as exc:
        _err(str(exc))
    except KeyboardInterrupt:
        _err(words.CLI_INTERRUPTED)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `| head` took what it wanted: not a failure, so `set -o pipefail` holds.
        _quiet_broken_pipe()
        return EXIT_OK
    return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
