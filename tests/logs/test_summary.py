"""The Summarizer: groups worst first, bounded memory, a verdict to act on."""

from __future__ import annotations

import random

import pytest

from bot.knowledge.records import CodeClass
from bot.logs import summary
from bot.logs.event import Event
from bot.logs.summary import (
    MAX_CODES,
    MAX_ENHANCED,
    MAX_OVERFLOW_CODES,
    TOP_K,
    Summarizer,
)


def ev(code: str | None, enhanced: str | None = None, **fields: object) -> Event:
    base: dict[str, object] = {"line": 1, "format": "postfix", "status": "bounced"}
    base.update(fields)
    return Event(code=code, enhanced=enhanced, **base)  # type: ignore[arg-type]


def test_groups_sorted_worst_first_then_by_count() -> None:
    s = Summarizer()
    for _ in range(5):
        s.add(ev("250", "2.0.0", status="sent"))
    for _ in range(2):
        s.add(ev("450", "4.7.1", status="deferred"))
    s.add(ev("550", "5.1.1"))
    s.add(ev("554", "5.7.1"))
    s.add(ev("554", "5.7.1"))
    summary = s.finish()
    assert [g.code for g in summary.groups] == ["554", "550", "450", "250"]
    assert summary.groups[0].code_class is CodeClass.PERMANENT
    assert summary.events == 10
    assert abs(sum(g.share for g in summary.groups) - 1.0) < 1e-9


def test_group_collects_enhanced_domains_hosts_times_and_two_examples() -> None:
    s = Summarizer()
    for i in range(4):
        s.add(
            ev(
                "550",
                "5.1.1" if i else "5.7.1",
                recipient_domain="example.net" if i < 3 else "example.org",
                remote_host="mx.example.net",
                time=f"Mar 1 10:00:0{i}",
                example=f"to=<user{i}@example.net> said: 550",
                reason="userunknown",
            )
        )
    [group] = s.finish().groups
    assert group.enhanced == {"5.7.1": 1, "5.1.1": 3}
    assert group.domains == (("example.net", 3), ("example.org", 1))
    assert group.hosts == (("mx.example.net", 4),)
    assert (group.first_seen, group.last_seen) == ("Mar 1 10:00:00", "Mar 1 10:00:03")
    assert group.examples == ("to=<u***@example.net> said: 550",)  # same once masked
    assert group.reasons == {"userunknown": 4}


def test_enhanced_only_events_group_under_their_enhanced_code() -> None:
    s = Summarizer()
    s.add(ev(None, "4.4.1", status="deferred"))
    [group] = s.finish().groups
    assert group.code == "4.4.1"
    assert group.code_class is CodeClass.TRANSIENT


def test_hundred_thousand_distinct_codes_stay_bounded() -> None:
    s = Summarizer()
    for i in range(100_000):
        s.add(ev(f"{i}", None, status="unknown"))
    summary = s.finish()
    assert len(summary.groups) == MAX_CODES
    assert summary.other_codes == min(100_000 - MAX_CODES, MAX_OVERFLOW_CODES)
    assert summary.events == 100_000
    assert summary.notes


def test_domains_per_code_are_bounded_but_keep_the_heavy_hitter() -> None:
    s = Summarizer()
    for i in range(5000):
        s.add(ev("550", recipient_domain=f"d{i}.example.com"))
        s.add(ev("550", recipient_domain="big.example.net"))
    [group] = s.finish().groups
    assert group.domains[0][0] == "big.example.net"
    assert len(s._groups["550"].domains.counts) <= TOP_K


def test_merge_adds_counts_and_keeps_first_and_last_times() -> None:
    a, b = Summarizer(), Summarizer()
    a.add(ev("550", time="t1"))
    b.add(ev("550", time="t2"))
    b.add(ev("421", time="t3", status="deferred"))
    a.merge(b)
    summary = a.finish()
    assert {g.code: g.count for g in summary.groups} == {"550": 2, "421": 1}
    assert (summary.first_seen, summary.last_seen) == ("t1", "t3")


@pytest.mark.parametrize("max_shapes", [1, 7, 1024])
def test_bounded_maps_keep_the_first_keys_seen_whenever_shapes_are_folded(
    max_shapes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary, "MAX_SHAPES", max_shapes)
    rng = random.Random(3)
    codes = [f"5.1.{rng.randrange(80)}" for _ in range(2000)]
    statuses = ["bounced", "deferred", "rejected"]
    s = Summarizer()
    for n, code in enumerate(codes):
        s.add(ev("550", code, status=statuses[n % 3], direction="inbound"))

    expected: dict[str, int] = {}
    for code in codes:  # what bumping the map once per event keeps
        if code in expected:
            expected[code] += 1
        elif len(expected) < MAX_ENHANCED:
            expected[code] = 1
    [group] = s.finish().groups
    assert list(group.enhanced.items()) == list(expected.items())
    assert group.count == len(codes)
    assert group.statuses == {"bounced": 667, "deferred": 667, "rejected": 666}
    assert group.directions == {"inbound": len(codes)}


def test_merged_summarizers_fold_their_shapes_first() -> None:
    first, second = Summarizer(), Summarizer()
    first.add(ev("550", "5.1.1", direction="outbound"))
    second.add(ev("550", "5.1.1", direction="outbound"))
    second.add(ev("550", "5.7.1", direction="inbound", format="exim"))
    first.merge(second)
    result = first.finish()
    assert result.groups[0].enhanced == {"5.1.1": 2, "5.7.1": 1}
    assert result.directions == {"outbound": 2, "inbound": 1}
    assert result.formats == {"postfix": 2, "exim": 1}
