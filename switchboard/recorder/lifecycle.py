# -*- test-case-name: tests.recorder.test_service -*-
"""Which calls are being recorded, and what is known of each: sans-I/O, clock-free.

Fed three things, the same in both routing modes: the live call model's changes (hub
topic ``call``: the file name from ``SWITCHBOARD_RECORDING`` or the ``MIXMONITOR_FILENAME``
Asterisk sets, ``recorded`` from ``MixMonitorStart``, the caller, the end of the call),
the queue facts (hub topic ``fact``: which queue and agent answered, keyed by the queue
caller's uniqueid) and the AMI ``MixMonitorMute`` events.

Real Asterisk sends no ``MixMonitorStop`` when a call hangs up: the recording ends with
the call's last ``Hangup`` (the model's ``CallEnded``), and :meth:`RecordingBook.on_change`
then returns a :class:`Finished` for the service to check and index. ``MixMonitorMute``
answers Success even when nothing records, so the pause state is what the events said,
kept per recording, never inferred from the action's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.values import Call, CallEnded, Change
from switchboard.queue.core.decisions import CallAnswered, CallQueued
from switchboard.recorder.audio_formats import written_name

__all__ = ["Finished", "PauseChange", "RecordingBook"]


@dataclass(frozen=True, slots=True)
class PauseChange:
    paused: bool
    at: float
    channel: str
    direction: str


@dataclass(frozen=True, slots=True)
class Finished:
    """A recording whose call ended: what the index row needs besides the file."""

    linked_id: str
    call_id: str  # the queue's call id (the queue caller's uniqueid), else linked_id
    path: str  # as Asterisk named it; "" when MixMonitor ran with no name seen
    caller_number: str
    agent_id: str
    queue: str
    started_at: float
    ended_at: float
    pauses: tuple[PauseChange, ...] = ()


@dataclass(slots=True)
class _Open:
    linked_id: str
    started_at: float
    uniqueids: set[str] = field(default_factory=set)
    channels: dict[str, str] = field(default_factory=dict)  # name -> uniqueid
    path: str = ""
    caller_number: str = ""
    agent: str = ""  # the model's interface, until a fact names the agent
    queue: str = ""
    paused: bool = False
    pauses: list[PauseChange] = field(default_factory=list)


@dataclass(slots=True)
class _Answer:
    queue: str
    agent_id: str = ""


class RecordingBook:
    """Recordings in progress, by the call's Linkedid."""

    def __init__(self, *, max_answers: int = 10_000) -> None:
        self._open: dict[str, _Open] = {}
        self._watched: dict[str, _Open] = {}  # calls seen, recording or not yet
        self._answers: dict[str, _Answer] = {}  # queue caller uniqueid -> queue/agent
        self._max_answers = max_answers

    # -- queries -------------------------------------------------------------------------
    def recording(self, linked_id: str) -> bool:
        return linked_id in self._open

    def paused(self, linked_id: str) -> bool:
        rec = self._open.get(linked_id)
        return rec is not None and rec.paused

    def channels_of(self, linked_id: str) -> tuple[str, ...]:
        rec = self._open.get(linked_id)
        return () if rec is None else tuple(rec.channels)

    def answered_by(self, call_id: str) -> tuple[str, str] | None:
        """(queue, agent id) of a call being recorded, by its queue call id."""
        answer = self._answers.get(call_id)
        if answer is None or self.linked_id_of(call_id) is None:
            return None
        return answer.queue, answer.agent_id

    def live_answer(self, call_id: str) -> tuple[str, str] | None:
        """(queue, agent id) of a call in progress that an agent answered, recorded or not."""
        answer = self._answers.get(call_id)
        if answer is None or not answer.agent_id or self._live(call_id) is None:
            return None
        return answer.queue, answer.agent_id

    def channel_of(self, call_id: str) -> str | None:
        """The live channel whose uniqueid is ``call_id`` (the queue caller's channel)."""
        rec = self._live(call_id)
        if rec is None:
            return None
        return next((name for name, uid in rec.channels.items() if uid == call_id), None)

    def state_of(self, call_id: str) -> str:
        """``recording``, ``paused`` or ``off`` for a call named by either id."""
        linked = self.linked_id_of(call_id)
        if linked is None:
            return "off"
        return "paused" if self._open[linked].paused else "recording"

    def answered_ids(self, linked_id: str) -> list[str]:
        """The answered queue call ids among a live call's channels."""
        rec = self._watched.get(linked_id)
        if rec is None:
            return []
        return sorted(u for u in rec.uniqueids if (a := self._answers.get(u)) and a.agent_id)

    def caller_of(self, call_id: str) -> str:
        rec = self._live(call_id)
        return rec.caller_number if rec is not None else ""

    def _live(self, call_id: str) -> _Open | None:
        rec = self._watched.get(call_id)
        if rec is not None:
            return rec
        return next((r for r in self._watched.values() if call_id in r.uniqueids), None)

    def linked_id_of(self, call_id: str) -> str | None:
        """The Linkedid of a recorded call named by either id."""
        if call_id in self._open:
            return call_id
        return next((k for k, r in self._open.items() if call_id in r.uniqueids), None)

    # -- feeds ---------------------------------------------------------------------------
    def on_fact(self, fact: object) -> None:
        if isinstance(fact, CallQueued):
            self._answers.setdefault(fact.call_id, _Answer(fact.queue))
        elif isinstance(fact, CallAnswered):
            self._answers[fact.call_id] = _Answer(fact.queue, fact.agent_id)
        else:
            return
        while len(self._answers) > self._max_answers:  # calls never ended in our sight
            del self._answers[next(iter(self._answers))]

    def on_change(self, change: Change) -> Finished | None:
        call = change.call
        at = change.at if change.at is not None else call.started_at or 0.0
        rec = self._watched.get(call.call_id)
        if rec is None:
            rec = self._watched[call.call_id] = _Open(call.call_id, at)
        self._note(rec, call)
        if (call.recorded or call.recording) and call.call_id not in self._open:
            rec.started_at = at
            self._open[call.call_id] = rec
        if not isinstance(change, CallEnded):
            return None
        del self._watched[call.call_id]
        if self._open.pop(call.call_id, None) is None:
            for uniqueid in rec.uniqueids:  # a call never recorded: its answer is done with
                self._answers.pop(uniqueid, None)
            return None
        return self._finish(rec, call, at)

    def on_mute(self, msg: Message, at: float) -> PauseChange | None:
        """A ``MixMonitorMute`` event: the pause state of that call's recording."""
        linked = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        rec = self._open.get(linked)
        if rec is None:
            return None
        change = PauseChange(
            paused=msg.get("State") == "1",
            at=at,
            channel=msg.get("Channel") or "",
            direction=msg.get("Direction") or "both",
        )
        rec.paused = change.paused
        rec.pauses.append(change)
        return change

    # -- inside --------------------------------------------------------------------------
    def _note(self, rec: _Open, call: Call) -> None:
        for chan in call.channels:
            rec.uniqueids.add(chan.uniqueid)
            rec.channels[chan.name] = chan.uniqueid
        rec.path = call.recording or rec.path
        rec.caller_number = call.caller_number or rec.caller_number
        rec.agent = call.agent or rec.agent
        rec.queue = call.queue or rec.queue

    def _finish(self, rec: _Open, call: Call, at: float) -> Finished:
        call_id, answer = rec.linked_id, None
        for uniqueid in sorted(rec.uniqueids):
            found = self._answers.pop(uniqueid, None)
            if found is not None and (answer is None or found.agent_id):
                call_id, answer = uniqueid, found
        return Finished(
            linked_id=rec.linked_id,
            call_id=call_id,
            path=written_name(rec.path),
            caller_number=rec.caller_number,
            agent_id=answer.agent_id if answer and answer.agent_id else rec.agent,
            queue=answer.queue if answer else rec.queue,
            started_at=rec.started_at,
            ended_at=call.ended_at if call.ended_at is not None else at,
            pauses=tuple(rec.pauses),
        )
