# -*- test-case-name: tests.recorder.test_service -*-
"""The recorder's Twisted shell: hub and AMI in, checked files and index rows out.

When a recorded call ends the file is checked off the reactor thread (``run_check``,
a thread pool by default), looked at again up to ``check_attempts`` times while it is
missing or unfinished (Asterisk closes it a moment after the hang-up), and then indexed,
whatever it was: a missing or corrupt file gets its row with the problem, and an error
log line, never silence. Pause/resume (sensitive input) sends ``MixMonitorMute`` and logs
who asked; the state itself is what the ``MixMonitorMute`` events said. A flow (or the
dialplan) asks for it by setting ``SWITCHBOARD_RECORDING_MUTE`` to ``1:<who>`` or
``0:<who>``: Asterisk reports the ``VarSet``, and the mute is sent from here, so it works
for FastAGI and process AGI alike. An agent may start recording an unrecorded call
(``start``: the AMI ``MixMonitor`` action), named by ``[queues] recording_name``. Each
answered call's recording state goes on the hub (``recording``) for the agent's seat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
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
from switchboard.cti.ami.errors import AmiActionFailed, AmiError
from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.values import CallEnded, CallsResynced
from switchboard.dialplan_vars import RECORDING_MUTE_VARIABLE
from switchboard.hub import (
    CALL,
    DISPOSITION,
    FACT,
    RECORDING,
    DispositionSaved,
    Hub,
    RecordingState,
)
from switchboard.queue.core.decisions import CallAnswered
from switchboard.recorder.filecheck import CORRUPT, MISSING, FileCheck, check_file
from switchboard.recorder.lifecycle import Finished, RecordingBook
from switchboard.recorder.paths import PathMap
from switchboard.recorder.store import file_dispositions, index_recording, log_pause
from switchboard.recording_names import render
from switchboard.store import Database

__all__ = ["Naming", "RecorderError", "RecorderService"]

log = structlog.get_logger(__name__)

CheckRunner = Callable[[Callable[[], FileCheck]], Deferred[FileCheck]]
_RETRIED = (MISSING, CORRUPT)


class AmiLink(Protocol):
    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]: ...
    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]: ...


@dataclass(frozen=True, slots=True)
class Naming:
    """Where a recording started here goes (``[queues] recording_dir`` / ``recording_name``,
    the date fields in ``[queues] timezone``)."""

    folder: str
    pattern: str
    zone: tzinfo


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
        naming: Naming | None = None,
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
        self._naming = naming
        self._announced: dict[str, str] = {}  # answered call id -> state told to the hub

    def startService(self) -> None:
        super().startService()
        self._unsubscribe = [
            self._hub.subscribe(CALL, self._on_call),
            self._hub.subscribe(FACT, self._on_fact),
            self._hub.subscribe(DISPOSITION, self._on_disposition),
            self._ami.subscribe("MixMonitorStart", self._on_start),
            self._ami.subscribe("MixMonitorMute", self._on_mute),
            self._ami.subscribe("VarSet", self._on_varset),
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

    async def start(self, call_id: str, by: str) -> str:
        """Record an answered call that is not recorded (AMI ``MixMonitor`` on the queue
        caller's channel, bridged audio only, as the ACD records); returns the file name.
        The lifecycle indexes it like any other once Asterisk reports ``MixMonitorStart``."""
        answer = self.book.live_answer(call_id)
        if answer is None:
            raise RecorderError("not_found", f"call {call_id} is not an answered call in progress")
        if self.book.linked_id_of(call_id) is not None:
            raise RecorderError("conflict", f"call {call_id} is being recorded already")
        channel = self.book.channel_of(call_id)
        if channel is None or self._naming is None:
            raise RecorderError("unavailable", f"the caller's channel of {call_id} is unknown")
        queue, agent_id = answer
        naming = self._naming
        path = render(
            naming.folder,
            naming.pattern,
            datetime.fromtimestamp(self._clock.seconds(), naming.zone),
            queue=queue,
            call_id=call_id,
            agent=agent_id,
            caller=self.book.caller_of(call_id),
        )
        try:
            await self._ami.send(actions.mix_monitor(channel, path, options="b"))
        except AmiError as exc:
            said = exc.message if isinstance(exc, AmiActionFailed) else str(exc)
            raise RecorderError("unavailable", f"Asterisk did not start recording: {said}") from exc
        log.info("recording_started_on_demand", call_id=call_id, by=by, path=path)
        return path

    # -- events --------------------------------------------------------------------------
    def _on_fact(self, fact: object) -> None:
        self.book.on_fact(fact)
        if isinstance(fact, CallAnswered):
            self._announce(fact.call_id, fact.at)

    def _announce(self, call_id: str, at: float) -> None:
        """Tell the hub the recording state of an answered call when it changed."""
        answer = self.book.live_answer(call_id)
        if answer is None:
            return
        state = self.book.state_of(call_id)
        if self._announced.get(call_id) == state:
            return
        self._announced[call_id] = state
        self._hub.publish(RECORDING, RecordingState(call_id, answer[1], state, at))

    def _on_varset(self, msg: Message) -> None:
        if msg.get("Variable") != RECORDING_MUTE_VARIABLE:  # "1:<who>" / "0:<who>"
            return
        value = msg.get("Value") or ""
        paused = value.startswith("1")
        by = value.partition(":")[2].strip()[:64] or "dialplan"
        linked = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        channel = self._mixmonitor_channel.get(linked) or msg.get("Channel") or ""
        self._asked[(linked, paused)] = by
        sent = self._ami.send(actions.mix_monitor_mute(channel, paused))
        sent.addCallbacks(
            lambda _: log.info("recording_pause_asked", channel=channel, paused=paused, by=by),
            self._failed,
            errbackArgs=("recording_pause_not_sent", linked),
        )

    def _on_start(self, msg: Message) -> None:
        linked = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        self._mixmonitor_channel.setdefault(linked, msg.get("Channel") or "")

    def _on_mute(self, msg: Message) -> None:
        linked = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        by = self._asked.pop((linked, msg.get("State") == "1"), "asterisk")
        change = self.book.on_mute(msg, self._clock.seconds())
        if change is None:  # nothing recording (Asterisk says Success all the same)
            return
        self._database.run(partial(log_pause, linked_id=linked, change=change, by=by)).addErrback(
            self._failed, "recording_pause_not_logged", linked
        )
        for call_id in self.book.answered_ids(linked):
            self._announce(call_id, change.at)

    def _on_disposition(self, saved: DispositionSaved) -> None:
        """File the call's recordings under the code an agent saved (or corrected)."""
        filed = self._database.run(partial(file_dispositions, call_ids=[saved.call_id]))
        filed.addErrback(self._failed, "recording_disposition_not_filed", saved.call_id)

    def _on_call(self, change: Any) -> None:
        if isinstance(change, CallsResynced):  # a resync's end: the changes came before
            return
        linked = change.call.call_id
        answered = self.book.answered_ids(linked)
        done = self.book.on_change(change)
        if isinstance(change, CallEnded):
            for call_id in answered:
                self._announced.pop(call_id, None)
            for key in [k for k in self._asked if k[0] == linked]:
                del self._asked[key]
        else:
            at = change.at if change.at is not None else self._clock.seconds()
            for call_id in self.book.answered_ids(linked):
                self._announce(call_id, at)
        if done is None:
            return
        self._mixmonitor_channel.pop(done.linked_id, None)
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
