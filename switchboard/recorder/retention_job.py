# -*- test-case-name: tests.recorder.test_retention_job -*-
"""``serve`` applies the retention policy itself, once a day at ``[recorder] retention_at``.

The same work as ``switchboard recordings retention`` (:func:`~.ops.retention`): files
older than their queue's ``retention_days`` are deleted and their rows marked, a legal
hold keeps a file whatever its age, the audit stays. It runs in ``Database.run`` (off the
reactor thread: a night's deletions are many unlinks), on the injected clock, and each
run logs what it removed. A failed run is logged and the next day's run goes ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.orm import Session
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.python.failure import Failure

from switchboard.recorder.ops import retention
from switchboard.recorder.paths import PathMap
from switchboard.store import Database

__all__ = ["RetentionJob", "seconds_until"]

log = structlog.get_logger(__name__)


def seconds_until(at: str, now: float, zone: ZoneInfo) -> float:
    """Seconds from ``now`` to the next ``HH:MM`` wall-clock time in ``zone``."""
    hour, minute = (int(part) for part in at.split(":"))
    local = datetime.fromtimestamp(now, zone)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target = (target + timedelta(days=1)).replace(hour=hour, minute=minute)
    return max(0.0, target.timestamp() - now)


class RetentionJob(Service):
    def __init__(
        self,
        clock: IReactorTime,
        database: Database,
        days_by_queue: dict[str, int],
        paths: PathMap,
        at: str,
        zone: ZoneInfo,
    ) -> None:
        self._clock = clock
        self._database = database
        self._days = dict(days_by_queue)
        self._paths = paths
        self._at = at
        self._zone = zone
        self._next: IDelayedCall | None = None
        self.in_progress: Deferred[None] | None = None

    def startService(self) -> None:
        super().startService()
        self._schedule()

    def stopService(self) -> Any:
        if self._next is not None and self._next.active():
            self._next.cancel()
        self._next = None
        return super().stopService()

    def _schedule(self) -> None:
        delay = seconds_until(self._at, self._clock.seconds(), self._zone)
        self._next = self._clock.callLater(delay, self.run_now)
        log.info("recordings_retention_scheduled", at=self._at, in_s=round(delay))

    def run_now(self) -> Deferred[None]:
        """One pass; the next is scheduled when it is over."""
        now = self._clock.seconds()

        def work(session: Session) -> tuple[list[tuple[int, str, str]], list[int]]:
            gone, kept = retention(session, self._days, self._paths, now, dry_run=False)
            return [(r.id, r.queue, r.path) for r in gone], [r.id for r in kept]

        ran: Deferred[Any] = self._database.run(work)
        ran.addCallbacks(self._done, self._failed)
        ran.addBoth(self._again)
        self.in_progress = ran
        return ran

    def _done(self, result: tuple[list[tuple[int, str, str]], list[int]]) -> None:
        gone, held = result
        for row_id, queue, path in gone:
            log.info("recording_deleted_by_retention", id=row_id, queue=queue, path=path)
        log.info("recordings_retention_done", deleted=len(gone), held=len(held), held_ids=held)

    def _failed(self, failure: Failure) -> None:
        log.error("recordings_retention_failed", error=failure.getErrorMessage())

    def _again(self, _: object) -> None:
        self.in_progress = None
        if self.running:  # not after stopService
            self._schedule()
