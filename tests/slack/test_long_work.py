"""Long work: trimmed summaries with the full text sent along, and time limits."""

from __future__ import annotations

from bot.render import words
from bot.render.blocks import check_blocks
from tests.slack.harness import (
    CHANNEL,
    DM_CHANNEL,
    USER,
    Canned,
    FakeSlack,
    Running,
    api_error,
    mention,
    send_command,
    send_event,
    send_interactive,
    share_payload,
)

MANY_CODES = "\n".join(
    f"Jan  1 10:{i // 60:02d}:{i % 60:02d} mx postfix/smtp[{100 + i}]: {i:08X}: "
    f"to=<u{i}@example.com>, relay=mx{i}.example.net[192.0.2.{i % 250 + 1}]:25, "
    f"delay=1, status=bounced (host mx{i}.example.net[192.0.2.{i % 250 + 1}] said: "
    f"5{i // 10 % 10}{i % 10} 5.0.0 rejected for reason number {i})"
    for i in range(0, 90)
)


def test_trimmed_summary_attaches_the_full_text_as_a_file_in_the_thread(
    running: Running, slack: FakeSlack
) -> None:
    event = mention("```" + MANY_CODES + "```")
    send_event(running, event)
    running.settle()

    (answer,) = [p for p in slack.calls("/api/chat.postMessage") if p.blocks]
    (complete,) = slack.calls("/api/files.completeUploadExternal")
    (upload,) = [s for s in slack.seen if s.path.startswith("/upload/")]
    assert check_blocks(answer.blocks) == []
    assert "more codes" in answer.text
    assert complete.params["channel_id"] == CHANNEL
    assert complete.params["thread_ts"] == event["ts"]
    assert b"550" in upload.raw and b"589" in upload.raw


def test_failed_upload_posts_the_full_text_in_the_thread_instead(
    running: Running, slack: FakeSlack
) -> None:
    slack.script(
        "/api/files.getUploadURLExternal",
        Canned(body={"ok": False, "error": "missing_scope"}),
    )
    event = mention("```" + MANY_CODES + "```")
    send_event(running, event)
    running.settle()

    posts = slack.calls("/api/chat.postMessage")
    pieces = [p for p in posts if not p.blocks]
    assert 1 <= len(pieces) <= 5
    assert all(p.params["thread_ts"] == event["ts"] for p in pieces)
    assert all(p.params["text"].startswith("```") for p in pieces)
    assert "589" in "".join(p.params["text"] for p in pieces)


def test_job_past_its_time_limit_says_so(start_app, slack: FakeSlack) -> None:
    app = start_app(job_timeout=1e-9)
    send_event(app, mention("```" + MANY_CODES + "```"))
    app.settle()

    (answer,) = slack.calls("/api/chat.postMessage")
    assert words.timed_out("the log").split(" took")[1] in answer.text


def test_trimmed_private_summary_sends_the_full_text_to_the_users_dm(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, MANY_CODES)
    running.settle()

    (reply,) = slack.calls("/resp/command")
    (opened,) = slack.calls("/api/conversations.open")
    (complete,) = slack.calls("/api/files.completeUploadExternal")
    (upload,) = [s for s in slack.seen if s.path.startswith("/upload/")]
    assert opened.params["users"] == USER
    assert complete.params["channel_id"] == DM_CHANNEL
    assert b"550" in upload.raw and b"589" in upload.raw
    assert "more codes" in reply.text
    assert words.FULL_SUMMARY_IN_DM.split(";")[0] in reply.text
    assert reply.blocks[-1]["type"] == "actions"  # Share stays the last thing
    assert check_blocks(reply.blocks) == []


def test_trimmed_private_summary_says_how_to_get_all_codes_when_no_dm(
    running: Running, slack: FakeSlack
) -> None:
    slack.script("/api/conversations.open", api_error("missing_scope"))
    send_command(running, slack, MANY_CODES)
    running.settle()

    (reply,) = slack.calls("/resp/command")
    assert slack.calls("/api/files.completeUploadExternal") == []
    assert "smtpcode summarize" in reply.text
    assert words.FULL_SUMMARY_IN_DM not in reply.text
    assert check_blocks(reply.blocks) == []


def test_shared_trimmed_summary_does_not_mention_the_private_dm(
    running: Running, slack: FakeSlack
) -> None:
    send_command(running, slack, MANY_CODES)
    running.settle()
    (reply,) = slack.calls("/resp/command")
    (button,) = reply.blocks[-1]["elements"]

    payload = share_payload(slack, button["value"], words.SHARE_SUMMARY_ACTION_ID)
    send_interactive(running, payload)
    running.settle()
    (shared,) = slack.wait_calls("/resp/share")

    assert "more codes" in shared.text
    assert words.FULL_SUMMARY_IN_DM not in shared.text
    assert check_blocks(shared.blocks) == []
