"""The job runner: bounded queue, deadlines, and a bounded shutdown."""

from __future__ import annotations

import threading

import pytest

from bot.slack.jobs import Deadline, JobRunner, JobTimeout


def test_deadline_check_raises_once_passed_or_cancelled() -> None:
    deadline = Deadline(60)
    deadline.check()

    deadline.cancel()

    assert deadline.remaining() == 0
    with pytest.raises(JobTimeout):
        deadline.check()


def test_runner_refuses_work_beyond_its_queue() -> None:
    started, release = threading.Event(), threading.Event()
    runner = JobRunner(workers=1, timeout=10, max_queued=1)
    runner.submit("hold", lambda d: (started.set(), release.wait(5)))
    assert started.wait(5)  # the only worker is busy from here on

    accepted = [runner.submit("more", lambda d: None) for _ in range(3)]
    release.set()

    assert accepted == [True, False, False]
    assert runner.wait_idle(5)


def test_a_failing_job_does_not_kill_its_worker() -> None:
    runner = JobRunner(workers=1, timeout=10)
    done = threading.Event()

    def boom(_: Deadline) -> None:
        raise RuntimeError("job blew up")

    runner.submit("boom", boom)
    runner.submit("ok", lambda d: done.set())

    assert done.wait(5)


def test_shutdown_cancels_a_job_still_running_after_the_grace_period() -> None:
    runner = JobRunner(workers=1, timeout=60)
    outcome: list[str] = []
    started = threading.Event()

    def slow(deadline: Deadline) -> None:
        started.set()
        try:
            while True:
                deadline.check()
                threading.Event().wait(0.01)
        except JobTimeout:
            outcome.append("stopped")

    runner.submit("slow", slow)
    started.wait(5)

    assert runner.shutdown(grace=0.1) is False
    assert runner.wait_idle(5)
    assert outcome == ["stopped"]
    assert runner.submit("late", lambda d: None) is False
