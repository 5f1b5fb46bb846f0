"""Where an answer goes: a thread (post, then update) or a response_url (ephemeral).

Each target falls back when Slack refuses: an expired response_url becomes an
ephemeral message, a channel the bot is not in becomes a direct message, and
what cannot be delivered at all is logged with Slack's error.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.blocks import MAX_BLOCKS, context
from bot.render.escape import code_block
from bot.render.words import (
    FULL_SUMMARY_FILE_TITLE,
    FULL_SUMMARY_IN_DM,
    FULL_SUMMARY_LOCALLY,
)

logger = logging.getLogger(__name__)

Block = dict[str, Any]
SUMMARY_FILENAME = "smtpcode-summary.txt"
THREAD_CHUNK = 3500
THREAD_CHUNKS_MAX = 5
_DELIVERY_ERRORS = (SlackApiError, urllib.error.URLError, OSError)


def slack_error(error: BaseException) -> str:
    """Slack's short error code ("not_in_channel"), or the exception's type."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__


class Reply(Protocol):
    """Somewhere to show progress and then the answer, for `user`."""

    user: str

    def progress(self, text: str) -> None:
        """Show that work is under way (best effort)."""
        ...

    def send(self, blocks: list[Block], text: str, *, full_text: str = "") -> bool:
        """Deliver the answer; `full_text` is the untrimmed detail, if any."""
        ...


@dataclass
class ThreadReply:
    """Answers in a thread: a progress message, then chat.update with the result."""

    client: WebClient
    channel: str
    thread_ts: str
    user: str = ""
    _progress_ts: str = field(default="", init=False)

    def progress(self, text: str) -> None:
        """Post (or update) the progress message in the thread."""
        try:
            if self._progress_ts:
                self.client.chat_update(
                    channel=self.channel, ts=self._progress_ts, text=text
                )
                return
            response = self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=text
            )
            self._progress_ts = str(response.get("ts") or "")
        except _DELIVERY_ERRORS as error:
            logger.warning(
                "progress in %s failed: %s", self.channel, slack_error(error)
            )

    def send(self, blocks: list[Block], text: str, *, full_text: str = "") -> bool:
        """Replace the progress message with the answer, else post it, else DM it."""
        delivered = self._update(blocks, text) or self._post(blocks, text)
        if not delivered:
            return self._direct(blocks, text)
        if full_text:
            self._attach(full_text)
        return True

    def _update(self, blocks: list[Block], text: str) -> bool:
        if not self._progress_ts:
            return False
        try:
            self.client.chat_update(
                channel=self.channel, ts=self._progress_ts, blocks=blocks, text=text
            )
            return True
        except _DELIVERY_ERRORS as error:
            logger.warning("update in %s failed: %s", self.channel, slack_error(error))
            return False

    def _post(self, blocks: list[Block], text: str) -> bool:
        try:
            self.client.chat_postMessage(
                channel=self.channel,
                thread_ts=self.thread_ts,
                blocks=blocks or None,
                text=text,
            )
            return True
        except _DELIVERY_ERRORS as error:
            logger.warning("reply in %s failed: %s", self.channel, slack_error(error))
            return False

    def _direct(self, blocks: list[Block], text: str) -> bool:
        return bool(self.user) and direct_message(self.client, self.user, blocks, text)

    def _attach(self, full_text: str) -> None:
        """Upload the full text as a file in the thread; else post it in pieces."""
        try:
            self.client.files_upload_v2(
                channel=self.channel,
                thread_ts=self.thread_ts,
                content=full_text,
                filename=SUMMARY_FILENAME,
                title=FULL_SUMMARY_FILE_TITLE,
            )
            return
        except _DELIVERY_ERRORS as error:
            logger.warning("upload in %s failed: %s", self.channel, slack_error(error))

        lines = full_text.splitlines()
        pieces = _pieces(lines, THREAD_CHUNK)[:THREAD_CHUNKS_MAX]
        for piece in pieces:
            if not self._post([], code_block(piece, limit=THREAD_CHUNK + 200)):
                break


def _pieces(lines: list[str], limit: int) -> list[list[str]]:
    pieces: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if pieces[-1] and size + len(line) > limit:
            pieces.append([])
            size = 0
        pieces[-1].append(line[:limit])
        size += len(line) + 1
    return pieces


@dataclass
class ResponseUrlReply:
    """Answers privately through the response_url of a command or message shortcut.

    Slack cannot replace an ephemeral message through the response_url of the
    command or shortcut that made it (bolt-python#1268, bolt-js#2287): every
    post there is a new message. So the answer never asks to replace anything;
    "Reading…" is shown once at most, and only when the work has not finished
    within `progress_delay` seconds, so quick answers leave nothing stale behind.
    An expired response_url falls back to chat.postEphemeral, then a DM.
    """

    respond: Respond
    client: WebClient
    channel: str
    user: str
    progress_delay: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _timer: threading.Timer | None = field(default=None, init=False)
    _progress_shown: bool = field(default=False, init=False)
    _answered: bool = field(default=False, init=False)

    def progress(self, text: str) -> None:
        """Show a private progress line once, after `progress_delay` seconds."""
        with self._lock:
            if self._answered or self._progress_shown or self._timer is not None:
                return
            if self.progress_delay <= 0:
                self._show_progress(text)
                return
            self._timer = threading.Timer(
                self.progress_delay, self._late_progress, (text,)
            )
            self._timer.daemon = True
            self._timer.start()

    def send(self, blocks: list[Block], text: str, *, full_text: str = "") -> bool:
        """Answer privately; `full_text` goes to the user's DM as a file.

        Waits for a progress post under way, so the answer always comes last.
        """
        with self._lock:
            self._answered = True
            if self._timer is not None:
                self._timer.cancel()
        if full_text:
            blocks = with_note(blocks, self._send_full_text(full_text))
        if self._respond(blocks=blocks, text=text, response_type="ephemeral"):
            return True
        return ephemeral(self.client, self.channel, self.user, blocks, text)

    def _late_progress(self, text: str) -> None:
        with self._lock:
            if not self._answered:
                self._show_progress(text)

    def _show_progress(self, text: str) -> None:
        """Post the progress line; the caller holds the lock."""
        self._progress_shown = True
        self._respond(text=text, response_type="ephemeral")

    def _send_full_text(self, full_text: str) -> Block:
        """Upload the full text to the user's DM; the note saying where it is."""
        try:
            opened = self.client.conversations_open(users=self.user)
            self.client.files_upload_v2(
                channel=str(opened["channel"]["id"]),
                content=full_text,
                filename=SUMMARY_FILENAME,
                title=FULL_SUMMARY_FILE_TITLE,
            )
            return context(FULL_SUMMARY_IN_DM)
        except (KeyError, TypeError, *_DELIVERY_ERRORS) as error:
            logger.warning(
                "full summary to %s failed: %s", self.user, slack_error(error)
            )
            return context(FULL_SUMMARY_LOCALLY)

    def _respond(self, **message: Any) -> bool:
        try:
            response = self.respond(**message)
        except (ValueError, *_DELIVERY_ERRORS) as error:
            logger.warning("response_url failed: %s", type(error).__name__)
            return False
        if response.status_code >= 400:
            logger.warning(
                "response_url refused: %s %s", response.status_code, response.body
            )
            return False
        return True


def with_note(blocks: list[Block], note: Block) -> list[Block]:
    """`note` after the message body, before a trailing actions block, ≤ MAX_BLOCKS."""
    tail = [b for b in blocks[-1:] if b.get("type") == "actions"]
    body = blocks[: len(blocks) - len(tail)]
    return [*body[: MAX_BLOCKS - 1 - len(tail)], note, *tail]


def ephemeral(
    client: WebClient, channel: str, user: str, blocks: list[Block], text: str
) -> bool:
    """chat.postEphemeral, then a direct message when the bot is not in the channel."""
    if channel and user:
        try:
            client.chat_postEphemeral(
                channel=channel, user=user, blocks=blocks, text=text
            )
            return True
        except _DELIVERY_ERRORS as error:
            logger.warning("ephemeral in %s failed: %s", channel, slack_error(error))
    return bool(user) and direct_message(client, user, blocks, text)


def direct_message(
    client: WebClient, user: str, blocks: list[Block], text: str
) -> bool:
    """Post to the user's direct conversation with the app (needs only chat:write)."""
    try:
        client.chat_postMessage(channel=user, blocks=blocks, text=text)
        return True
    except _DELIVERY_ERRORS as error:
        logger.error("could not deliver an answer to %s: %s", user, slack_error(error))
        return False
