"""A small sqlite3 file shared by the processes of one host, holding keys that expire.

The web process runs several gunicorn workers; they share this file so that a
Slack retry or a button click landing on another worker finds what the first
one wrote. WAL mode lets readers and one writer work side by side; a busy
timeout makes writers wait their turn instead of failing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
PRUNE_INTERVAL = 60.0
"""Seconds between sweeps of expired rows in each table."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    key TEXT PRIMARY KEY,
    expires REAL NOT NULL,
    value TEXT NOT NULL DEFAULT ''
)"""
_TABLES = ("seen", "kept")


def default_state_path() -> str:
    """Where the web process keeps its state unless SMTPCODE_STATE_PATH says where."""
    owner = os.getuid() if hasattr(os, "getuid") else os.getpid()
    return str(Path(tempfile.gettempdir()) / f"smtpcode-{owner}.sqlite3")


class StateFile:
    """One sqlite3 file with a table per use; each row has a key, a value, an expiry.

    One connection per process (reopened after a fork), shared by its threads
    under a lock. Times are wall-clock seconds, the same in every process.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        prune_interval: float = PRUNE_INTERVAL,
    ) -> None:
        self.path = str(path)
        self._clock = clock
        self._prune_interval = prune_interval
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._pruned: dict[str, float] = {}
        with self._lock:
            self._connection()

    def add(self, table: str, key: str, ttl: float, value: str = "") -> bool:
        """Insert `key` unless a live row holds it; True when this call inserted it."""
        now = self._clock()
        with self._lock:
            conn = self._connection()
            self._prune(conn, table, now)
            cursor = conn.execute(
                f"INSERT INTO {_name(table)} (key, expires, value) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET expires = excluded.expires, "
                "value = excluded.value WHERE expires <= ?",
                (key, now + ttl, value, now),
            )
            return cursor.rowcount == 1

    def get(self, table: str, key: str) -> str | None:
        """The value of a live row, or None when it is missing or expired."""
        with self._lock:
            row = (
                self._connection()
                .execute(
                    f"SELECT value FROM {_name(table)} WHERE key = ? AND expires > ?",
                    (key, self._clock()),
                )
                .fetchone()
            )
        return None if row is None else str(row[0])

    def close(self) -> None:
        """Close this process's connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # autocommit: each statement is its own transaction
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        for table in _TABLES:
            conn.execute(_SCHEMA.format(table=table))
        self._conn, self._pid = conn, os.getpid()
        logger.info("state file %s opened", self.path)
        return conn

    def _prune(self, conn: sqlite3.Connection, table: str, now: float) -> None:
        if now - self._pruned.get(table, 0.0) < self._prune_interval:
            return
        self._pruned[table] = now
        deleted = conn.execute(
            f"DELETE FROM {_name(table)} WHERE expires <= ?", (now,)
        ).rowcount
        if deleted:
            logger.debug("pruned %d expired row(s) from %s", deleted, table)


def _name(table: str) -> str:
    """Only our own table names ever reach the SQL text."""
    if table not in _TABLES:
        raise ValueError(f"unknown state table {table!r}")
    return table
