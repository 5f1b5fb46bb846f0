"""Answers kept for a while under a random id, so a button can bring them back.

A button's value holds at most 2000 characters, too few for a summary; the
Share button of a private summary carries the id, and the click reads the
rendered blocks back. The web process keeps them in the same sqlite file as
de-duplication, so a click may land on any worker of the host.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from bot.slack.state import StateFile

logger = logging.getLogger(__name__)

KEEP_SECONDS = 60 * 60.0
"""How long a private summary can still be shared."""
MEMORY_MAX_KEPT = 500


def new_id() -> str:
    """A random, unguessable id (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


class KeptStore(Protocol):
    """Keeps texts for KEEP_SECONDS under ids it makes up."""

    def keep(self, value: str) -> str | None:
        """Store `value`; its id, or None when it could not be stored."""
        ...

    def get(self, key: str) -> str | None:
        """The value kept under `key`, or None when unknown or expired."""
        ...


class MemoryKept:
    """A KeptStore in this process's memory, holding at most `max_kept` values."""

    def __init__(
        self,
        ttl: float = KEEP_SECONDS,
        max_kept: int = MEMORY_MAX_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max_kept = max_kept
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, value: str) -> str | None:
        """Store `value`, dropping the oldest past `max_kept`; returns its id."""
        key = new_id()
        with self._lock:
            self._kept[key] = (self._clock() + self._ttl, value)
            while len(self._kept) > self._max_kept:
                self._kept.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        """The value kept under `key`, or None when unknown or expired."""
        with self._lock:
            expires, value = self._kept.get(key, (0.0, ""))
        return value if expires > self._clock() else None


class SqliteKept:
    """A KeptStore in a StateFile, readable by every process of the host."""

    def __init__(self, state: StateFile, ttl: float = KEEP_SECONDS) -> None:
        self._state = state
        self._ttl = ttl

    def keep(self, value: str) -> str | None:
        """Store `value`; its id, or None (logged) when the file cannot be written."""
        key = new_id()
        try:
            self._state.add("kept", key, self._ttl, value)
        except sqlite3.Error as error:
            logger.warning("could not keep an answer: %s", error)
            return None
        return key

    def get(self, key: str) -> str | None:
        """The value kept under `key`, or None when unknown, expired or unreadable."""
        try:
            return self._state.get("kept", key)
        except sqlite3.Error as error:
            logger.warning("could not read a kept answer: %s", error)
            return None
