"""Settings: the only reader of SLACK_* variables, failing fast and keeping secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack.settings import (
    DEFAULT_API_URL,
    DEFAULT_MAX_FILE_BYTES,
    SettingsError,
    load_settings,
)

HTTP_ENV = {"SLACK_BOT_TOKEN": "xoxb-1-secret", "SLACK_SIGNING_SECRET": "shh-secret"}


def test_http_settings_use_defaults_for_everything_optional() -> None:
    settings = load_settings(HTTP_ENV, dotenv_path=None)

    assert settings.socket_mode is False
    assert settings.api_url == DEFAULT_API_URL
    assert settings.port == 3000
    assert settings.max_file_bytes == DEFAULT_MAX_FILE_BYTES
    assert settings.api_host == "slack.com"


def test_app_token_switches_to_socket_mode_without_a_signing_secret() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-abc"}

    assert load_settings(env, dotenv_path=None).socket_mode is True


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_BOT_TOKEN",
        ),
        ({**HTTP_ENV, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({**HTTP_ENV, "SLACK_API_URL": "ftp://example.com"}, "SLACK_API_URL"),
        ({**HTTP_ENV, "PORT": "eighty"}, "PORT"),
        ({**HTTP_ENV, "SMTPCODE_MAX_FILE_BYTES": "-5"}, "SMTPCODE_MAX_FILE_BYTES"),
    ],
)
def test_missing_or_bad_setting_names_the_variable(
    env: dict[str, str], missing: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env, dotenv_path=None)

    assert caught.value.name == missing
    assert missing in caught.value.message


def test_secrets_never_appear_in_repr_or_errors() -> None:
    settings = load_settings(
        {**HTTP_ENV, "SLACK_APP_TOKEN": "xapp-1-topsecret"}, dotenv_path=None
    )
    with pytest.raises(SettingsError) as caught:
        load_settings({"SLACK_BOT_TOKEN": "not-a-token-secret"}, dotenv_path=None)

    shown = repr(settings) + str(settings) + str(caught.value)
    assert "secret" not in shown
    assert "topsecret" not in shown


def test_dotenv_fills_gaps_but_never_overrides_the_environment(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=from-file\nPORT=4000\n"
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-from-env"}

    settings = load_settings(env, dotenv_path=dotenv)

    assert settings.bot_token == "xoxb-from-env"
    assert settings.signing_secret == "from-file"
    assert settings.port == 4000


def test_api_url_gets_a_trailing_slash() -> None:
    settings = load_settings(
        {**HTTP_ENV, "SLACK_API_URL": "http://127.0.0.1:9/api"}, dotenv_path=None
    )

    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.api_host == "127.0.0.1:9"


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxb-your-bot-token"),
        ("SLACK_BOT_TOKEN", "xoxb-xxxxxxxxxxxx"),
        ("SLACK_BOT_TOKEN", "xoxb-..."),
        ("SLACK_BOT_TOKEN", "xoxb-<your token>"),
        ("SLACK_SIGNING_SECRET", "your-signing-secret"),
        ("SLACK_SIGNING_SECRET", "<signing secret>"),
        ("SLACK_SIGNING_SECRET", "changeme"),
        ("SLACK_APP_TOKEN", "xapp-your-app-token"),
    ],
)
def test_placeholder_value_is_refused_naming_the_variable_and_where_to_look(
    name: str, value: str
) -> None:
    env = {**HTTP_ENV, name: value}

    with pytest.raises(SettingsError) as caught:
        load_settings(env, dotenv_path=None)

    assert caught.value.name == name
    assert "placeholder" in caught.value.message
    assert "https://api.slack.com/apps" in caught.value.message
    assert value not in caught.value.message


def test_env_example_copied_unchanged_is_refused_at_start_up(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text((ROOT / ".env.example").read_text())

    with pytest.raises(SettingsError) as caught:
        load_settings({}, dotenv_path=dotenv)

    assert caught.value.name == "SLACK_BOT_TOKEN"
    assert "OAuth & Permissions" in caught.value.message


@pytest.mark.parametrize(
    "env",
    [
        {
            "SLACK_BOT_TOKEN": "xoxb-1234567890-0987654321-AbCdYourXxxExample0123",
            "SLACK_SIGNING_SECRET": "8f3a" * 8,
        },
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_APP_TOKEN": "xapp-1-A0123456789-1234567890-" + "0a" * 32,
        },
    ],
    ids=["real-shape-http", "socket-mode"],
)
def test_real_looking_tokens_are_not_taken_for_placeholders(
    env: dict[str, str],
) -> None:
    settings = load_settings(env, dotenv_path=None)

    assert settings.bot_token == env["SLACK_BOT_TOKEN"]
