"""Block Kit for Slack: explanation cards, summaries, problems and the Home tab.

Everything that comes from a user or a log is escaped, and every message stays
inside Block Kit's limits (checked by `check_blocks`, which the tests use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from bot.knowledge.errors import QueryError
from bot.knowledge.records import Explanation
from bot.render import words
from bot.render.escape import (
    code_span,
    cut,
    drop_controls,
    escape,
    excerpt,
    one_line,
    plain_text,
)
from bot.render.text import address_text, summary_totals

if TYPE_CHECKING:  # bot.logs is imported only when a log is summarized
    from bot.logs.summary import CodeGroup, Summary

Block = dict[str, Any]

# Slack's limits (SLACK-FACTS §4.1) and the margins we keep under them.
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SAFE_BLOCKS = 40
SECTION_TEXT = 3000
SECTION_CUT = 2900
HEADER_TEXT = 150
MAX_FIELDS = 10
FIELD_TEXT = 2000
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ID_LENGTH = 255
MAX_TOTAL_TEXT = 11_000
SAFE_TOTAL_TEXT = 10_000
CAUSES_SHOWN = 4

SHARE_BLOCK_ID = "share"
_PING = re.compile(r"<[!#@]")
_SHARED_BY = re.compile(r"^Shared by <@[UW][A-Z0-9]+>$")


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> Block:
    """A mrkdwn section, cut to stay under the 3000-character limit."""
    return {"type": "section", "text": _mrkdwn(cut(text, SECTION_CUT))}


def header(text: str) -> Block:
    """A header block; `text` may be user-derived (it is made plain-text safe)."""
    safe = cut(one_line(plain_text(text)), HEADER_TEXT) or words.APP_NAME
    return {"type": "header", "text": {"type": "plain_text", "text": safe}}


def context(*texts: str) -> Block:
    """A context block of up to ten mrkdwn elements (blank ones dropped)."""
    elements = [_mrkdwn(cut(t, CONTEXT_TEXT)) for t in texts if t.strip()]
    return {"type": "context", "elements": elements[:CONTEXT_ELEMENTS]}


def divider() -> Block:
    """A divider block."""
    return {"type": "divider"}


# --- Explanations --------------------------------------------------------------


def _labelled(label: str, value: str) -> str:
    """ "*Label:* value" with the value escaped, or "" when empty."""
    value = one_line(value)
    return f"*{label}:* {escape(value)}" if value else ""


def _card_text(exp: Explanation) -> str:
    """The body of one card, in mrkdwn, all text escaped."""
    lines = [f"*{escape(one_line(exp.title))}*" if exp.title else ""]
    if exp.table is not None:
        lines.append(
            _labelled(words.table_label(exp.table.type), exp.table.description)
        )
    if exp.standard and exp.standard != exp.title:
        lines.append(_labelled(words.LABEL_STANDARD, exp.standard))
    if exp.code is not None:  # an enhanced code alone is the header and meaning
        lines.append(_labelled(exp.enhanced or "", words.enhanced_text(exp)))
    if exp.reply_text:
        lines.append(f"*{words.LABEL_SERVER_SAID}:* {code_span(exp.reply_text)}")
    if exp.provider is not None:
        label = f"{words.LABEL_PROVIDER} ({exp.provider.provider})"
        lines.append(_labelled(label, words.provider_text(exp.provider)))
    lines.append(_labelled(words.LABEL_REASON, words.reason_text(exp.reason, None)))
    lines.append(_labelled(words.LABEL_ADDRESS, address_text(exp)))

    if exp.causes:
        causes = "\n".join(
            f"• {escape(one_line(c))}" for c in exp.causes[:CAUSES_SHOWN]
        )
        lines.append(f"*{words.LABEL_CAUSES}:*\n{causes}")
    lines.append(_labelled(words.LABEL_ACTION, exp.action))
    lines.append(_labelled(words.LABEL_RETRY, words.retry_text(exp.retry)))
    notes = (exp.provider.note if exp.provider else "", *exp.notes)
    lines += [f":warning: {escape(one_line(n))}" for n in dict.fromkeys(notes) if n]
    return "\n".join(line for line in lines if line)


def explanation_card(exp: Explanation) -> list[Block]:
    """Header, body and a context line (RFC, related codes) for one code."""
    title = f"{exp.label or exp.query} · {exp.code_class.value}"
    if not exp.known:
        title += " (not listed)"
    blocks = [header(title), section(_card_text(exp))]

    foot = [escape(exp.rfc)] if exp.rfc else []
    if exp.related:
        foot.append(_labelled(words.LABEL_RELATED, ", ".join(exp.related)))
    if foot:
        blocks.append(context(*foot))
    return blocks


def share_value(exps: Iterable[Explanation]) -> str:
    """The query text that rebuilds these cards, for the share button (≤2000).

    Each code on its own line, with the server's reply text when there was one,
    so that a provider's reply is recognised again; the texts are dropped first
    when the whole would be too long.
    """
    exps = list(exps)
    full = "\n".join(dict.fromkeys(one_line(f"{e.label} {e.reply_text}") for e in exps))
    if len(full) <= BUTTON_VALUE:
        return full

    labels = "\n".join(dict.fromkeys(e.label or e.query for e in exps))
    if len(labels) <= BUTTON_VALUE:
        return labels
    return labels[:BUTTON_VALUE].rsplit("\n", 1)[0]


def share_actions(
    value: str,
    *,
    action_id: str = words.SHARE_ACTION_ID,
    block_id: str = SHARE_BLOCK_ID,
) -> Block:
    """An actions block with the "Share in channel" button carrying `value`."""
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": words.SHARE_BUTTON},
        "action_id": action_id,
        "value": value,
    }
    return {"type": "actions", "block_id": block_id, "elements": [button]}


def explanation_blocks(
    exps: Iterable[Explanation],
    problems: Iterable[QueryError] = (),
    *,
    share: bool,
) -> list[Block]:
    """A card per code, then any problems, then (if `share`) the share button."""
    exps = list(exps)
    tail: list[Block] = []
    problem_texts = [words.query_error_text(p) for p in problems]
    if problem_texts or not exps:
        tail += problem_blocks("\n".join(problem_texts) or words.NOT_A_CODE)
    if share and exps:
        tail.append(share_actions(share_value(exps)))

    blocks: list[Block] = []
    shown = 0
    for exp in exps:
        card = ([divider()] if blocks else []) + explanation_card(exp)
        budget = blocks + card + tail
        if len(budget) + 1 > SAFE_BLOCKS or text_size(budget) > SAFE_TOTAL_TEXT:
            break
        blocks += card
        shown += 1

    if shown < len(exps):
        blocks.append(context(escape(words.more_codes(len(exps) - shown))))
    return blocks + tail


def problem_blocks(text: str) -> list[Block]:
    """A short reply saying what was wrong and what to try (text is escaped)."""
    return [section(escape(drop_controls(text)))]


# --- Summaries -----------------------------------------------------------------


def _group_text(group: CodeGroup) -> str:
    """One code of a summary as a mrkdwn section body."""
    lines = [
        f"{code_span(words.group_key(group))} · *{escape(words.group_class(group))}* · "
        f"*{group.count:,}* ({escape(words.share_text(group.share))})",
        escape(one_line(words.group_meaning(group))),
    ]
    reasons = words.reason_counts(group.reasons)
    details = [
        ("Outcomes", escape(words.codeless_statuses(group))),
        ("Enhanced", words.top_counts(group.enhanced, show=escape)),
        ("Reasons", words.top_counts(reasons, show=escape)),
        ("Providers", words.top_counts(group.providers, show=escape)),
        ("Domains", words.top_counts(group.domains, show=escape)),
        ("Hosts", words.top_counts(group.hosts, n=2, show=escape)),
        ("Seen", escape(words.seen_range(group.first_seen, group.last_seen))),
    ]
    lines += [f"*{label}:* {value}" for label, value in details if value]
    if group.examples:
        example = excerpt(one_line(group.examples[0]), 400, around=group.code)
        lines.append("*Example:* " + code_span(example, limit=420))
    return "\n".join(lines)


def summary_blocks(summary: Summary, *, title: str = "") -> list[Block]:
    """Verdict, totals, then a section per code worst first, trimmed to fit.

    When codes are left out, a last context line says "+N more codes"; the Slack
    layer attaches the full text.
    """
    totals = summary_totals(summary)
    blocks = [
        header(one_line(title) or words.SUMMARY_TITLE),
        section(f"*{words.VERDICT}:* {escape(one_line(summary.verdict))}"),
        context(escape(totals)),
    ]
    if not summary.groups:
        return [*blocks, section(escape(words.NOTHING_FOUND))]

    notes = [escape(one_line(n)) for n in summary.notes if one_line(n)]
    tail = [context(*notes)] if notes else []
    blocks.append(divider())
    shown = 0
    for group in summary.groups:
        candidate = [*blocks, section(_group_text(group)), *tail]
        if len(candidate) + 1 > SAFE_BLOCKS or text_size(candidate) > SAFE_TOTAL_TEXT:
            break
        blocks.append(candidate[len(blocks)])
        shown += 1

    hidden = len(summary.groups) - shown + summary.other_codes
    if hidden:
        blocks.append(context(escape(words.more_codes(hidden))))
    return blocks + tail


# --- Home tab ------------------------------------------------------------------


def _chunks(lines: list[str], limit: int = SECTION_CUT) -> Iterator[str]:
    """Join lines into texts of at most `limit` characters."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > limit:
            yield "\n".join(chunk)
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        yield "\n".join(chunk)


def home_view() -> dict[str, Any]:
    """The Home tab: how to use the bot, then the embedded table."""
    from bot.knowledge.lookup import table_rows

    rows = [
        f"{code_span(r.code)}  {escape(r.description)}  _{escape(r.type)}_"
        for r in table_rows()
    ]
    blocks = [
        header(words.HOME_TITLE),
        section(escape(words.HOME_INTRO)),
        section(words.SLACK_HELP),
        context(words.HOME_CLI),
        divider(),
        header(words.HOME_TABLE_TITLE),
        *(section(text) for text in _chunks(rows)),
        context(escape(words.HOME_TABLE_NOTE)),
    ]
    return {"type": "home", "blocks": blocks}


# --- Limits --------------------------------------------------------------------


def _texts(block: Block) -> Iterator[str]:
    """Every text a person sees in a block."""
    text = block.get("text")
    if isinstance(text, dict):
        yield str(text.get("text", ""))
    for item in block.get("fields", ()) or ():
        yield str(item.get("text", ""))
    for element in block.get("elements", ()) or ():
        if "text" not in element:
            continue  # an image or another element without text
        inner = element["text"]
        yield str(inner.get("text", "") if isinstance(inner, dict) else inner)


def text_size(blocks: Iterable[Block]) -> int:
    """Characters of visible text over all blocks (Slack's undocumented budget)."""
    return sum(len(t) for b in blocks for t in _texts(b))


def _check_block(i: int, block: Block) -> Iterator[str]:
    kind = block.get("type")
    where = f"block {i} ({kind})"
    if len(str(block.get("block_id", ""))) > ID_LENGTH:
        yield f"{where}: block_id over {ID_LENGTH}"

    if kind == "header":
        text = block.get("text", {})
        if text.get("type") != "plain_text":
            yield f"{where}: header text must be plain_text"
        if len(text.get("text", "")) > HEADER_TEXT:
            yield f"{where}: header text over {HEADER_TEXT}"
    elif kind == "section":
        fields = block.get("fields") or []
        if "text" not in block and not fields:
            yield f"{where}: section needs text or fields"
        if len(block.get("text", {}).get("text", "")) > SECTION_TEXT:
            yield f"{where}: section text over {SECTION_TEXT}"
        if len(fields) > MAX_FIELDS:
            yield f"{where}: more than {MAX_FIELDS} fields"
        if any(len(f.get("text", "")) > FIELD_TEXT for f in fields):
            yield f"{where}: a field over {FIELD_TEXT}"
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            yield f"{where}: needs 1 to {CONTEXT_ELEMENTS} elements"
        if any(len(e.get("text", "")) > CONTEXT_TEXT for e in elements):
            yield f"{where}: an element over {CONTEXT_TEXT}"
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= ACTIONS_ELEMENTS:
            yield f"{where}: needs 1 to {ACTIONS_ELEMENTS} elements"
        for e in elements:
            if len(e.get("text", {}).get("text", "")) > BUTTON_TEXT:
                yield f"{where}: button text over {BUTTON_TEXT}"
            if len(str(e.get("value", ""))) > BUTTON_VALUE:
                yield f"{where}: button value over {BUTTON_VALUE}"
            if not 0 < len(str(e.get("action_id", "x"))) <= ID_LENGTH:
                yield f"{where}: action_id empty or over {ID_LENGTH}"
    elif kind != "divider":
        yield f"{where}: unexpected block type"

    for text in _texts(block):
        if not text.strip() and kind != "divider":
            yield f"{where}: empty text"
        if _PING.search(text) and not _SHARED_BY.match(text):
            yield f"{where}: unescaped mention or link {text[:40]!r}"


def check_blocks(
    blocks: list[Block],
    *,
    max_blocks: int = MAX_BLOCKS,
    max_total: int | None = MAX_TOTAL_TEXT,
) -> list[str]:
    """List every Block Kit limit these blocks break (empty when all is well).

    Also flags `<!…>`, `<@…>` and `<#…>` sequences, which only unescaped user
    text could bring (except our own "Shared by <@U…>" line).
    """
    problems = []
    if not blocks:
        problems.append("no blocks")
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks, over {max_blocks}")
    for i, block in enumerate(blocks):
        problems += _check_block(i, block)
    if max_total is not None and text_size(blocks) > max_total:
        problems.append(f"{text_size(blocks)} characters of text, over {max_total}")
    return problems


def check_view(view: dict[str, Any]) -> list[str]:
    """Like check_blocks, for a Home tab or modal view (up to 100 blocks)."""
    return check_blocks(
        view.get("blocks", []), max_blocks=MAX_VIEW_BLOCKS, max_total=None
    )
