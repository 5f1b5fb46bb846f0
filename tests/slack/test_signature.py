"""Rejected signatures: 401, and a rate-limited warning the operator can see."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from slack_bolt import BoltRequest, BoltResponse

from bot.slack.signature import REJECTED, RateLimitedWarning, SignatureCheck
from tests.slack.harness import SECRET, Running, form, post

LOGGER = "bot.slack.signature"
BODY = form({"command": "/smtpcode", "text": "550 pasted-log-line", "team_id": "T0"})


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING
    ]


def test_bad_signature_logged_nothing_so_a_wrong_secret_was_invisible(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    answer = post(running, BODY, "application/x-www-form-urlencoded", secret="wrong")

    assert answer.status == 401
    [record] = _warnings(caplog)
    assert record.getMessage() == REJECTED
    assert "SLACK_SIGNING_SECRET" in record.getMessage()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "pasted-log-line" not in logged
    assert SECRET not in logged
    assert "v0=" not in logged


def test_stale_and_unsigned_requests_are_logged_as_rejected_too(
    start_app: Callable[..., Running], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    stale = start_app()
    unsigned = start_app()

    first = post(stale, BODY, "application/x-www-form-urlencoded", timestamp=1)
    second = post(
        unsigned,
        BODY,
        "application/x-www-form-urlencoded",
        headers={"X-Slack-Signature": None, "X-Slack-Request-Timestamp": "soon"},
    )

    assert (first.status, second.status) == (401, 401)
    assert [r.getMessage() for r in _warnings(caplog)] == [REJECTED, REJECTED]


def test_a_flood_of_bad_signatures_logs_one_line_per_interval_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    now = [1000.0]
    warn = RateLimitedWarning(REJECTED, interval=10.0, clock=lambda: now[0])

    for _ in range(500):
        warn()
        now[0] += 0.01  # 500 rejections within 5 seconds
    now[0] += 6.0
    warn()

    lines = [r.getMessage() for r in _warnings(caplog)]
    assert lines[0] == REJECTED
    assert len(lines) == 2
    assert lines[1].startswith(REJECTED)
    assert "500 rejected since the last warning" in lines[1]


def test_socket_mode_request_skips_the_signature_check(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    check = SignatureCheck("")
    request = BoltRequest(body="{}", mode="socket_mode")
    passed: list[bool] = []

    def next_() -> BoltResponse:
        passed.append(True)
        return BoltResponse(status=200)

    check.process(req=request, resp=BoltResponse(status=200), next=next_)

    assert passed == [True]
    assert _warnings(caplog) == []


def test_http_request_is_refused_when_no_signing_secret_is_set() -> None:
    check = SignatureCheck("")
    request = BoltRequest(
        body="{}",
        headers={"x-slack-request-timestamp": "1", "x-slack-signature": "v0=0"},
    )

    answer = check.process(
        req=request,
        resp=BoltResponse(status=200),
        next=lambda: BoltResponse(status=200),
    )

    assert answer.status == 401
