# -*- test-case-name: tests.ivr.test_registry,tests.queue.test_watcher -*-
"""A service that calls ``poll_once()`` every ``interval_s`` on an injected clock.

The flows registry and the queue-file watcher both look for edits this way. A poll that
raises is logged and the next one still runs: one bad read must not stop hot reload.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import Service
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

__all__ = ["PollingService"]


class PollingService(Service):
    """Subclasses set ``poll_failed_event`` and ``poller_stopped_event`` and implement
    ``poll_once()`` and ``poll_log`` (a bound structlog logger)."""

    poll_failed_event = "poll_failed"
    poller_stopped_event = "poller_stopped"

    def __init__(self, clock: IReactorTime, interval_s: float) -> None:
        self._clock = clock
        self._interval = interval_s
        self._loop: LoopingCall | None = None

    @property
    def poll_log(self) -> Any:
        raise NotImplementedError

    def poll_once(self) -> object:
        raise NotImplementedError

    def startService(self) -> None:
        super().startService()
        self._loop = LoopingCall(self._poll)
        self._loop.clock = self._clock
        self._loop.start(self._interval, now=False).addErrback(self._loop_failed)

    def stopService(self) -> Any:
        super().stopService()
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._loop = None

    def _poll(self) -> None:
        try:
            self.poll_once()
        except Exception:  # a bad poll must not stop future ones
            self.poll_log.exception(self.poll_failed_event)

    def _loop_failed(self, failure: Failure) -> None:
        self.poll_log.error(self.poller_stopped_event, error=failure.getErrorMessage())
