"""The de-duplication store: repeats inside the TTL are caught, old keys expire."""

from __future__ import annotations

import threading

from bot.slack.dedupe import MemorySeenStore


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


def test_concurrent_deliveries_of_one_event_let_exactly_one_through() -> None:
    store = MemorySeenStore()
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
