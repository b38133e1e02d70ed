# -*- test-case-name: tests.callrecord.test_service,tests.callrecord.test_restart_sim -*-
"""The call records' Twisted shell: the hub's ``call`` and ``fact`` topics in, rows out.

Each payload goes through the :class:`~switchboard.callrecord.book.CallBook` at once (the
hub delivers in order, on the reactor); the operations of one reactor turn are written
together, in one ``Database.run`` transaction, and batches are written one after the
other, in the order they were made. Nothing here waits for the database on the reactor.

* A fact whose call has no row yet (the AMI side of it not written) waits for it, up to
  ``fact_wait_s``, retried every second; then it is logged (``callrecord_fact_unmatched``)
  and dropped, never written as a call of its own.
* A batch the database refused is tried again (``retry_s``, up to ``max_attempts``).
* Every ``heartbeat_s`` the live calls' ``last_seen_at`` moves on: after a crash, a call
  that ended unseen is closed at the last moment this switchboard still saw it live.
* A stop writes what is pending and leaves live calls open, noting when it stopped: the
  next start closes them after its first resync if they ended meanwhile (at the stop,
  ``switchboard_stopped``; after a crash at the last heartbeat, ``unclean_stop``), or
  goes on with them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.internet.task import LoopingCall, deferLater
from twisted.python.failure import Failure

from switchboard.callrecord.book import CallBook
from switchboard.callrecord.ops import Op, RecordWrite, Stopped
from switchboard.callrecord.store import apply_ops
from switchboard.cti.calls.values import CallNews
from switchboard.hub import CALL, FACT, Hub
from switchboard.queue.core.decisions import Fact
from switchboard.store import Database

__all__ = ["CallRecordService"]

log = structlog.get_logger(__name__)


class CallRecordService(Service):
    def __init__(
        self,
        hub: Hub,
        database: Database,
        reactor: IReactorTime,
        clock: IReactorTime,
        *,
        heartbeat_s: float = 60.0,
        fact_wait_s: float = 300.0,
        retry_s: float = 1.0,
        max_attempts: int = 5,
    ) -> None:
        self.book = CallBook()
        self._hub = hub
        self._database = database
        self._reactor = reactor
        self._clock = clock
        self._fact_wait_s = fact_wait_s
        self._retry_s = retry_s
        self._max_attempts = max_attempts
        self._pending: list[Op] = []
        self._waiting: list[RecordWrite] = []  # fact writes whose call has no row yet
        self._turn: IDelayedCall | None = None
        self._retry: IDelayedCall | None = None
        self._writing = False  # a batch is in the database's hands
        self._final = False  # stopping: what is left is written once, not waited for
        self._idle: list[Deferred[None]] = []  # written() callers
        self._unsubscribe: list[Callable[[], None]] = []
        self._heartbeat = LoopingCall(self._beat)
        self._heartbeat.clock = clock
        self._heartbeat_s = heartbeat_s

    def startService(self) -> None:
        super().startService()
        self._unsubscribe = [
            self._hub.subscribe(CALL, self._on_call),
            self._hub.subscribe(FACT, self._on_fact),
        ]
        self._final = False
        self._heartbeat.start(self._heartbeat_s, now=False)

    def stopService(self) -> Deferred[None]:
        super().stopService()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._heartbeat.running:
            self._heartbeat.stop()
        for timer in (self._turn, self._retry):
            if timer is not None and timer.active():
                timer.cancel()
        self._turn = self._retry = None
        if self.book.live_calls:
            self._pending.append(Stopped(self.book.live_calls, self._clock.seconds()))
        self._final = True
        return self.written()

    def written(self) -> Deferred[None]:
        """Fires once everything received so far is written (the stop, tests)."""
        done: Deferred[None] = Deferred()
        self._idle.append(done)
        self._flush()
        return done

    # -- from the hub -------------------------------------------------------------------
    def _on_call(self, news: CallNews) -> None:
        self._queue(self.book.on_call(news))

    def _on_fact(self, fact: Fact) -> None:
        self._queue(self.book.on_fact(fact))

    def _beat(self) -> None:
        now = self._clock.seconds()
        live = self.book.live_calls
        self._queue([RecordWrite(call_id, seen_at=now, creates=False) for call_id in live])

    def _queue(self, ops: list[Op]) -> None:
        if not ops:
            return
        self._pending += ops
        if self._turn is None and self.running:
            self._turn = self._reactor.callLater(0, self._flush)

    # -- to the database ----------------------------------------------------------------
    def _flush(self, with_waiting: bool = True) -> None:
        """Write what is pending as one batch, unless a batch is being written: then it
        all goes in the next one, as soon as that is done (a slow database gets fewer,
        bigger transactions, never a queue of small ones). Facts waiting for their row
        go along, except when only they are left after a batch (the retry timer's)."""
        if self._turn is not None and self._turn.active():
            self._turn.cancel()
        self._turn = None
        if self._writing:
            return
        if not (with_waiting or self._pending):
            batch: list[Op] = []
        else:
            batch = [*self._waiting, *self._pending]
            self._waiting, self._pending = [], []
        if not batch:
            idle, self._idle = self._idle, []
            for done in idle:
                done.callback(None)
            return
        self._writing = True
        self._write(batch, 1).addBoth(self._wrote)

    def _wrote(self, _: object) -> None:
        self._writing = False
        if self._pending or self._idle:
            self._flush(with_waiting=False)

    def _write(self, batch: list[Op], attempt: int) -> Deferred[None]:
        done = self._database.run(partial(apply_ops, ops=batch))
        return done.addCallbacks(self._after, partial(self._failed, batch=batch, attempt=attempt))

    def _after(self, unmatched: list[RecordWrite]) -> None:
        now = self._clock.seconds()
        for write in unmatched:
            if not write.queue_call_id:
                continue  # a heartbeat of a call whose row is gone: nothing to note
            if not self._final and now - write.born_at < self._fact_wait_s:
                self._waiting.append(write)
                continue
            log.warning(
                "callrecord_fact_unmatched",
                call_id=write.queue_call_id,
                fields=sorted({*write.first, *write.last, *write.add}),
            )
        if self._waiting and self.running and (self._retry is None or not self._retry.active()):
            self._retry = self._reactor.callLater(self._retry_s, self._flush)

    def _failed(self, failure: Failure, batch: list[Op], attempt: int) -> Deferred[None] | None:
        log.error(
            "callrecord_write_failed",
            error=failure.getErrorMessage(),
            operations=len(batch),
            attempt=attempt,
        )
        if attempt >= self._max_attempts or self._final:
            log.error("callrecord_batch_dropped", operations=len(batch))
            return None
        # What comes meanwhile waits behind this batch: rows are written in the order made.
        later = deferLater(self._reactor, self._retry_s * attempt, lambda: None)
        return later.addCallback(lambda _: self._write(batch, attempt + 1))
