"""The Slack face's settings: the only place that reads SLACK_* variables.

Values come from the process environment, then from a `.env` file that never
overrides what the environment already holds.
"""

from __future__ import annotations

import os
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

    bot_token = _required(values, "SLACK_BOT_TOKEN", prefix="xoxb-")
    app_token = values.get("SLACK_APP_TOKEN", "").strip()
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN", "SLACK_APP_TOKEN must start with xapp-")
    signing_secret = values.get("SLACK_SIGNING_SECRET", "").strip()
    if not app_token and not signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET",
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode; "
            "set SLACK_APP_TOKEN instead for Socket Mode)",
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


def _required(values: Mapping[str, str], name: str, *, prefix: str) -> str:
    value = values.get(name, "").strip()
    if not value:
        raise SettingsError(name, f"{name} is not set")
    if not value.startswith(prefix):
        raise SettingsError(name, f"{name} must start with {prefix}")
    return value


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
