"""The core's exceptions: one base, a few subclasses with structured fields.

The core raises; the CLI and the Slack layer decide how to show them.
"""

from __future__ import annotations


class SmtpcodeError(Exception):
    """Base of every error smtpcode raises on purpose."""


class QueryError(SmtpcodeError):
    """A query held nothing we could explain.

    `problem` says what was wrong in one short sentence, `suggestions` lists near
    known codes (may be empty).
    """

    def __init__(
        self, problem: str, query: str = "", suggestions: tuple[str, ...] = ()
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.query = query
        self.suggestions = suggestions


class InputError(SmtpcodeError):
    """A log source could not be read: too big, binary, a bomb, unreadable.

    `kind` is a short stable word ("too_big", "binary", "bomb", "empty",
    "unreadable", "html") used by the faces to pick their words.
    """

    def __init__(self, kind: str, message: str, name: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.name = name
