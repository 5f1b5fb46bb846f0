"""Kept answers: found by their id until they expire, in memory or in the state file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.slack.kept import MemoryKept, SqliteKept
from bot.slack.state import StateFile


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stores(tmp_path: Path, clock: Clock) -> list[MemoryKept | SqliteKept]:
    state = StateFile(tmp_path / "state.sqlite3", clock=clock)
    return [MemoryKept(ttl=3600, clock=clock), SqliteKept(state, ttl=3600)]


@pytest.mark.parametrize("which", [0, 1], ids=["memory", "sqlite"])
def test_kept_value_is_found_by_its_id_until_it_expires(
    tmp_path: Path, which: int
) -> None:
    clock = Clock()
    kept = stores(tmp_path, clock)[which]
    key = kept.keep('{"blocks": []}')

    assert key is not None and len(key) >= 20
    assert kept.get(key) == '{"blocks": []}'
    clock.now += 3599
    assert kept.get(key) == '{"blocks": []}'
    clock.now += 2
    assert kept.get(key) is None


@pytest.mark.parametrize("which", [0, 1], ids=["memory", "sqlite"])
def test_each_kept_value_gets_its_own_id(tmp_path: Path, which: int) -> None:
    kept = stores(tmp_path, Clock())[which]

    first, second = kept.keep("one"), kept.keep("two")

    assert first != second
    assert (kept.get(first or ""), kept.get(second or "")) == ("one", "two")
    assert kept.get("no-such-id") is None


def test_memory_store_holds_a_bounded_number_of_values() -> None:
    kept = MemoryKept(max_kept=2)
    first = kept.keep("a") or ""
    kept.keep("b")
    kept.keep("c")

    assert kept.get(first) is None


def test_unwritable_state_file_keeps_nothing_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(StateFile):
        def add(self, table: str, key: str, ttl: float, value: str = "") -> bool:
            raise sqlite3.OperationalError("database or disk is full")

    kept = SqliteKept(Broken(tmp_path / "state.sqlite3"))

    assert kept.keep("value") is None
    assert "could not keep an answer" in caplog.text
