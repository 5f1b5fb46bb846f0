"""Two web workers of one host on one state file: no double replies, shared shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.render import words
from bot.render.blocks import check_blocks
from tests.slack.harness import (
    POSTFIX,
    USER,
    FakeSlack,
    Running,
    mention,
    send_command,
    send_event,
    send_interactive,
    share_payload,
)

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def workers(start_app: Callable[..., Running], path: Path) -> tuple[Running, Running]:
    """Two apps built as gunicorn workers are, on one state file."""
    return (
        start_app(web=True, state_path=str(path)),
        start_app(web=True, state_path=str(path)),
    )


def share_buttons(blocks: list[dict]) -> list[dict]:
    return [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == words.SHARE_SUMMARY_ACTION_ID
    ]


def test_retry_landing_on_the_other_worker_gets_no_second_reply(
    start_app: Callable[..., Running], slack: FakeSlack, tmp_path: Path
) -> None:
    one, two = workers(start_app, tmp_path / "state.sqlite3")

    first = send_event(one, mention("451"), event_id="EvACROSS")
    again = send_event(two, mention("451"), event_id="EvACROSS", headers=RETRY)
    one.settle()
    two.settle()

    assert first.status == again.status == 200
    (reply,) = slack.calls("/api/chat.postMessage")
    assert reply.params["thread_ts"] == mention("451")["ts"]


def test_each_worker_still_answers_its_own_new_events(
    start_app: Callable[..., Running], slack: FakeSlack, tmp_path: Path
) -> None:
    one, two = workers(start_app, tmp_path / "state.sqlite3")

    send_event(one, mention("451", ts="1700000300.000100"))
    send_event(two, mention("550", ts="1700000400.000100"))
    one.settle()
    two.settle()

    threads = sorted(
        c.params["thread_ts"] for c in slack.calls("/api/chat.postMessage")
    )
    assert threads == ["1700000300.000100", "1700000400.000100"]


def test_summary_kept_by_one_worker_is_shared_by_the_other(
    start_app: Callable[..., Running], slack: FakeSlack, tmp_path: Path
) -> None:
    one, two = workers(start_app, tmp_path / "state.sqlite3")
    send_command(one, slack, POSTFIX)
    one.settle()
    (private,) = slack.wait_calls("/resp/command")
    (button,) = share_buttons(private.blocks)

    send_interactive(
        two, share_payload(slack, button["value"], words.SHARE_SUMMARY_ACTION_ID)
    )
    two.settle()
    (shared,) = slack.wait_calls("/resp/share")

    assert shared.params["response_type"] == "in_channel"
    assert words.SUMMARY_TITLE in shared.text
    assert "550" in shared.text and "451" in shared.text
    assert f"Shared by <@{USER}>" in shared.text
    assert not any(f"{name}@example" in shared.text for name in ("ann", "bob", "cy"))
    assert "***@example.org" in shared.text
    assert share_buttons(shared.blocks) == []
    assert check_blocks(shared.blocks) == []


def test_web_worker_with_an_unusable_state_path_still_answers(
    start_app: Callable[..., Running], slack: FakeSlack, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    app = start_app(web=True, state_path=str(blocker / "state.sqlite3"))

    send_event(app, mention("451"), event_id="EvNOFILE")
    send_event(app, mention("451"), event_id="EvNOFILE", headers=RETRY)
    app.settle()

    assert len(slack.calls("/api/chat.postMessage")) == 1
