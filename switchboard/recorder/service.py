# -*- test-case-name: tests.recorder.test_service -*-
"""The recorder's Twisted shell: hub and AMI in, checked files and index rows out.

When a recorded call ends the file is checked off the reactor thread (``run_check``,
a thread pool by default), looked at again up to ``check_attempts`` times while it is
missing or unfinished (Asterisk closes it a moment after the hang-up), and then indexed,
whatever it was: a missing or corrupt file gets its row with the problem, and an error
log line, never silence. Pause/resume (sensitive input) sends ``MixMonitorMute`` and logs
who asked; the state itself is what the ``MixMonitorMute`` events said.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.python.failure import Failure

from switchboard.config.model import RecorderSettings
from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.values import CallsResynced
from switchboard.hub import CALL, FACT, Hub
from switchboard.recorder.filecheck import CORRUPT, MISSING, FileCheck, check_file
from switchboard.recorder.lifecycle import Finished, RecordingBook
from switchboard.recorder.paths import PathMap
from switchboard.recorder.store import index_recording, log_pause
from switchboard.store import Database

__all__ = ["RecorderError", "RecorderService"]

log = structlog.get_logger(__name__)

CheckRunner = Callable[[Callable[[], FileCheck]], Deferred[FileCheck]]
_RETRIED = (MISSING, CORRUPT)


class AmiLink(Protocol):
    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]: ...
    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]: ...


class RecorderError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RecorderService(Service):
    def __init__(
        self,
        settings: RecorderSettings,
        clock: IReactorTime,
        database: Database,
        hub: Hub,
        ami: AmiLink,
        run_check: CheckRunner,
        *,
        check: Callable[[Path], FileCheck] = check_file,
    ) -> None:
        self.settings = settings
        self.book = RecordingBook()
        self.paths = PathMap(settings.path_map)
        self._clock = clock
        self._database = database
        self._hub = hub
        self._ami = ami
        self._run_check = run_check
        self._check = check
        self._unsubscribe: list[Callable[[], None]] = []
        self._mixmonitor_channel: dict[str, str] = {}  # Linkedid -> the recorded channel
        self._asked: dict[tuple[str, bool], str] = {}  # (Linkedid, paused) -> who asked
        self.in_flight: set[Deferred[None]] = set()
        self._retries: set[IDelayedCall] = set()

    def startService(self) -> None:
        super().startService()
        self._unsubscribe = [
            self._hub.subscribe(CALL, self._on_call),
            self._hub.subscribe(FACT, self.book.on_fact),
            self._ami.subscribe("MixMonitorStart", self._on_start),
            self._ami.subscribe("MixMonitorMute", self._on_mute),
        ]

    def stopService(self) -> Any:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        for retry in self._retries:  # indexed by `recordings reindex` if it comes late
            retry.cancel()
        self._retries.clear()
        return super().stopService()

    # -- pause / resume ------------------------------------------------------------------
    async def pause(self, call_id: str, by: str) -> None:
        """Stop writing audio of this call (silence keeps the timeline) until resumed."""
        await self._mute(call_id, True, by)

    async def resume(self, call_id: str, by: str) -> None:
        await self._mute(call_id, False, by)

    async def _mute(self, call_id: str, paused: bool, by: str) -> None:
        linked = self.book.linked_id_of(call_id)
        if linked is None:
            raise RecorderError("not_found", f"call {call_id} is not being recorded now")
        channel = self._mixmonitor_channel.get(linked)
        if channel is None:
            raise RecorderError("unavailable", f"the recorded channel of {call_id} is unknown")
        self._asked[(linked, paused)] = by
        await self._ami.send(actions.mix_monitor_mute(channel, paused))
        log.info("recording_pause_asked", call_id=call_id, paused=paused, by=by)

    # -- events --------------------------------------------------------------------------
    def _on_start(self, msg: Message) -> None:
        linked = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        self._mixmonitor_channel.setdefault(linked, msg.get("Channel") or "")

    def _on_mute(self, msg: Message) -> None:
        change = self.book.on_mute(msg, self._clock.seconds())
        if change is None:
            return
        linked = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        by = self._asked.pop((linked, change.paused), "asterisk")
        self._database.run(partial(log_pause, linked_id=linked, change=change, by=by)).addErrback(
            self._failed, "recording_pause_not_logged", linked
        )

    def _on_call(self, change: Any) -> None:
        if isinstance(change, CallsResynced):  # a resync's end: the changes came before
            return
        done = self.book.on_change(change)
        if done is None:
            return
        self._mixmonitor_channel.pop(done.linked_id, None)
        for key in [k for k in self._asked if k[0] == done.linked_id]:
            del self._asked[key]
        self._look(done, 1)

    # -- the file ------------------------------------------------------------------------
    def _look(self, done: Finished, attempt: int) -> None:
        local = self.paths.local(done.path) if done.path else None
        work: Callable[[], FileCheck] = (
            partial(self._check, local)
            if local is not None
            else lambda: FileCheck(MISSING, problem="MixMonitor ran but no file name was seen")
        )
        looked = self._run_check(work)
        looked.addCallback(self._looked, done, attempt)
        looked.addErrback(self._failed, "recording_check_failed", done.linked_id)
        self._track(looked)

    def _retry(self, done: Finished, attempt: int) -> None:
        self._retries = {r for r in self._retries if r.active()}
        self._look(done, attempt)

    def _looked(self, check: FileCheck, done: Finished, attempt: int) -> Deferred[None] | None:
        if check.status in _RETRIED and done.path and attempt < self.settings.check_attempts:
            retry: IDelayedCall = self._clock.callLater(
                self.settings.check_delay_s, self._retry, done, attempt + 1
            )
            self._retries.add(retry)
            return None
        if check.flagged:
            log.error(
                "recording_flagged",
                status=check.status,
                problem=check.problem,
                path=done.path,
                call_id=done.call_id,
                attempts=attempt,
            )
        indexed_at = self._clock.seconds()
        stored = self._database.run(
            lambda session: index_recording(session, done, check, indexed_at=indexed_at).id
        )

        def logged(row_id: int) -> None:
            log.info("recording_indexed", id=row_id, status=check.status, path=done.path)

        return stored.addCallback(logged)

    def _track(self, work: Deferred[Any]) -> None:
        self.in_flight.add(work)
        work.addBoth(self._untrack, work)

    def _untrack(self, result: object, work: Deferred[Any]) -> object:
        self.in_flight.discard(work)
        return None if isinstance(result, Failure) else result

    def _failed(self, failure: Failure, event: str, linked_id: str) -> None:
        log.error(event, call=linked_id, error=failure.getErrorMessage())
