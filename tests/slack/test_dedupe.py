"""The de-duplication stores: repeats inside the TTL are caught, old keys expire."""

from __future__ import annotations

import multiprocessing
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.slack.dedupe import MemorySeenStore, SqliteSeenStore
from bot.slack.settings import load_settings
from bot.slack.state import StateFile, default_state_path


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_second_sighting_within_ttl_is_a_repeat() -> None:
    store = MemorySeenStore(ttl=60, clock=Clock())

    assert store.first_time("Ev1") is True
    assert store.first_time("Ev1") is False
    assert store.first_time("Ev2") is True


def test_key_is_new_again_after_the_ttl() -> None:
    clock = Clock()
    store = MemorySeenStore(ttl=60, clock=clock)
    store.first_time("Ev1")

    clock.now = 61

    assert store.first_time("Ev1") is True


def test_store_forgets_the_oldest_keys_past_its_size_cap() -> None:
    store = MemorySeenStore(ttl=60, max_keys=3, clock=Clock())
    for key in ("a", "b", "c", "d"):
        store.first_time(key)

    assert store.first_time("a") is True
    assert store.first_time("d") is False


# --- the sqlite store shared by the processes of one host -----------------------


def _claim_keys(path: str, keys: list[str], results: Any) -> None:
    """Run in another process: record every key, put back those seen first here."""
    store = SqliteSeenStore(StateFile(path))
    results.put([key for key in keys if store.first_time(key)])


def test_sqlite_store_lets_each_key_through_once_across_processes(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "state.sqlite3")
    keys = [f"Ev{i:04d}" for i in range(200)]
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    procs = [
        spawn.Process(target=_claim_keys, args=(path, keys, results)) for _ in range(3)
    ]
    for proc in procs:
        proc.start()
    claimed = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)

    everything = [key for batch in claimed for key in batch]
    assert sorted(everything) == keys
    assert all(proc.exitcode == 0 for proc in procs)


def test_sqlite_stores_on_one_file_see_each_others_keys(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    one = SqliteSeenStore(StateFile(path))
    two = SqliteSeenStore(StateFile(path))

    assert one.first_time("EvShared") is True
    assert two.first_time("EvShared") is False
    assert two.first_time("EvOther") is True


def test_sqlite_store_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    SqliteSeenStore(StateFile(path)).first_time("Ev1")

    with sqlite3.connect(path) as conn:
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()

    assert mode == "wal"


def test_sqlite_key_is_new_again_after_the_ttl(tmp_path: Path) -> None:
    clock = Clock()
    store = SqliteSeenStore(StateFile(tmp_path / "s.sqlite3", clock=clock), ttl=60)
    store.first_time("Ev1")

    clock.now = 59
    assert store.first_time("Ev1") is False
    clock.now = 61
    assert store.first_time("Ev1") is True
    assert store.first_time("Ev1") is False


def test_sqlite_store_prunes_expired_rows_periodically(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    clock = Clock()
    state = StateFile(path, clock=clock, prune_interval=100)
    store = SqliteSeenStore(state, ttl=10)
    for i in range(5):
        store.first_time(f"old{i}")

    clock.now = 50  # expired, but the next sweep is not due yet
    store.first_time("mid")
    rows_before = _rows(path)
    clock.now = 150
    store.first_time("new")

    assert rows_before == 6
    assert _rows(path) == 1


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_concurrent_deliveries_of_one_event_let_exactly_one_through(
    tmp_path: Path, kind: str
) -> None:
    store: MemorySeenStore | SqliteSeenStore = (
        MemorySeenStore()
        if kind == "memory"
        else SqliteSeenStore(StateFile(tmp_path / "state.sqlite3"))
    )
    results: list[bool] = []
    barrier = threading.Barrier(16)

    def deliver() -> None:
        barrier.wait()
        results.append(store.first_time("EvSame"))

    threads = [threading.Thread(target=deliver) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results.count(True) == 1


def test_failing_sqlite_store_lets_the_event_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(StateFile):
        def add(self, table: str, key: str, ttl: float, value: str = "") -> bool:
            raise sqlite3.OperationalError("disk I/O error")

    store = SqliteSeenStore(Broken(tmp_path / "state.sqlite3"))

    assert store.first_time("Ev1") is True
    assert store.first_time("Ev1") is True
    assert "de-duplication store failed" in caplog.text


def test_default_state_path_is_in_the_temp_dir_and_settable() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    chosen = {**env, "SMTPCODE_STATE_PATH": "/srv/smtpcode/state.sqlite3"}

    default = load_settings(env, dotenv_path=None).state_path

    assert Path(default).parent == Path(tempfile.gettempdir())
    assert default == default_state_path()
    assert (
        load_settings(chosen, dotenv_path=None).state_path
        == chosen["SMTPCODE_STATE_PATH"]
    )


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM seen").fetchone()
    return int(count)
