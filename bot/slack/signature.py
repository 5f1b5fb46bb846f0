"""Request signing: only requests signed with SLACK_SIGNING_SECRET get through.

Replaces Bolt's own check so that a rejection leaves a WARNING for the operator
(rate-limited; never the body or the headers) instead of an INFO line with the body.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

REJECTED = "rejected request: bad or stale signature (check SLACK_SIGNING_SECRET)"
VERIFIED = "smtpcode_verified"
"""Context key set once a request is known to come from Slack."""
MAX_TIMESTAMP_DIGITS = 12
WARN_INTERVAL = 10.0
"""Seconds between two rejection warnings; the ones between are counted."""


class RateLimitedWarning:
    """Logs `message` at most once per `interval` seconds, with a count of the rest."""

    def __init__(
        self,
        message: str,
        interval: float = WARN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.message = message
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self._count = 0

    def __call__(self) -> None:
        """Count one occurrence; log it unless a line went out within `interval`."""
        with self._lock:
            now = self._clock()
            self._count += 1
            if self._last is not None and now - self._last < self.interval:
                return
            count, self._count, self._last = self._count, 0, now

        if count == 1:
            logger.warning("%s", self.message)
        else:
            logger.warning(
                "%s; %d rejected since the last warning", self.message, count
            )


class SignatureCheck(Middleware):
    """Bolt middleware: 401 for HTTP requests without a valid, fresh v0 signature.

    Without a signing secret (Socket Mode) every HTTP request is refused. With
    `seen` (a SeenStore's first_time), a signed request replayed within the
    window (same timestamp and signature) is answered 200 and not processed again.
    """

    def __init__(
        self,
        signing_secret: str,
        warn: Callable[[], None] | None = None,
        seen: Callable[[str], bool] | None = None,
    ):
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._warn = warn or RateLimitedWarning(REJECTED)
        self._seen = seen

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        """Pass signed requests (and Socket Mode ones, which need none) on."""
        if req.mode == "socket_mode":
            req.context[VERIFIED] = True
            return next()
        if not self._valid(req.raw_body, req.headers):
            self._warn()
            return BoltResponse(status=401, body={"error": "invalid request"})

        signature = first_header(req.headers.get("x-slack-signature"))
        if self._seen is not None and not self._seen("sig:" + signature):
            logger.info("dropped a replayed request")
            return BoltResponse(status=200, body="")
        req.context[VERIFIED] = True
        if req.body.get("ssl_check") == "1":  # Slack probing the certificate
            return BoltResponse(status=200, body="")
        return next()

    def _valid(self, raw_body: str, headers: Mapping[str, Sequence[str]]) -> bool:
        """True when `headers` carry a valid, fresh v0 signature of `raw_body`."""
        timestamp = first_header(headers.get("x-slack-request-timestamp"))
        signature = first_header(headers.get("x-slack-signature"))
        plain_number = timestamp.isascii() and timestamp.isdigit()
        if self._verifier is None or not signature or not plain_number:
            return False  # the verifier raises on a timestamp that is not a number
        if len(timestamp) > MAX_TIMESTAMP_DIGITS:
            return False
        try:
            return self._verifier.is_valid(raw_body, timestamp, signature)
        except (ValueError, TypeError):
            return False


def first_header(values: Any) -> str:
    """The first value of a header (Bolt keeps a list per name)."""
    if isinstance(values, list | tuple):
        return str(values[0]) if values else ""
    return str(values or "")
