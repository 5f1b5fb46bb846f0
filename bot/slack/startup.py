"""Start-up checks: can Slack's Web API be reached, and does it accept our tokens?

A failure becomes one StartupError whose message names the variable or URL to check.
"""

from __future__ import annotations

import logging
from urllib.error import URLError

from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.knowledge.errors import SmtpcodeError
from bot.slack.settings import WHERE, Settings

TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
    }
)
"""Web API error codes that mean "this token is not accepted"."""


def quiet_logger() -> logging.Logger:
    """For start-up calls: their retries' lines would only repeat the StartupError."""
    quiet = logging.getLogger("bot.slack.startup.web_api")
    quiet.setLevel(logging.CRITICAL)
    return quiet


class StartupError(SmtpcodeError):
    """Slack could not be reached or refused a token; the message says what to check."""


def check_bot_token(settings: Settings, client: WebClient) -> None:
    """Call auth.test; raises StartupError when it fails, for whatever reason."""
    try:
        client.auth_test()
    except (SlackApiError, OSError) as error:
        raise startup_error(error, settings, "SLACK_BOT_TOKEN") from error


def startup_error(
    error: BaseException, settings: Settings, variable: str
) -> StartupError:
    """Say why a start-up call failed, naming `variable` or SLACK_API_URL to check.

    Accepts what slack_sdk and Bolt raise: SlackApiError, a BoltError wrapping one
    (Bolt's own auth.test), URLError and other OSErrors.
    """
    if isinstance(error, BoltError) and isinstance(error.__context__, SlackApiError):
        error = error.__context__
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or "")
        if code in TOKEN_ERRORS:
            return StartupError(f"Slack refused {variable} ({code}): {WHERE[variable]}")
        answer = code or f"HTTP {error.response.status_code}"
        return StartupError(
            f"Slack's Web API at {settings.api_url} answered {answer}; "
            f"check SLACK_API_URL and {variable}"
        )

    reason = error.reason if isinstance(error, URLError) else error
    if isinstance(reason, OSError) and reason.strerror:
        reason = reason.strerror
    return StartupError(
        f"cannot reach Slack's Web API at {settings.api_url} "
        f"({str(reason) or type(error).__name__}); check SLACK_API_URL and the network"
    )
