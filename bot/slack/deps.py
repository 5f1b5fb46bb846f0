"""What listeners need besides Bolt's own arguments, carried in the Bolt context."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_bolt import BoltContext

from bot.slack.jobs import JobRunner
from bot.slack.kept import KeptStore, MemoryKept
from bot.slack.settings import Settings

CONTEXT_KEY = "smtpcode"


@dataclass(frozen=True, slots=True)
class Deps:
    """The settings, the job runner and the kept answers of one app instance."""

    settings: Settings
    jobs: JobRunner
    kept: KeptStore = field(default_factory=MemoryKept)


def deps_of(context: BoltContext) -> Deps:
    """The Deps that `create_app` put into every request's context."""
    deps = context[CONTEXT_KEY]
    assert isinstance(deps, Deps)
    return deps
