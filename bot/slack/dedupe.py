"""De-duplication of Slack's re-delivered events, by event id, with a TTL.

Slack re-sends an event it thinks was not received (HTTP header
`X-Slack-Retry-Num`; in Socket Mode the envelope's `retry_attempt`, which Bolt
turns into the same header). Every event carries an `event_id` that stays the
same across deliveries, so remembering the ids seen recently is enough.

Where the ids are remembered decides what is caught. The web process keeps them
in a sqlite file that all its workers on one host share (`SqliteSeenStore`), so
a retry that lands on another worker is still recognised; Socket Mode and tests
run one process and keep them in memory (`MemorySeenStore`). Several hosts
behind a load balancer do not share a file: give them a store they all reach,
by implementing `SeenStore` over Redis (`SET key 1 NX EX ttl`) or a database
table with a unique key, and passing it to `create_app`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.signature import first_header
from bot.slack.state import StateFile

logger = logging.getLogger(__name__)

DEFAULT_TTL = 15 * 60.0
DEFAULT_MAX_KEYS = 50_000


class SeenStore(Protocol):
    """Remembers keys for a while; shared between instances when it is a real store."""

    def first_time(self, key: str) -> bool:
        """Record `key`; True if it had not been recorded within the TTL."""
        ...


class MemorySeenStore:
    """An in-process SeenStore: a lock-protected OrderedDict with TTL and size cap."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """Record `key`; True if it had not been recorded within the TTL."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if key in self._seen:
                return False
            self._seen[key] = now + self._ttl
            if len(self._seen) > self._max_keys:
                self._seen.popitem(last=False)
            return True

    def _expire(self, now: float) -> None:
        while self._seen:
            key, expires = next(iter(self._seen.items()))
            if expires > now:
                break
            del self._seen[key]


class SqliteSeenStore:
    """A SeenStore in a StateFile, shared by every process on the host that opens it.

    When the file cannot be written the event is let through (and logged): an
    answer given twice is better than none.
    """

    def __init__(self, state: StateFile, ttl: float = DEFAULT_TTL) -> None:
        self._state = state
        self._ttl = ttl

    def first_time(self, key: str) -> bool:
        """Record `key`; True if no process had recorded it within the TTL."""
        try:
            return self._state.add("seen", key, self._ttl)
        except sqlite3.Error as error:
            logger.warning("de-duplication store failed: %s", error)
            return True


def dedupe_middleware(store: SeenStore) -> Callable[..., Any]:
    """A Bolt global middleware that answers 200 to an event delivered before."""

    def dedupe_events(
        req: BoltRequest, body: dict[str, Any], next_: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = (
            body.get("event_id") if body.get("type") == "event_callback" else None
        )
        if not event_id or store.first_time(str(event_id)):
            next_()
            return None

        retry = first_header(req.headers.get("x-slack-retry-num"))
        logger.info("dropped repeated event %s (retry %s)", event_id, retry or "-")
        return BoltResponse(status=200, body="")

    return dedupe_events
