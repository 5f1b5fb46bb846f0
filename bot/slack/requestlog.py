"""One info line per handled Slack request: kind, team, channel, duration, outcome."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened, set by the listener ("explained", "queued", "help"...)."""

    value: str = "ok"


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    event = body.get("event") or {}
    team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
    channel = (
        body.get("channel_id")
        or event.get("channel")
        or (body.get("channel") or {}).get("id")
        or ""
    )
    return str(team), str(channel)


@contextmanager
def handled(kind: str, body: dict[str, Any]) -> Iterator[Outcome]:
    """Time the block and log its outcome; never logs message text."""
    started = time.monotonic()
    outcome = Outcome()
    try:
        yield outcome
    except Exception:
        outcome.value = "error"
        raise
    finally:
        team, channel = _ids(body)
        elapsed = (time.monotonic() - started) * 1000
        logger.info(
            "%s team=%s channel=%s %.0fms %s",
            kind,
            team,
            channel,
            elapsed,
            outcome.value,
        )
