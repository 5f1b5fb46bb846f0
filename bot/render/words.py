"""Every sentence smtpcode shows to people, in one place so they read as one voice.

Slack texts use mrkdwn and are escaped by the caller where they carry user text;
terminal texts are plain. Error replies say what was wrong, then what to try.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.knowledge.errors import InputError, QueryError
from bot.knowledge.records import CodeClass, Explanation, ProviderReply, Retry

if TYPE_CHECKING:  # bot.logs is imported only when a log is summarized
    from bot.logs.summary import CodeGroup

APP_NAME = "smtpcode"

# --- Command line --------------------------------------------------------------

CLI_DESCRIPTION = """\
Explain SMTP reply codes, enhanced status codes and Plex email codes,
and summarize mail logs by code, worst first."""

CLI_USAGE = """\
smtpcode CODE [CODE ...] [--json]
       smtpcode list [--json]
       smtpcode summarize [FILE ...] [--json | --events]"""

CLI_EPILOG = """\
examples:
  smtpcode 451                      explain one reply code
  smtpcode 550 5.7.26 4.2.2         several codes at once
  smtpcode "host mx.example.net said: 452 4.2.2 mailbox full"
                                    every code in a pasted reply line
  smtpcode 451 --json               a JSON array, one object per code
  smtpcode list                     the embedded table (SMTP and Plex codes)
  smtpcode summarize /var/log/maillog.gz
                                    what went wrong in a log, worst code first
  smtpcode summarize --json a.log   one JSON object: verdict, totals, codes
  journalctl -u postfix | smtpcode summarize --events | jq .code
                                    one JSON object per reply (JSON Lines)

  smtpcode summarize --help         options for summaries

exit status: 0 done, 1 nothing understood or a problem with the input,
2 wrong usage."""

CLI_CODES_HELP = "codes to explain (451, 4.7.1, 550 5.7.26, 5xx) or a pasted reply"
CLI_JSON_HELP = "print a JSON array, one object per code, for scripts"
CLI_LIST_DESCRIPTION = "Print the embedded table of SMTP server and Plex codes."
CLI_LIST_JSON_HELP = "print the table as a JSON array"
CLI_SUMMARIZE_DESCRIPTION = (
    "Summarize mail logs by reply code, worst first: counts, meaning, affected "
    "domains and hosts, first and last seen. Reads plain or .gz files; reads "
    "standard input when no FILE is given or FILE is -."
)
CLI_FILES_HELP = "log files (plain or .gz); - or nothing reads standard input"
CLI_SAMPLE_HELP = "summarize the sample Postfix log that ships with smtpcode"
CLI_SUMMARY_JSON_HELP = "print the summary as one JSON object"
CLI_EVENTS_HELP = "print one JSON object per reply found (JSON Lines), for jq"
CLI_NO_ARGS = "Give a code to explain, such as: smtpcode 451  (or: smtpcode --help)"
CLI_INTERRUPTED = "Stopped."


# --- Query problems ------------------------------------------------------------

QUERY_HINT = (
    "Try a reply code such as 451, an enhanced code such as 5.7.1, both such as "
    "550 5.7.26, or a class such as 5xx."
)
NOT_A_CODE = "I found no SMTP code in that."


def suggestions_text(suggestions: tuple[str, ...]) -> str:
    """ "Nearest known codes: 550, 551." or "" when there are none."""
    if not suggestions:
        return ""
    return "Nearest known codes: " + ", ".join(suggestions[:5]) + "."


def query_error_text(error: QueryError) -> str:
    """What was wrong with a query, the nearest codes, and what to type instead."""
    problem = error.problem.strip() or NOT_A_CODE
    if problem[-1] not in ".!?":
        problem += "."
    suggestions = error.suggestions
    if all(code in problem for code in suggestions):
        suggestions = ()  # "did you mean 550?" already names it
    parts = [problem, suggestions_text(suggestions), QUERY_HINT]
    return " ".join(p for p in parts if p)


# --- Input problems (files, downloads) -----------------------------------------

NOTHING_FOUND = (
    "I read the log but found no SMTP reply codes in it. "
    "Check that it holds delivery lines (for Postfix: the smtp or smtpd lines "
    "with status= or reject:), or paste the server's reply itself."
)
EMPTY_INPUT = "There was nothing to read: the input is empty."


def size_text(n: int) -> str:
    """A byte count as people say it: 512 B, 48 KB, 1.2 MB, 3.4 GB."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            break
        size /= 1000
    if unit == "B":
        return f"{int(size)} B"
    return f"{size:.0f} {unit}" if size >= 10 else f"{size:.1f} {unit}"


def file_too_big(name: str, limit: int) -> str:
    """A file above the size limit."""
    return (
        f"{name} is larger than the {size_text(limit)} I can read here. "
        "Send a gzipped copy, or only the lines around the problem."
    )


# Whether the recipient's address is good, worded so that it never seems to
# contradict the code's class: a 5xx soft bounce refuses this message, not the
# address.
LABEL_ADDRESS = "Address status"
ADDRESS_BAD = "the address is bad (hard bounce) — remove it from your lists"
ADDRESS_FINE = {
    "permanent failure": "the address is fine (soft bounce) — this message was "
    "refused for good, so fix the cause, then resend",
    "transient failure": "the address is fine (soft bounce) — the queue retries "
    "on its own",
}
"""By the code's class (CodeClass values)."""


def size_mismatch(name: str) -> str:
    """A download that ran past the size Slack stated for the file."""
    return (
        f"{name} turned out larger than Slack said it was, so I stopped reading it. "
        "Upload it again, or paste the lines around the problem."
    )


def binary_file(name: str) -> str:
    """A file that is not text and not gzip."""
    return (
        f"{name} does not look like a text log. "
        "Send the log as plain text or as a .gz file."
    )


def gzip_bomb(name: str) -> str:
    """A gzip file that unpacks to far more than it should."""
    return (
        f"{name} unpacks to far more than it should, so I stopped reading it. "
        "Send the plain log, or only the lines around the problem."
    )


def html_instead_of_file(name: str) -> str:
    """Slack answered a login page instead of the file: files:read is missing."""
    return (
        f"Slack sent me a web page instead of {name}, which means this app may not "
        "read files yet. Ask a workspace admin to add the files:read scope and "
        "reinstall the app, then share the file again."
    )


def download_failed(name: str, detail: str = "") -> str:
    """A file download failed for another reason."""
    why = f" ({detail})" if detail else ""
    return (
        f"I could not download {name}{why}. "
        "Try again in a minute, or paste the lines instead."
    )


def timed_out(name: str) -> str:
    """Reading or downloading took too long."""
    return (
        f"Reading {name} took too long and I stopped. "
        "Send a smaller part of the log, or run smtpcode summarize on it locally."
    )


def unreadable(name: str, detail: str = "") -> str:
    """A source that failed to open or decode."""
    why = f" ({detail})" if detail else ""
    return f"I could not read {name}{why}. Check the file and try again."


def input_error_text(error: InputError, *, limit: int | None = None) -> str:
    """The reply for an InputError, by its kind; `limit` is the size limit in bytes."""
    name = error.name or "the input"
    if error.kind == "too_big" and limit:
        return file_too_big(name, limit)
    if error.kind == "too_big":
        return f"{name} is too large to read here. " + error.message
    if error.kind == "binary":
        return binary_file(name)
    if error.kind == "bomb":
        return gzip_bomb(name)
    if error.kind == "size_mismatch":
        return size_mismatch(name)
    if error.kind == "html":
        return html_instead_of_file(name)
    if error.kind == "empty":
        return EMPTY_INPUT
    if error.kind == "timeout":
        return timed_out(name)
    return unreadable(name, error.message)


# --- Slack ---------------------------------------------------------------------

SHARE_BUTTON = "Share in channel"
SHARE_ACTION_ID = "share_explanation"
SHARE_SUMMARY_ACTION_ID = "share_summary"
SHORTCUT_NAME = "Summarize SMTP codes"
SHORTCUT_DESCRIPTION = "Summarize the SMTP codes in this message and its files"
SLASH_COMMAND = "/smtpcode"
SLASH_DESCRIPTION = "Explain SMTP codes or summarize a pasted mail log"
SLASH_USAGE_HINT = "451 | 550 5.7.26 | help | paste log lines"
SUMMARY_TITLE = "SMTP codes in this log"
FULL_SUMMARY_FILE_TITLE = "Full summary"
SHORTCUT_NOTHING = (
    "That message has no text or files I can read. Use the shortcut on a message "
    "with log lines, a bounce, or an attached log file."
)
UNSUPPORTED_FILE = (
    "I can read .log, .txt, .csv, .json, .eml and .gz files and text snippets; "
    "{name} is none of these."
)
SHARE_FAILED = (
    "I could not post in this channel. Invite me with /invite @smtpcode, "
    "or copy the answer by hand."
)
GENERIC_FAILURE = "Something went wrong on my side. Try again in a minute."
BUSY = (
    "I am reading as many logs as I can at once right now, so I did not start "
    "on this one. Try again in a minute."
)
SUMMARY_EXPIRED = (
    "That summary has expired, so I cannot share it any more. "
    "Run it again and share the new one."
)
FULL_SUMMARY_IN_DM = (
    "Only the worst codes fit here; I sent you the full summary as a file in "
    "our direct messages."
)
FULL_SUMMARY_LOCALLY = (
    "Only the worst codes fit here. For every code, run `smtpcode summarize` "
    "on the log in a terminal."
)

SLACK_HELP = """\
*Explain a code:* `/smtpcode 451`, `/smtpcode 550 5.7.26`, `/smtpcode 4.2.2 421`, \
`/smtpcode 5xx`, or paste a whole reply line.
*Summarize a log:* paste log lines after `/smtpcode`, mention me with the lines or \
an attached log (`.log`, `.txt`, `.csv`, `.json`, `.eml`, `.gz`), or send them to me \
in a direct message.
*In a thread:* use the message shortcut *Summarize SMTP codes* from the message's \
⋯ menu.
Answers to `/smtpcode` are private until you press *Share in channel*."""


def reading_progress(name: str, size: int) -> str:
    """Shown while a file is downloaded and read."""
    return f"Reading {name}, {size_text(size)}…"


def shared_by(user_id: str) -> str:
    """Context line under a shared card; `user_id` is Slack's own id (U…)."""
    return f"Shared by <@{user_id}>"


def more_codes(n: int) -> str:
    """Trimmed codes at the end of a summary or a set of cards."""
    return f"+{n} more code" + ("" if n == 1 else "s")


# --- Home tab ------------------------------------------------------------------

HOME_TITLE = "smtpcode"
HOME_INTRO = (
    "I explain SMTP reply codes, enhanced status codes and Plex email codes, "
    "and summarize mail logs by code, worst first."
)
HOME_TABLE_TITLE = "The embedded table"
HOME_TABLE_NOTE = (
    "Plex codes (0, 1, 9009, 9010, 9998, 9999) are application codes, not SMTP "
    "replies. Where the table's words differ from the standard, I show both."
)
HOME_CLI = (
    "The same works in a terminal: `smtpcode 451`, "
    "`smtpcode summarize maillog.gz`, `smtpcode --help`."
)


# --- Shared labels -------------------------------------------------------------

LABEL_STANDARD = "Standard meaning"
LABEL_CAUSES = "Common causes"
LABEL_ACTION = "What to do"
LABEL_RETRY = "Retry helps"
LABEL_RELATED = "Related"
LABEL_SERVER_SAID = "Server said"
LABEL_PROVIDER = "Provider"
LABEL_REASON = "Reason"
LABEL_FLAG = "Note"
VERDICT = "Verdict"

_CLASS_SHORT = {
    CodeClass.SUCCESS: "success",
    CodeClass.INTERMEDIATE: "intermediate",
    CodeClass.TRANSIENT: "temporary",
    CodeClass.PERMANENT: "permanent",
    CodeClass.APPLICATION: "application",
    CodeClass.UNKNOWN: "unknown",
}

_RETRY_WORDS = {
    Retry.YES: "yes, later",
    Retry.NO: "no, not without a change",
    Retry.AFTER_FIX: "only after fixing the cause",
    Retry.NOT_NEEDED: "not needed",
    Retry.UNKNOWN: "unclear",
}


def table_label(type_: str) -> str:
    """ "Embedded table (SMTP server)" or "Embedded table (Plex)"."""
    return f"Embedded table ({type_})"


def class_short(code_class: CodeClass) -> str:
    """One word for a class, for narrow tables: permanent, temporary, success..."""
    return _CLASS_SHORT[code_class]


def retry_text(retry: Retry) -> str:
    """Whether a retry helps, as a short phrase."""
    return _RETRY_WORDS[retry]


def short_meaning(exp: Explanation) -> str:
    """The standard meaning's short title; the table's words stay in explanations."""
    return exp.title or exp.standard or exp.enhanced_title or "no description"


# --- Groups without a code -----------------------------------------------------

CODELESS = "?"
"""The key of the group of events that carry no code at all (Event.key)."""
CODELESS_LABEL = "(no code)"
CODELESS_CLASS = "no SMTP code"
CODELESS_MEANING = "outcomes reported without an SMTP code"

_CODELESS_ONE = {
    "sent": "delivered, no SMTP code",
    "accepted": "accepted, no SMTP code",
    "bounced": "bounced, no code quoted",
    "rejected": "rejected, no code quoted",
    "deferred": "deferred, no code quoted",
    "expired": "expired, no code quoted",
    "failed": "failed, no code quoted",
    "info": "complaint or notice, no SMTP code",
}
_STATUS_WORDS = {
    "sent": "delivered",
    "info": "complaint or notice",
    "unknown": "status not said",
}


def group_key(group: CodeGroup) -> str:
    """The code a summary shows for a group: "(no code)" for codeless events."""
    return CODELESS_LABEL if group.code == CODELESS else group.code


def group_class(group: CodeGroup) -> str:
    """The class of a group in words; codeless events have none."""
    if group.code == CODELESS:
        return CODELESS_CLASS
    return group.code_class.value


def group_meaning(group: CodeGroup) -> str:
    """A group's meaning: the code's title, or what happened to codeless events."""
    if group.code != CODELESS:
        return short_meaning(group.explanation)
    statuses = [s for s, n in group.statuses.items() if n]
    if len(statuses) == 1:
        return _CODELESS_ONE.get(statuses[0], CODELESS_MEANING)
    return CODELESS_MEANING


def codeless_statuses(group: CodeGroup) -> str:
    """ "delivered ×17, rejected ×16 (+3 more)" for a codeless group, else ""."""
    if group.code != CODELESS or len(group.statuses) < 2:
        return ""
    return top_counts(group.statuses, n=3, show=lambda s: _STATUS_WORDS.get(s, s))


# --- Summary phrases -----------------------------------------------------------


def top_counts(
    counts: dict[str, int] | tuple[tuple[str, int], ...],
    n: int = 3,
    show: Callable[[str], str] = str,
) -> str:
    """ "5.1.1 ×100, 5.7.1 ×20 (+2 more)", biggest first; `show` formats each key."""
    pairs = counts.items() if isinstance(counts, dict) else counts
    ranked = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{show(key)} ×{count:,}" for key, count in ranked[:n])
    rest = len(ranked) - n
    return shown + (f" (+{rest} more)" if rest > 0 else "")


def seen_range(first: str | None, last: str | None) -> str:
    """ "2024-05-01T10:00 → 2024-05-01T12:00", one time alone, or "" when unknown."""
    if first and last and first != last:
        return f"{first} → {last}"
    return first or last or ""


def share_text(share: float) -> str:
    """A share of all events as a percentage: 40.0%, 0.3%, <0.1%."""
    percent = share * 100 if share <= 1 else share
    if 0 < percent < 0.1:
        return "<0.1%"
    return f"{percent:.1f}%"


def totals_text(
    lines_read: int,
    events: int,
    bytes_read: int,
    formats: dict[str, int],
    unparsed: int,
    show: Callable[[str], str] = str,
) -> str:
    """The totals line under a summary."""
    parts = [
        f"{plural(lines_read, 'line')} read ({size_text(bytes_read)})",
        f"{plural(events, 'event')} found",
    ]
    if formats:
        parts.append("formats: " + top_counts(formats, n=5, show=show))
    if unparsed:
        parts.append(f"{plural(unparsed, 'line')} not understood")
    return " · ".join(parts)


def plural(n: int, noun: str) -> str:
    """ "1 line", "2 lines", "1,682 lines" (nouns that take an s)."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


# --- Explanation phrases -------------------------------------------------------


def enhanced_text(exp: Explanation) -> str:
    """The enhanced code's title and meaning as one text, or "" when unknown."""
    parts = [t.strip().rstrip(".") for t in (exp.enhanced_title, exp.enhanced_meaning)]
    text = ". ".join(p for p in parts if p)
    return text + "." if text and exp.enhanced else ""


def provider_text(provider: ProviderReply) -> str:
    """What a provider's reply means, and the fix when there is one."""
    fix = f" Fix: {provider.fix}" if provider.fix else ""
    return provider.meaning + fix


# Reasons that only say the reply did not tell; shown as nothing, not as jargon.
VAGUE_REASONS = frozenset({"onhold", "undefined"})


def reason_label(reason: str) -> str:
    """A reason's label for people: "userunknown" -> "unknown user"."""
    # Imported here, as in lookup: reasons data is needed only for replies.
    from bot.knowledge.reasons import reason_info

    try:
        return reason_info(reason).label
    except KeyError:
        return reason


def reason_text(reason: str | None, hard: bool | None) -> str:
    """ "unknown user, hard bounce"; "" when there is no reason worth showing."""
    if not reason or reason in VAGUE_REASONS:
        return ""
    kind = {True: "hard bounce", False: "soft bounce", None: ""}[hard]
    return ", ".join(p for p in (reason_label(reason), kind) if p)


def reason_counts(counts: dict[str, int]) -> dict[str, int]:
    """Reason counts by label, without the vague ones, for a summary."""
    labelled: dict[str, int] = {}
    for reason, count in counts.items():
        if reason and reason not in VAGUE_REASONS:
            label = reason_label(reason)
            labelled[label] = labelled.get(label, 0) + count
    return labelled
