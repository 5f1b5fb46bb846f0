"""What listeners need besides Bolt's own arguments, carried in the Bolt context."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import BoltContext

from bot.slack.jobs import JobRunner
from bot.slack.settings import Settings

CONTEXT_KEY = "smtpcode"


@dataclass(frozen=True, slots=True)
class Deps:
    """The settings and the job runner of one app instance."""

    settings: Settings
    jobs: JobRunner


def deps_of(context: BoltContext) -> Deps:
    """The Deps that `create_app` put into every request's context."""
    deps = context[CONTEXT_KEY]
    assert isinstance(deps, Deps)
    return deps
