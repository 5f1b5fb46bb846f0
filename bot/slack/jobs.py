"""Slow work (downloads, summaries) on a bounded pool, each job with a deadline.

Listeners acknowledge Slack first and hand the slow part to a JobRunner, so
Bolt's own listener threads stay free for the next acknowledgement. A job
checks its Deadline as it reads; past it the job raises JobTimeout and reports.
Workers are daemon threads, so `shutdown(grace)` alone bounds how long the
process waits for work in flight when it is asked to stop.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from bot.knowledge.errors import SmtpcodeError

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE = 25.0
"""Seconds a stopping process waits for jobs in flight before cancelling them."""


class JobTimeout(SmtpcodeError):
    """A job ran past its deadline, or the process is shutting down."""


class Deadline:
    """A point in time after which a job must stop; cancel() brings it forward."""

    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds
        self._cancelled = threading.Event()

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        if self._cancelled.is_set():
            return 0.0
        return max(0.0, self._at - time.monotonic())

    def check(self) -> None:
        """Raise JobTimeout when the deadline has passed or was cancelled."""
        if self.remaining() <= 0:
            raise JobTimeout("the job ran out of time")

    def cancel(self) -> None:
        """Make every later check() raise."""
        self._cancelled.set()


Job = Callable[[Deadline], None]


class JobRunner:
    """A fixed pool of worker threads, a cap on queued jobs, a deadline per job."""

    def __init__(self, workers: int, timeout: float, max_queued: int = 0) -> None:
        self._timeout = timeout
        self._queue: queue.Queue[tuple[str, Job]] = queue.Queue(
            maxsize=max_queued or workers * 4
        )
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._deadlines: set[Deadline] = set()
        self._stopping = False
        for i in range(workers):
            threading.Thread(target=self._work, name=f"job-{i}", daemon=True).start()

    @property
    def timeout(self) -> float:
        """Seconds each job may run."""
        return self._timeout

    def submit(self, name: str, job: Job) -> bool:
        """Queue `job`; False (and nothing queued) when full or shutting down."""
        with self._lock:
            if self._stopping:
                logger.warning("job %s refused: shutting down", name)
                return False
            self._pending += 1
        try:
            self._queue.put_nowait((name, job))
        except queue.Full:
            logger.warning("job %s refused: queue full", name)
            self._finished(None)
            return False
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is queued or running; False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, grace: float) -> bool:
        """Refuse new jobs, wait up to `grace` seconds, then cancel what still runs.

        Returns True when every job finished within the grace period.
        """
        with self._lock:
            self._stopping = True
        finished = self.wait_idle(grace)
        with self._lock:
            for deadline in self._deadlines:
                deadline.cancel()
        if not finished:
            logger.warning("shutdown: %d job(s) cancelled", self._pending)
        return finished

    def _work(self) -> None:
        while True:
            name, job = self._queue.get()
            deadline = Deadline(self._timeout)
            with self._lock:
                if self._stopping:
                    deadline.cancel()
                self._deadlines.add(deadline)
            try:
                self._run(name, job, deadline)
            finally:
                self._finished(deadline)

    def _run(self, name: str, job: Job, deadline: Deadline) -> None:
        started = time.monotonic()
        try:
            job(deadline)
        except Exception:
            logger.exception("job %s failed", name)
        finally:
            logger.info("job %s done in %.2fs", name, time.monotonic() - started)

    def _finished(self, deadline: Deadline | None) -> None:
        with self._idle:
            if deadline is not None:
                self._deadlines.discard(deadline)
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()
