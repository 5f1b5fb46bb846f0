"""The manifests declare exactly what the app registers and match Slack's schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

from bot.render import words
from bot.slack import registry
from tests.slack.harness import Running

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = {
    "http": ROOT / "manifests" / "manifest.http.json",
    "socket": ROOT / "manifests" / "manifest.socket.json",
}
SCHEMA = ROOT.parent / "shared" / "reference" / "slack-manifest.schema.1.0.0.json"


def load(kind: str) -> dict[str, Any]:
    return json.loads(MANIFESTS[kind].read_text(encoding="utf-8"))


def commands(m: dict[str, Any]) -> set[str]:
    return {c["command"] for c in m["features"].get("slash_commands", [])}


def shortcuts(m: dict[str, Any]) -> set[tuple[str, str]]:
    return {(s["type"], s["callback_id"]) for s in m["features"].get("shortcuts", [])}


def bot_events(m: dict[str, Any]) -> set[str]:
    return set(m["settings"]["event_subscriptions"]["bot_events"])


def scopes(m: dict[str, Any]) -> set[str]:
    return set(m["oauth_config"]["scopes"]["bot"])


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_manifest_validates_against_slack_schema(kind: str) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not present here: {SCHEMA}")
    from jsonschema import Draft7Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [e.message for e in Draft7Validator(schema).iter_errors(load(kind))]

    assert errors == []


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_manifest_declares_exactly_the_registry(kind: str) -> None:
    m = load(kind)

    assert commands(m) == {registry.COMMAND}
    assert shortcuts(m) == {("message", registry.SHORTCUT_CALLBACK)}
    assert bot_events(m) == set(registry.BOT_EVENTS)
    assert scopes(m) == set(registry.BOT_SCOPES)
    assert m["settings"]["interactivity"]["is_enabled"] is True


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_every_event_has_its_scope_and_every_surface_its_feature(kind: str) -> None:
    m = load(kind)
    needed = {scope for scope in registry.BOT_EVENTS.values() if scope}
    home = m["features"]["app_home"]

    assert needed <= scopes(m)
    assert "commands" in scopes(m)
    assert {"files:read", "files:write", "chat:write", "im:write"} <= scopes(m)
    assert home["home_tab_enabled"] is ("app_home_opened" in bot_events(m))
    assert home["messages_tab_enabled"] is ("message.im" in bot_events(m))
    assert home["messages_tab_read_only_enabled"] is False


def test_manifests_use_the_words_people_see() -> None:
    m = load("http")
    (command,) = m["features"]["slash_commands"]
    (shortcut,) = m["features"]["shortcuts"]

    assert command["description"] == words.SLASH_DESCRIPTION
    assert command["usage_hint"] == words.SLASH_USAGE_HINT
    assert shortcut["name"] == registry.SHORTCUT_NAME == words.SHORTCUT_NAME
    assert shortcut["description"] == words.SHORTCUT_DESCRIPTION
    assert load("socket")["features"] == {
        **m["features"],
        "slash_commands": [{k: v for k, v in command.items() if k != "url"}],
    }


def test_http_manifest_has_request_urls_and_socket_manifest_has_none() -> None:
    http, socket = load("http"), load("socket")
    http_urls = {
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in http["features"]["slash_commands"]),
    }

    assert http["settings"]["socket_mode_enabled"] is False
    assert len(http_urls) == 1
    assert next(iter(http_urls)).startswith("https://")
    assert next(iter(http_urls)).endswith(registry.EVENTS_PATH)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert url_keys(socket) == []
    assert len(url_keys(http)) == 3


def url_keys(obj: Any, where: str = "") -> list[str]:
    """Every key path in a manifest whose name is a URL field."""
    found: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("url", "request_url", "redirect_urls"):
                found.append(f"{where}.{key}")
            found += url_keys(value, f"{where}.{key}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            found += url_keys(item, f"{where}[{i}]")
    return found


def probes(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Minimal request bodies for every command, shortcut, event and button."""
    bodies: list[dict[str, Any]] = [
        {"command": c, "text": "", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}
        for c in commands(m)
    ]
    bodies += [
        {"type": "message_action", "callback_id": cb, "team": {"id": "T1"}}
        for _, cb in shortcuts(m)
    ]
    bodies += [
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "actions": [{"action_id": action_id, "type": "button"}],
        }
        for action_id in (registry.SHARE_ACTION, registry.SHARE_SUMMARY_ACTION)
    ]
    for name in bot_events(m):
        event_type, _, channel_type = name.partition(".")
        event: dict[str, Any] = {"type": event_type, "user": "U1", "ts": "1.0"}
        if channel_type:
            event["channel_type"] = channel_type
        if event_type == "app_home_opened":
            event["tab"] = "home"
        bodies.append({"type": "event_callback", "team_id": "T1", "event": event})
    return bodies


def matching(app: App, body: dict[str, Any]) -> list[Any]:
    req = BoltRequest(
        body=json.dumps(body), headers={"content-type": ["application/json"]}
    )
    resp = BoltResponse(status=200)
    return [lis for lis in app._listeners if lis.matches(req=req, resp=resp)]


def test_every_declared_item_has_a_listener_and_every_listener_is_declared(
    running: Running,
) -> None:
    app = running.app
    bodies = probes(load("http"))

    unhandled = [b for b in bodies if not matching(app, b)]
    matched = {id(lis) for b in bodies for lis in matching(app, b)}
    undeclared = [lis for lis in app._listeners if id(lis) not in matched]

    assert unhandled == []
    assert undeclared == []
