"""Downloading files shared in Slack, safely, as a capped byte stream.

The bot token goes only to Slack's own file host over https (or to the host of
SLACK_API_URL, which tests point at a local fake); redirects are never followed
with it. Size is checked before and while reading; a login page is recognised.
"""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import IO, Any, BinaryIO, cast
from urllib.parse import urlsplit

from slack_sdk import WebClient

from bot.knowledge.errors import InputError
from bot.slack.jobs import Deadline

logger = logging.getLogger(__name__)

LOG_EXTENSIONS = (".log", ".txt", ".csv", ".json", ".eml", ".gz", ".tsv", ".jsonl")
TEXT_MIMETYPES = ("text/", "application/json", "application/gzip", "message/rfc822")
DOWNLOAD_TIMEOUT = 30.0
_CHUNK = 64 * 1024
_SNIFF = 512


class DownloadTooBig(InputError):
    """A file larger than SMTPCODE_MAX_FILE_BYTES, by its stated or actual size."""

    def __init__(self, name: str) -> None:
        super().__init__("too_big", "the file is larger than the limit", name)


SIZE_SLACK = 64 * 1024
"""Bytes a download may run past the size Slack stated before it is stopped."""


class SizeMismatch(InputError):
    """A file that streams more bytes than Slack said it holds."""

    def __init__(self, name: str) -> None:
        super().__init__("size_mismatch", "the file is larger than stated", name)


def is_log_file(file: dict[str, Any]) -> bool:
    """True for the files we try to read: log-like names, text snippets, text types."""
    name = str(file.get("name") or file.get("title") or "").lower()
    if name.endswith(LOG_EXTENSIONS) or file.get("mode") == "snippet":
        return True
    if file.get("file_access") == "check_file_info" and not name:
        return True
    mimetype = str(file.get("mimetype") or "")
    return mimetype.startswith(TEXT_MIMETYPES) and mimetype != "text/html"


def file_name(file: dict[str, Any]) -> str:
    """The name to show for a file (never user-controlled markup: escape it)."""
    return str(file.get("name") or file.get("title") or file.get("id") or "the file")


def token_allowed(url: str, api_url: str) -> bool:
    """True when `url` may get the bot token: Slack's https hosts or the API's origin.

    The origin of `api_url` (SLACK_API_URL) is its scheme and host together, so
    http://slack.com/... never gets the token that https://slack.com/api/ does.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    api = urlsplit(api_url)
    return bool(api.netloc) and (parts.scheme, parts.netloc.lower()) == (
        api.scheme.lower(),
        api.netloc.lower(),
    )


def resolve(client: WebClient, file: dict[str, Any]) -> dict[str, Any]:
    """The full file object: asks files.info when Slack withheld the details."""
    if file.get("file_access") != "check_file_info" and file.get(
        "url_private_download"
    ):
        return file
    response = client.files_info(file=str(file["id"]))
    info = response.get("file")
    return info if isinstance(info, dict) else file


class _Refuse(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an error, so the token never follows one."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_Refuse)


class _CappedStream(io.RawIOBase):
    """A read-only byte stream that stops at `limit` bytes and at the deadline."""

    def __init__(
        self,
        raw: IO[bytes],
        *,
        name: str,
        limit: int,
        deadline: Deadline | None,
        progress: Callable[[int], None] | None,
        stated: int | None = None,
    ) -> None:
        self._raw = raw
        self._name = name
        self._limit = limit
        self._stated = None if stated is None else stated + SIZE_SLACK
        self._deadline = deadline
        self._progress = progress
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._deadline is not None:
            self._deadline.check()
        view = memoryview(buffer)
        try:
            data = self._raw.read(min(len(view), _CHUNK))
        except TimeoutError:
            raise InputError("timeout", "the download stalled", self._name) from None
        self.count += len(data)
        if self.count > self._limit:
            raise DownloadTooBig(self._name)
        if self._stated is not None and self.count > self._stated:
            raise SizeMismatch(self._name)
        if self._progress is not None and data:
            self._progress(self.count)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def download(
    url: str,
    *,
    token: str,
    api_url: str,
    name: str,
    limit: int,
    deadline: Deadline | None = None,
    progress: Callable[[int], None] | None = None,
    stated: int | None = None,
) -> BinaryIO:
    """Open `url` with the bot token and return a capped, sniffed byte stream.

    `stated` is the size Slack gave for the file, when known: a file streaming
    well past it is stopped. Raises InputError: "foreign_host", "too_big",
    "size_mismatch", "html" (a login page: files:read is missing), "timeout",
    "unreadable" (HTTP errors, redirects, refused).
    """
    if not token_allowed(url, api_url):
        logger.warning("refused to send the token to %s", urlsplit(url).netloc)
        raise InputError("foreign_host", "the file is not on Slack's file host", name)

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    timeout = DOWNLOAD_TIMEOUT if deadline is None else max(1.0, deadline.remaining())
    try:
        response = _OPENER.open(request, timeout=min(timeout, DOWNLOAD_TIMEOUT))
    except urllib.error.HTTPError as error:
        error.close()
        raise InputError("unreadable", f"HTTP {error.code}", name) from None
    except (urllib.error.URLError, OSError) as error:
        if isinstance(getattr(error, "reason", error), TimeoutError):
            raise InputError("timeout", "the file host did not answer", name) from None
        raise InputError("unreadable", type(error).__name__, name) from None

    return _checked(
        response,
        name=name,
        limit=limit,
        deadline=deadline,
        progress=progress,
        stated=stated,
    )


def _checked(
    response: Any,
    *,
    name: str,
    limit: int,
    deadline: Deadline | None,
    progress: Callable[[int], None] | None,
    stated: int | None = None,
) -> BinaryIO:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        response.close()
        raise DownloadTooBig(name)

    capped = _CappedStream(
        response,
        name=name,
        limit=limit,
        deadline=deadline,
        progress=progress,
        stated=stated,
    )
    stream = io.BufferedReader(capped, buffer_size=_CHUNK)
    content_type = str(response.headers.get("Content-Type") or "").lower()
    if content_type.startswith("text/html") or _looks_like_html(stream.peek(_SNIFF)):
        stream.close()
        raise InputError("html", "Slack answered with a web page", name)
    return cast(BinaryIO, stream)


def _looks_like_html(head: bytes) -> bool:
    start = head[:_SNIFF].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))
