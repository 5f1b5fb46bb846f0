"""Plain text for a terminal: explanations of codes, and log summaries.

A summary reads top-down in ten seconds: the verdict, a compact table by code
worst first, a few example lines, then the totals.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.knowledge.errors import QueryError
from bot.knowledge.records import Explanation
from bot.render import words
from bot.render.escape import cut, excerpt, one_line

if TYPE_CHECKING:  # bot.logs is imported only when a log is summarized
    from bot.logs.summary import CodeGroup, Summary

WIDTH = 88
INDENT = "  "
EXAMPLES_SHOWN = 6


def _field(label: str, value: str, indent: str = INDENT) -> list[str]:
    """A "Label: value" line, wrapped to WIDTH with a hanging indent."""
    value = one_line(value)
    if not value:
        return []
    return textwrap.wrap(
        f"{label}: {value}",
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    )


def _header(exp: Explanation) -> str:
    """ "550 5.7.26 · permanent failure · Mailbox unavailable"."""
    parts = [exp.label or exp.query, exp.code_class.value]
    if exp.title:
        parts.append(exp.title)
    header = " · ".join(one_line(p) for p in parts if p)
    if not exp.known:
        header += " (not a listed code: meaning from its class)"
    return header


def summary_totals(summary: Summary) -> str:
    """The totals line: lines read, events found, formats, lines not understood."""
    return words.totals_text(
        summary.lines_read,
        summary.events,
        summary.bytes_read,
        summary.formats,
        summary.unparsed,
    )


def address_text(exp: Explanation) -> str:
    """What the reply says about the recipient's address; "" when it says nothing."""
    if exp.hard is None or not words.reason_text(exp.reason, None):
        return ""
    if exp.hard:
        return words.ADDRESS_BAD
    return words.ADDRESS_FINE.get(exp.code_class.value, "")


def _provider_lines(exp: Explanation) -> list[str]:
    """Who answered and what their reply means, with the reason and bounce kind."""
    lines: list[str] = []
    if exp.provider is not None:
        label = f"{words.LABEL_PROVIDER} ({exp.provider.provider})"
        lines += _field(label, words.provider_text(exp.provider))
        lines += _field(words.LABEL_FLAG, exp.provider.note)
    lines += _field(words.LABEL_REASON, words.reason_text(exp.reason, None))
    lines += _field(words.LABEL_ADDRESS, address_text(exp))
    return lines


def explanation_text(exp: Explanation) -> str:
    """One explanation as a block of labelled lines."""
    lines = textwrap.wrap(_header(exp), WIDTH, subsequent_indent=INDENT * 2)
    if exp.table is not None:
        lines += _field(words.table_label(exp.table.type), exp.table.description)
    if exp.standard and exp.standard != exp.title:
        lines += _field(words.LABEL_STANDARD, exp.standard)
    if exp.code is not None:  # an enhanced code alone is the header and meaning
        lines += _field(exp.enhanced or "", words.enhanced_text(exp))
    lines += _field(words.LABEL_SERVER_SAID, cut(exp.reply_text, 400))
    lines += _provider_lines(exp)

    if exp.causes:
        lines.append(f"{INDENT}{words.LABEL_CAUSES}:")
        for cause in exp.causes:
            lines += textwrap.wrap(
                one_line(cause),
                WIDTH,
                initial_indent=INDENT * 2 + "- ",
                subsequent_indent=INDENT * 3,
            )
    lines += _field(words.LABEL_ACTION, exp.action)
    lines += _field(words.LABEL_RETRY, words.retry_text(exp.retry))
    lines += _field(words.LABEL_RELATED, ", ".join(exp.related))
    lines += _field("RFC", exp.rfc)
    for note in dict.fromkeys(exp.notes):
        lines += _field(words.LABEL_FLAG, note)
    return "\n".join(lines)


def explanations_text(
    exps: Iterable[Explanation], problems: Iterable[QueryError] = ()
) -> str:
    """Explanations separated by blank lines, then each problem with what to try."""
    blocks = [explanation_text(e) for e in exps]
    blocks += [
        "\n".join(textwrap.wrap(words.query_error_text(p), WIDTH)) for p in problems
    ]
    return "\n\n".join(blocks)


def _pack(parts: list[str], width: int = WIDTH, sep: str = " · ") -> list[str]:
    """Join parts with `sep` into lines of `width`, breaking only between parts."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def _group_rows(group: CodeGroup, code_width: int) -> list[str]:
    """A code's table row, then indented detail lines under its meaning."""
    meaning_width = WIDTH - code_width - 33
    klass = "-" if group.code == words.CODELESS else words.class_short(group.code_class)
    row = (
        f"{words.group_key(group):<{code_width}}  {group.count:>8,}  "
        f"{words.share_text(group.share):>6}  {klass:<11}  "
        f"{cut(one_line(words.group_meaning(group)), meaning_width)}"
    )
    pad = " " * (code_width + 2)
    details = [
        ("outcomes", words.codeless_statuses(group)),
        ("enhanced", words.top_counts(group.enhanced, n=2)),
        ("reasons", words.top_counts(words.reason_counts(group.reasons), n=2)),
        ("providers", words.top_counts(group.providers, n=2)),
        ("domains", words.top_counts(group.domains, n=2)),
        ("hosts", words.top_counts(group.hosts, n=2)),
        ("seen", words.seen_range(group.first_seen, group.last_seen)),
    ]
    parts = [f"{label} {value}" for label, value in details if value]
    return [row, *(cut(pad + line, WIDTH) for line in _pack(parts, WIDTH - len(pad)))]


def _examples(groups: tuple[CodeGroup, ...], code_width: int) -> list[str]:
    """One example line per code, for the first few codes."""
    lines: list[str] = []
    for group in groups[:EXAMPLES_SHOWN]:
        if group.examples:
            room = WIDTH - len(INDENT) - code_width - 2
            example = excerpt(one_line(group.examples[0]), room, around=group.code)
            lines.append(f"{INDENT}{words.group_key(group):<{code_width}}  {example}")
    return lines


def summary_text(summary: Summary) -> str:
    """A whole summary for a terminal: verdict, table by code, examples, totals."""
    out = textwrap.wrap(f"{words.VERDICT}: {one_line(summary.verdict)}", WIDTH)
    if not summary.groups:
        out += ["", *textwrap.wrap(words.NOTHING_FOUND, WIDTH)]

    else:
        code_width = max(4, *(len(words.group_key(g)) for g in summary.groups))
        header = f"{'CODE':<{code_width}}  {'COUNT':>8}  {'SHARE':>6}  CLASS{' ' * 8}"
        out += ["", header + "MEANING"]
        for group in summary.groups:
            out += _group_rows(group, code_width)
        if summary.other_codes:
            out.append(words.more_codes(summary.other_codes))

        examples = _examples(summary.groups, code_width)
        if examples:
            out += ["", "Examples", *examples]

    out += ["", *_pack(summary_totals(summary).split(" · "))]
    span = words.seen_range(summary.first_seen, summary.last_seen)
    if span:
        out.append(f"Time span: {span}")
    for note in summary.notes:
        out += textwrap.wrap(f"{words.LABEL_FLAG}: {one_line(note)}", WIDTH)
    return "\n".join(out)
