"""What the bot answers: explanation cards, usage, and log summaries run as jobs.

Listeners decide where an answer goes; this module decides what it says, using
the knowledge core, the log reader and the Block Kit renderer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.knowledge.errors import InputError
from bot.knowledge.query import Query, parse_query
from bot.logs.mask import mask_addresses
from bot.logs.reader import summarize as summarize_lines
from bot.logs.source import open_lines, text_lines
from bot.logs.summary import Summary
from bot.render import words
from bot.render.blocks import (
    explanation_blocks,
    problem_blocks,
    section,
    share_actions,
    summary_blocks,
)
from bot.render.escape import code_span, cut, escape, one_line
from bot.render.text import summary_text
from bot.slack import files
from bot.slack.deps import Deps
from bot.slack.jobs import Deadline, Job, JobTimeout
from bot.slack.kept import KeptStore
from bot.slack.replies import Reply, slack_error
from bot.slack.settings import Settings
from bot.slack.text import message_text

logger = logging.getLogger(__name__)

Block = dict[str, Any]
HELP_WORDS = frozenset({"", "help", "?", "-h", "--help", "usage"})
FALLBACK_TEXT = 300
MAX_BLOCKS = 50


@dataclass(frozen=True, slots=True)
class Answer:
    """Blocks, the notification text, and the untrimmed detail when blocks were cut.

    `shareable` marks a summary that a private reply may offer to share.
    """

    blocks: list[Block]
    text: str
    full_text: str = ""
    shareable: bool = False


@dataclass(frozen=True, slots=True)
class Sources:
    """What to summarize: text as Slack sent it, and Slack file objects."""

    text: str = ""
    files: tuple[dict[str, Any], ...] = ()


def is_help(text: str) -> bool:
    """True for an empty query or a request for usage."""
    return text.strip().lower() in HELP_WORDS


def usage() -> Answer:
    """How to use the bot."""
    return Answer([section(words.SLACK_HELP)], words.SLASH_DESCRIPTION)


def problem(text: str) -> Answer:
    """A short reply saying what went wrong (text is escaped by the renderer)."""
    return Answer(problem_blocks(text), escape(cut(one_line(text), FALLBACK_TEXT)))


def answer_text(
    slack_text: str,
    attached: tuple[dict[str, Any], ...],
    reply: Reply,
    *,
    client: WebClient,
    deps: Deps,
    share: bool,
) -> str:
    """Answer a message or command: usage, cards, or a summary job. Returns the outcome.

    `slack_text` is the text as Slack sent it (mention removed). Files, and text
    that reads as a log, are summarized on the job runner; codes are explained
    at once.
    """
    text = message_text(slack_text)
    if not attached and is_help(text):
        answer = usage()
        reply.send(answer.blocks, answer.text)
        return "help"

    query = parse_query(text) if text.strip() else None
    if not attached and query is not None and not query.looks_like_log:
        answer = explain_query(query, share=share)
        reply.send(answer.blocks, answer.text)
        return "explained" if query.explanations else "bad query"

    log_text = slack_text if query is not None and query.looks_like_log else ""
    job = summary_job(
        Sources(log_text, attached),
        reply,
        client=client,
        settings=deps.settings,
        kept=deps.kept if share else None,
    )
    if deps.jobs.submit("summary", job):
        return "queued"
    answer = problem(words.BUSY)
    reply.send(answer.blocks, answer.text)
    return "busy"


def explain(text: str, *, share: bool, mask: bool = False) -> Answer:
    """Cards for every code in `text`; `mask` hides the local part of addresses."""
    return explain_query(
        parse_query(mask_addresses(text) if mask else text), share=share
    )


def explain_query(query: Query, *, share: bool) -> Answer:
    """Cards for a parsed query, with its problems, and the share button if asked."""
    blocks = explanation_blocks(query.explanations, query.problems, share=share)
    if query.explanations:
        fallback = ", ".join(
            f"{e.label} ({e.code_class.value})" for e in query.explanations
        )
    elif query.problems:
        fallback = words.query_error_text(query.problems[0])
    else:
        fallback = words.NOT_A_CODE
    return Answer(blocks, escape(cut(one_line(fallback), FALLBACK_TEXT)))


def summary_job(
    sources: Sources,
    reply: Reply,
    *,
    client: WebClient,
    settings: Settings,
    kept: KeptStore | None = None,
) -> Job:
    """A job that reads the sources, summarizes them and sends the answer.

    With `kept` (private replies), the summary is kept and gets a Share button.
    """

    def run(deadline: Deadline) -> None:
        try:
            answer = summarize(
                sources, reply, client=client, settings=settings, deadline=deadline
            )
        except JobTimeout:
            answer = problem(words.timed_out(_names(sources)))
        except Exception:
            logger.exception("summary failed")
            answer = problem(words.GENERIC_FAILURE)
        if kept is not None and answer.shareable:
            answer = with_share_button(answer, kept, owner=reply.user)
        reply.send(answer.blocks, answer.text, full_text=answer.full_text)

    return run


def summarize(
    sources: Sources,
    reply: Reply,
    *,
    client: WebClient,
    settings: Settings,
    deadline: Deadline,
) -> Answer:
    """Read every source, summarize the lines together, and say what could not be read.

    Raises JobTimeout when the deadline passes.
    """
    problems: list[str] = []
    lines = _lines(sources, reply, client, settings, deadline, problems)
    summary = summarize_lines(lines, progress=lambda _done, _total: deadline.check())
    deadline.check()
    return summary_answer(summary, problems)


def summary_answer(summary: Summary, problems: list[str] | None = None) -> Answer:
    """Blocks for a summary plus any problems; the full text when trimmed."""
    problems = problems or []
    notes = problem_blocks("\n".join(problems)) if problems else []
    if not summary.groups and problems:
        return problem("\n".join(problems))

    blocks = summary_blocks(summary)
    blocks = blocks[: MAX_BLOCKS - len(notes)] + notes
    full_text = summary_text(summary) if _trimmed(summary, blocks) else ""
    text = escape(cut(one_line(summary.verdict), FALLBACK_TEXT))
    return Answer(blocks, text, full_text, shareable=bool(summary.groups))


def with_share_button(answer: Answer, kept: KeptStore, owner: str = "") -> Answer:
    """Keep the answer (addresses masked) and add a Share button that names it.

    Only `owner` (the user it was made for) may share it later. When it cannot
    be kept, the answer goes out as it is, without the button.
    """
    masked = mask_blocks(answer.blocks[: MAX_BLOCKS - 1])
    stored = {"blocks": masked, "text": answer.text, "owner": owner}
    key = kept.keep(json.dumps(stored))
    if key is None:
        return answer
    blocks = [*answer.blocks[: MAX_BLOCKS - 1], share_summary_button(key)]
    return Answer(blocks, answer.text, answer.full_text, answer.shareable)


def share_summary_button(key: str) -> Block:
    """The actions block under a private summary; the button's value is the kept id."""
    return share_actions(
        key,
        action_id=words.SHARE_SUMMARY_ACTION_ID,
        block_id=words.SHARE_SUMMARY_ACTION_ID,
    )


def kept_summary(kept: KeptStore, key: str, user: str = "") -> Answer | None:
    """The summary kept under `key` (masked when kept) for `user`, else None.

    None too when it expired or was kept for someone else.
    """
    raw = kept.get(key) if key else None
    if raw is None:
        return None
    stored = json.loads(raw)
    if stored.get("owner") and stored["owner"] != user:
        logger.warning("share of a summary kept for another user refused")
        return None
    return Answer(list(stored["blocks"]), str(stored["text"]))


def mask_blocks(blocks: list[Block]) -> list[Block]:
    """A copy of the blocks with the local part of every address in a text masked."""

    def masked(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: mask_addresses(v)
                if k == "text" and isinstance(v, str)
                else masked(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [masked(v) for v in value]
        return value

    return [masked(block) for block in blocks]


def _trimmed(summary: Summary, blocks: list[Block]) -> bool:
    """True when summary_blocks left codes out (each shown code is a code span)."""
    if summary.other_codes:
        return True
    shown = "\n".join(
        str((b.get("text") or {}).get("text", ""))
        for b in blocks
        if b["type"] == "section"
    )
    return any(code_span(g.code) not in shown for g in summary.groups)


def _names(sources: Sources) -> str:
    names = [escape(files.file_name(f)) for f in sources.files]
    return ", ".join(names[:3]) or "the log"


def _lines(
    sources: Sources,
    reply: Reply,
    client: WebClient,
    settings: Settings,
    deadline: Deadline,
    problems: list[str],
) -> Iterator[str]:
    """Lines of the pasted text, then of each file; file problems are noted."""
    if sources.text.strip():
        yield from text_lines(sources.text)
    for file in sources.files:
        deadline.check()
        yield from _file_lines(file, reply, client, settings, deadline, problems)


def _file_lines(
    file: dict[str, Any],
    reply: Reply,
    client: WebClient,
    settings: Settings,
    deadline: Deadline,
    problems: list[str],
) -> Iterator[str]:
    name = escape(files.file_name(file))
    if not files.is_log_file(file):
        problems.append(words.UNSUPPORTED_FILE.format(name=name))
        return
    try:
        file = files.resolve(client, file)
        size = int(file.get("size") or 0)
        if size > settings.max_file_bytes:
            raise files.DownloadTooBig(name)
        reply.progress(words.reading_progress(name, size))
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        stream = files.download(
            url,
            token=client.token or settings.bot_token,
            api_url=settings.api_url,
            name=name,
            limit=settings.max_file_bytes,
            deadline=deadline,
            stated=size or None,
        )
        with stream:
            yield from open_lines(stream, name=name, max_bytes=settings.max_text_bytes)
    except InputError as error:
        logger.info("file %s not read: %s", file.get("id"), error.kind)
        problems.append(_input_problem(error, name, settings))
    except (SlackApiError, OSError) as error:
        logger.warning("file %s not read: %s", file.get("id"), slack_error(error))
        problems.append(words.download_failed(name, slack_error(error)))


def _input_problem(error: InputError, name: str, settings: Settings) -> str:
    if error.kind == "foreign_host":
        return words.download_failed(name, "not on Slack's file host")
    if not error.name:
        error.name = name
    too_big = isinstance(error, files.DownloadTooBig)
    limit = settings.max_file_bytes if too_big else None
    return words.input_error_text(error, limit=limit)
