"""The Slack face's settings: the only place that reads SLACK_* variables.

Values come from the process environment, then from a `.env` file that never
overrides what the environment already holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.knowledge.errors import SmtpcodeError
from bot.slack.state import default_state_path

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_TEXT_BYTES = 2 * 1024 * 1024 * 1024
DEFAULT_JOB_TIMEOUT = 120.0
DEFAULT_JOB_WORKERS = 4
DEFAULT_PROGRESS_DELAY = 2.0

_Num = TypeVar("_Num", int, float)

APPS_PAGE = "https://api.slack.com/apps"
WHERE = {
    "SLACK_BOT_TOKEN": (
        "copy the Bot User OAuth Token (it starts with xoxb-) from OAuth & "
        f"Permissions on your app's page at {APPS_PAGE}"
    ),
    "SLACK_SIGNING_SECRET": (
        "copy the Signing Secret from Basic Information > App Credentials "
        f"on your app's page at {APPS_PAGE}"
    ),
    "SLACK_APP_TOKEN": (
        "generate an app-level token with connections:write under Basic "
        f"Information > App-Level Tokens on your app's page at {APPS_PAGE}"
    ),
}
"""Where an operator finds the real value of each secret, said in every error."""

_PLACEHOLDER_WORDS = frozenset(
    {"your", "placeholder", "changeme", "replaceme", "example", "todo", "fixme"}
)


class SettingsError(SmtpcodeError):
    """A setting is missing or malformed; `name` is the variable to fix."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the Slack app needs from its environment; secrets stay out of repr."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = DEFAULT_PORT
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES
    job_timeout: float = DEFAULT_JOB_TIMEOUT
    job_workers: int = DEFAULT_JOB_WORKERS
    state_path: str = field(default_factory=default_state_path)
    progress_delay: float = DEFAULT_PROGRESS_DELAY
    """Seconds a private summary may take before "Reading…" is shown (0: at once)."""

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is set: the app connects over a WebSocket."""
        return bool(self.app_token)

    @property
    def api_host(self) -> str:
        """The host (and port) of the Web API base URL, e.g. "slack.com"."""
        return urlsplit(self.api_url).netloc.lower()


def load_settings(
    env: Mapping[str, str] | None = None, *, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Read settings from `env` (default: the process environment) and `.env`.

    Raises SettingsError naming the first missing or malformed variable.
    """
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v})
    values.update(os.environ if env is None else env)

    bot_token = _secret(values, "SLACK_BOT_TOKEN", prefix="xoxb-", required=True)
    app_token = _secret(values, "SLACK_APP_TOKEN", prefix="xapp-")
    signing_secret = _secret(values, "SLACK_SIGNING_SECRET")
    if not app_token and not signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET",
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode; set "
            "SLACK_APP_TOKEN instead for Socket Mode): "
            + WHERE["SLACK_SIGNING_SECRET"],
        )

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=_api_url(values.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL),
        port=_number(values, "PORT", DEFAULT_PORT, int),
        max_file_bytes=_number(
            values, "SMTPCODE_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES, int
        ),
        max_text_bytes=_number(
            values, "SMTPCODE_MAX_TEXT_BYTES", DEFAULT_MAX_TEXT_BYTES, int
        ),
        job_timeout=_number(values, "SMTPCODE_JOB_TIMEOUT", DEFAULT_JOB_TIMEOUT, float),
        job_workers=_number(values, "SMTPCODE_JOB_WORKERS", DEFAULT_JOB_WORKERS, int),
        state_path=values.get("SMTPCODE_STATE_PATH", "").strip()
        or default_state_path(),
    )


def _secret(
    values: Mapping[str, str], name: str, *, prefix: str = "", required: bool = False
) -> str:
    """The token or secret `name`, refused when missing, mistyped or a placeholder."""
    value = values.get(name, "").strip()
    if not value and not required:
        return ""

    problem = ""
    if not value:
        problem = f"{name} is not set"
    elif not value.startswith(prefix):
        problem = f"{name} must start with {prefix}"
    elif is_placeholder(value.removeprefix(prefix)):
        problem = f"{name} still holds a placeholder, not a real value"
    if problem:
        raise SettingsError(name, f"{problem}: {WHERE[name]}")
    return value


def is_placeholder(value: str) -> bool:
    """True for template values like your-bot-token, <secret>, xxxx or "..."."""
    if value.startswith("<") and value.endswith(">"):
        return True
    if not any(char.isalnum() for char in value):
        return True
    words = re.split(r"[-_.\s]+", value.lower())
    return any(
        word in _PLACEHOLDER_WORDS or (len(word) >= 3 and set(word) == {"x"})
        for word in words
    )


def _api_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError("SLACK_API_URL", "SLACK_API_URL must be an http(s) URL")
    return url if url.endswith("/") else url + "/"


def _number(
    values: Mapping[str, str], name: str, default: _Num, kind: type[_Num]
) -> _Num:
    raw = values.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(name, f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(name, f"{name} must be greater than zero")
    return value
