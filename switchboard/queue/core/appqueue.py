# -*- test-case-name: tests.queue.test_appqueue -*-
"""Asterisk's own queues (``Queue()`` in the dialplan), tracked from AMI as router facts.

:class:`AppQueueTracker` is pure: ``feed(message, now)`` and ``resync(items, now)`` return a
:class:`Tracked` (the facts of :mod:`.decisions`, in order, and the ``Offered`` screen pops),
so :class:`~.stats.LiveStats`, :func:`~.records.record_facts` and
:func:`~.history.recompute` read an app_queue call exactly as they read one the router
routed. No clock is read; the shell passes ``now``.

How app_queue's events become facts (order as Asterisk 22 sends them, see the captures):

* ``QueueCallerJoin`` -> ``CallQueued``. The call id is the caller channel's ``Uniqueid``
  (the channel that ran the IVR, as in the ACD); ``ivr_ref`` is the IVR session seen on the
  same call (``Linkedid``): ``SWITCHBOARD_CALLID`` if the dialplan set it, otherwise the
  channel on which the IVR set ``SWITCHBOARD_QUEUE`` / ``SWITCHBOARD_IVR_DIGITS``.
* ``AgentCalled`` -> ``CallOffered`` + the agent reserved + an ``Offered`` pop;
  ``AgentRingNoAnswer`` -> ``OfferEnded(no_answer)``, the member is available again
  (app_queue does not pause it unless ``autopause`` says so, which a ``QueueMemberPause``
  then reports).
* ``QueueCallerAbandon`` -> ``QueueLeft(abandoned)`` + ``CallFinished(abandoned)``.
* ``QueueCallerLeave`` comes *before* ``AgentConnect`` for an answered call, so a leave is
  only noted; ``AgentConnect`` makes it ``CallAnswered``, while ``QUEUESTATUS`` (Queue()
  timed out, the queue emptied ...), the caller's ``Hangup`` or the next resync make it
  ``QueueLeft(overflowed)`` + ``CallFinished(overflowed)``: the dialplan took the call on.
* ``AgentComplete`` -> ``CallFinished(answered)``. For an agent of the queue file in a
  queue with a wrap-up time, the agent goes to ``wrap_up`` (Asterisk 22 reports no
  wrap-up on AMI, so switchboard makes its own: the agent control pauses the member with
  the reason ``wrap-up`` and unpauses it when the queue's wrap-up time is over). The first
  ``QueueMemberPause`` that is not a wrap-up pause (the unpause, a pause for another
  reason) or the member's removal ends it: ``CallHandled`` (talk from our own times,
  wrap-up until then), then ready, paused or logged out. Any other agent is available at
  once, with ``wrap_s`` 0. A ``wrap-up`` pause never counts as ``not_ready``.
* Members (``QueueMember*``): an agent is logged in while it is a member of a tracked queue,
  ready unless paused (``not_ready`` with the pause reason). A member first seen in an
  event is taken as logged in from then; ``QueueStatus`` lists them all at every login.

Agents are named by their interface (``PJSIP/1001``), or by the id of the agent in the
queue file whose ``device`` is that interface.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from switchboard.cti.ami.frames import Message
from switchboard.hub.payloads import Offered
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    Fact,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.model import Agent, AgentState, CallOutcome, Queue

__all__ = ["EVENTS", "LIST_EVENTS", "WRAPUP_REASON", "AppQueueTracker", "Tracked"]

EVENTS: Final = (
    "QueueCallerJoin",
    "QueueCallerLeave",
    "QueueCallerAbandon",
    "AgentCalled",
    "AgentRingNoAnswer",
    "AgentConnect",
    "AgentComplete",
    "QueueMemberStatus",
    "QueueMemberAdded",
    "QueueMemberRemoved",
    "QueueMemberPause",
    "VarSet",
    "Hangup",
)
LIST_EVENTS: Final = ("QueueParams", "QueueMember", "QueueEntry")
_UNKNOWN: Final = frozenset({"", "<unknown>"})
_IVR_VARIABLES: Final = frozenset(
    {"SWITCHBOARD_QUEUE", "SWITCHBOARD_IVR_DIGITS", "SWITCHBOARD_LANGUAGE", "SWITCHBOARD_CALLID"}
)
# Calls whose IVR session we remember while they have not reached a queue yet.
_MAX_IVR_CALLS: Final = 10_000
_BUSY: Final = (AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP)
# The pause reason of a member in switchboard's wrap-up (the agent control sets it).
WRAPUP_REASON: Final = "wrap-up"


@dataclass(frozen=True, slots=True)
class Tracked:
    """What one event (or one resync) meant: facts in order, and screen pops."""

    facts: tuple[Fact, ...] = ()
    offered: tuple[Offered, ...] = ()
    members_changed: bool = False  # queues or memberships changed: reconfigure LiveStats


@dataclass(slots=True)
class _Ivr:
    session: str
    digits: str = ""
    language: str = ""


@dataclass(slots=True)
class _Visit:
    call_id: str
    queue: str
    entered_at: float
    caller_number: str
    ivr: _Ivr | None
    ringing: dict[str, float] = field(default_factory=dict)  # agent id -> offered at
    agent_id: str = ""
    answered_at: float | None = None
    left_at: float | None = None  # QueueCallerLeave seen, not yet known why
    # Left the queue while AMI was down, its ringing agent now in a call: AgentComplete
    # (HoldTime, TalkTime) tells when it was answered.
    answered_unseen: bool = False
    channel: str = ""  # the caller's channel name: what QueueChangePriorityCaller etc. name
    withdrawing: bool = False  # QueueWithdrawCaller asked: its abandon is a move


@dataclass(slots=True)
class _Member:
    agent_id: str
    name: str
    interface: str
    queues: dict[str, bool] = field(default_factory=dict)  # queue -> paused
    reason: str = ""
    state: AgentState = AgentState.LOGGED_OUT
    shown_reason: str = ""  # the reason of the last AgentStateChanged
    call_id: str = ""
    wrapping: _Wrap | None = None


@dataclass(frozen=True, slots=True)
class _Wrap:
    """The call an agent wraps up, for its ``CallHandled``."""

    call_id: str
    queue: str
    talk_s: float
    since: float


class _Batch:
    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.offered: list[Offered] = []
        self.members_changed = False

    def result(self) -> Tracked:
        if not self.facts and not self.offered and not self.members_changed:
            return _NOTHING  # most events: no new value per event
        return Tracked(tuple(self.facts), tuple(self.offered), self.members_changed)


_NOTHING: Final = Tracked()


def _text(msg: Message, name: str) -> str:
    value = msg.get(name) or ""
    return "" if value in _UNKNOWN else value


class AppQueueTracker:
    """One per AMI link. ``queues``: the app_queue queues of the queue file (their
    service level and short-abandon rules); ``None``: every queue seen on AMI is tracked
    with default rules. ``agents``: the queue file's agents, to name members by id."""

    def __init__(self, queues: Iterable[Queue] | None = None, agents: Iterable[Agent] = ()) -> None:
        self._configured = None if queues is None else {q.name: q for q in queues}
        self.queues: dict[str, Queue] = dict(self._configured or {})
        self._agent_ids = {_bare(a.device): a.id for a in agents if a.device}
        self._file_agents = frozenset(self._agent_ids.values())
        self._members: dict[str, _Member] = {}  # by interface
        self._visits: dict[str, _Visit] = {}  # by caller uniqueid
        self._ivr: OrderedDict[str, _Ivr] = OrderedDict()  # by linkedid

    # -- reading ------------------------------------------------------------------------
    def tracks(self, queue: str) -> bool:
        return queue in self._configured if self._configured is not None else bool(queue)

    def agents(self) -> list[Agent]:
        """Every member seen, as the ``Agent`` values LiveStats counts per queue."""
        return [
            Agent(id=m.agent_id, name=m.name, device=m.interface, queues=tuple(sorted(m.queues)))
            for m in sorted(self._members.values(), key=lambda m: m.agent_id)
        ]

    def waiting(self) -> list[str]:
        """Call ids waiting in a queue now (not answered, not gone)."""
        return sorted(v.call_id for v in self._visits.values() if v.answered_at is None)

    def caller(self, call_id: str) -> tuple[str, str] | None:
        """(queue, channel) of a caller waiting in a queue now; None if not waiting."""
        visit = self._visits.get(call_id)
        if visit is None or visit.answered_at is not None or visit.left_at is not None:
            return None
        return visit.queue, visit.channel

    def expect_withdraw(self, call_id: str, withdrawing: bool = True) -> None:
        """A move by ``QueueWithdrawCaller`` was asked (False: Asterisk refused it).

        app_queue reports a withdrawn caller with ``QueueCallerAbandon`` (apps/app_queue.c
        calls ``record_abandoned`` for ``QUEUE_WITHDRAW``); told first, the tracker counts
        it as ``QueueLeft(moved)`` when the dialplan queues the caller again.
        """
        visit = self._visits.get(call_id)
        if visit is not None:
            visit.withdrawing = withdrawing

    def agent_state(self, agent_id: str) -> AgentState:
        member = next((m for m in self._members.values() if m.agent_id == agent_id), None)
        return member.state if member else AgentState.LOGGED_OUT

    # -- events -------------------------------------------------------------------------
    def feed(self, msg: Message, now: float) -> Tracked:
        batch = _Batch()
        event = msg.event or ""
        handler = _HANDLERS.get(event)
        if handler is not None:
            handler(self, msg, now, batch)
        return batch.result()

    def _var_set(self, msg: Message, now: float, batch: _Batch) -> None:
        raw = msg.raw  # most VarSets are foreign: skip them unparsed
        if raw is not None and b"SWITCHBOARD_" not in raw and b"QUEUESTATUS" not in raw:
            return
        name = (msg.get("Variable") or "").lstrip("_")
        if name in _IVR_VARIABLES:
            self._note_ivr(msg, name)
        elif name == "QUEUESTATUS":
            visit = self._visits.get(msg.get("Uniqueid") or "")
            if (
                visit is not None
                and visit.left_at is not None
                and visit.answered_at is None
                and not visit.withdrawing  # the next QueueCallerJoin says where it went
            ):
                self._finish_unanswered(visit, now, "overflowed", CallOutcome.OVERFLOWED, batch)

    def _note_ivr(self, msg: Message, name: str) -> None:
        linkedid = msg.get("Linkedid") or msg.get("Uniqueid") or ""
        if not linkedid:
            return
        ivr = self._ivr.get(linkedid)
        if ivr is None:
            ivr = self._ivr[linkedid] = _Ivr(session=msg.get("Uniqueid") or "")
            while len(self._ivr) > _MAX_IVR_CALLS:
                self._ivr.popitem(last=False)
        value = msg.get("Value") or ""
        if name == "SWITCHBOARD_CALLID" and value:
            ivr.session = value
        elif name == "SWITCHBOARD_IVR_DIGITS":
            ivr.digits = value
        elif name == "SWITCHBOARD_LANGUAGE":
            ivr.language = value

    def _hangup(self, msg: Message, now: float, batch: _Batch) -> None:
        uniqueid = msg.get("Uniqueid") or ""
        visit = self._visits.get(uniqueid)
        if visit is not None and visit.answered_at is None and visit.left_at is not None:
            self._finish_unanswered(visit, now, "overflowed", CallOutcome.OVERFLOWED, batch)
        if uniqueid and uniqueid == msg.get("Linkedid") and uniqueid not in self._visits:
            self._ivr.pop(uniqueid, None)  # the call's first channel is gone

    def _join(self, msg: Message, now: float, batch: _Batch) -> None:
        queue = msg.get("Queue") or ""
        call_id = msg.get("Uniqueid") or ""
        if not self.tracks(queue) or not call_id:
            return
        old = self._visits.get(call_id)
        if old is not None:  # a join without the leave of the last visit: it moved
            self._finish_unanswered(
                old, now, "moved", CallOutcome.OVERFLOWED, batch, to_queue=queue
            )
        self._queue_seen(queue, batch)
        ivr = self._ivr.get(msg.get("Linkedid") or "") or self._ivr.get(call_id)
        visit = _Visit(call_id, queue, now, _text(msg, "CallerIDNum"), ivr)
        visit.channel = msg.get("Channel") or ""
        self._visits[call_id] = visit
        language = ivr.language if ivr and ivr.language else _text(msg, "Language")
        batch.facts.append(
            CallQueued(
                call_id,
                queue,
                now,
                now,
                0,
                visit.caller_number,
                ivr.session if ivr else "",
                language,
            )
        )

    def _leave(self, msg: Message, now: float, batch: _Batch) -> None:
        visit = self._visits.get(msg.get("Uniqueid") or "")
        if visit is not None and visit.answered_at is None:
            visit.left_at = now  # AgentConnect, QUEUESTATUS or a hangup says why

    def _abandon(self, msg: Message, now: float, batch: _Batch) -> None:
        visit = self._visits.get(msg.get("Uniqueid") or "")
        if visit is not None and visit.withdrawing:
            visit.left_at = now  # withdrawn, to be queued again: not an abandon
        elif visit is not None and visit.answered_at is None:
            self._finish_unanswered(visit, now, "abandoned", CallOutcome.ABANDONED, batch)

    def _agent_called(self, msg: Message, now: float, batch: _Batch) -> None:
        visit = self._visits.get(msg.get("Uniqueid") or "")
        if visit is None or visit.answered_at is not None:
            return
        member = self._member(msg, visit.queue, now, batch)
        visit.ringing[member.agent_id] = now
        self._end_wrapup(member, now, batch)  # rung: its wrap-up pause never took
        batch.facts.append(CallOffered(visit.call_id, visit.queue, member.agent_id, now))
        member.call_id = visit.call_id
        self._move(member, AgentState.RESERVED, now, batch)
        ivr = visit.ivr
        extra = {
            "channel": _text(msg, "Channel"),
            "linkedid": _text(msg, "Linkedid"),
            "member_name": member.name,
        }
        if ivr is not None and ivr.digits:
            extra["ivr_digits"] = ivr.digits
        batch.offered.append(
            Offered(
                call_id=visit.call_id,
                agent_id=member.agent_id,
                device=member.interface,
                queue=visit.queue,
                at=now,
                caller_number=visit.caller_number,
                ivr_ref=ivr.session if ivr else "",
                extra=extra,
            )
        )

    def _ring_no_answer(self, msg: Message, now: float, batch: _Batch) -> None:
        visit = self._visits.get(msg.get("Uniqueid") or "")
        member = self._members.get(_text(msg, "Interface"))
        if visit is None or member is None or member.agent_id not in visit.ringing:
            return
        del visit.ringing[member.agent_id]
        batch.facts.append(OfferEnded(visit.call_id, member.agent_id, now, "no_answer"))
        self._release(member, now, batch)

    def _connect(self, msg: Message, now: float, batch: _Batch) -> None:
        visit = self._visits.get(msg.get("Uniqueid") or "")
        if visit is None or visit.answered_at is not None:
            return
        member = self._member(msg, visit.queue, now, batch)
        if member.agent_id in visit.ringing:
            del visit.ringing[member.agent_id]
            batch.facts.append(OfferEnded(visit.call_id, member.agent_id, now, "answered"))
        self._end_offers(visit, now, "cancelled", batch)  # ringall: the others stop ringing
        self._end_wrapup(member, now, batch)  # (an AgentCalled we did not see)
        visit.agent_id, visit.answered_at, visit.left_at = member.agent_id, now, None
        batch.facts.append(
            CallAnswered(
                visit.call_id, visit.queue, member.agent_id, now, round(now - visit.entered_at, 6)
            )
        )
        member.call_id = visit.call_id
        self._move(member, AgentState.ON_CALL, now, batch)

    def _complete(self, msg: Message, now: float, batch: _Batch) -> None:
        visit = self._visits.get(msg.get("Uniqueid") or "")
        if visit is not None and visit.answered_unseen:
            self._answered_while_away(visit, msg, now, batch)
        if visit is not None and visit.answered_at is not None:
            self._finish_answered(visit, visit.answered_at, now, batch)

    def _finish_answered(
        self, visit: _Visit, answered_at: float, now: float, batch: _Batch
    ) -> None:
        del self._visits[visit.call_id]
        self._forget_ivr(visit)
        batch.facts.append(
            CallFinished(visit.call_id, visit.queue, now, CallOutcome.ANSWERED, visit.agent_id)
        )
        talk_s = round(now - answered_at, 6)
        member = next((m for m in self._members.values() if m.agent_id == visit.agent_id), None)
        if member is None or member.call_id != visit.call_id:
            batch.facts.append(
                CallHandled(visit.call_id, visit.queue, visit.agent_id, now, talk_s, 0.0)
            )
        elif self._wraps_up(member, visit.queue):
            member.wrapping = _Wrap(visit.call_id, visit.queue, talk_s, now)
            self._move(member, AgentState.WRAP_UP, now, batch)
        else:
            batch.facts.append(
                CallHandled(visit.call_id, visit.queue, visit.agent_id, now, talk_s, 0.0)
            )
            self._release(member, now, batch)

    def _wraps_up(self, member: _Member, queue: str) -> bool:
        """switchboard wraps up the queue file's agents in queues with a wrap-up time."""
        rules = self._configured.get(queue) if self._configured is not None else None
        return rules is not None and rules.wrap_up_s > 0 and member.agent_id in self._file_agents

    def _end_wrapup(self, member: _Member, now: float, batch: _Batch) -> None:
        wrap, member.wrapping = member.wrapping, None
        if wrap is None:
            return
        batch.facts.append(
            CallHandled(
                wrap.call_id,
                wrap.queue,
                member.agent_id,
                now,
                wrap.talk_s,
                round(now - wrap.since, 6),
            )
        )
        self._release(member, now, batch)

    def _ended_while_away(self, visit: _Visit, now: float, batch: _Batch) -> None:
        """Its agent is no longer in a call: the call ended while AMI was down (its talk
        time is counted up to now, the best we know); never seen answered: vanished."""
        if visit.answered_at is None:
            visit.answered_unseen = False
            self._finish_unanswered(visit, now, "vanished", CallOutcome.OVERFLOWED, batch)
            return
        self._finish_answered(visit, visit.answered_at, now, batch)

    def _answered_while_away(self, visit: _Visit, msg: Message, now: float, batch: _Batch) -> None:
        talk, hold = msg.get("TalkTime") or "", msg.get("HoldTime") or ""
        answered = now - float(talk) if talk.isdigit() else now
        waited = float(hold) if hold.isdigit() else answered - visit.entered_at
        visit.ringing.pop(visit.agent_id, None)
        batch.facts.append(OfferEnded(visit.call_id, visit.agent_id, answered, "answered"))
        batch.facts.append(
            CallAnswered(visit.call_id, visit.queue, visit.agent_id, answered, waited)
        )
        visit.answered_at, visit.answered_unseen = answered, False

    def _member_event(self, msg: Message, now: float, batch: _Batch) -> None:
        queue = msg.get("Queue") or ""
        if not self.tracks(queue):
            return
        reason = _text(msg, "PausedReason")
        wrap_pause = msg.get("Paused") == "1" and reason == WRAPUP_REASON
        paused = msg.get("Paused") == "1" and not wrap_pause
        member = self._member(msg, queue, now, batch, paused, reason)
        if member.queues.get(queue) != paused or (paused and reason != member.reason):
            member.queues[queue] = paused
            if paused:
                member.reason = reason or "paused"
            self._settle(member, now, batch)
        if member.wrapping is not None and msg.event == "QueueMemberPause" and not wrap_pause:
            self._end_wrapup(member, now, batch)  # unpaused, or paused for another reason

    def _member_removed(self, msg: Message, now: float, batch: _Batch) -> None:
        member = self._members.get(_text(msg, "Interface"))
        queue = msg.get("Queue") or ""
        if member is None or queue not in member.queues:
            return
        del member.queues[queue]
        batch.members_changed = True
        self._settle(member, now, batch)

    # -- resync -------------------------------------------------------------------------
    def resync(self, items: Iterable[Message], now: float) -> Tracked:
        """Rebuild from a ``QueueStatus`` listing (``QueueParams``, ``QueueMember``,
        ``QueueEntry``) after a (re)login: members and callers are made to match it.
        Our counters are facts already counted, so Asterisk's own (reset by ``queue
        reload`` and restarts) are never read."""
        batch = _Batch()
        listed_queues: set[str] = set()
        members: dict[str, dict[str, tuple[bool, str, str]]] = {}
        entries: dict[str, tuple[str, Message]] = {}
        in_call: set[str] = set()
        wrapping: set[str] = set()  # members listed in a wrap-up pause
        for msg in items:
            queue = msg.get("Queue") or ""
            if not self.tracks(queue):
                continue
            listed_queues.add(queue)
            if msg.event == "QueueMember":
                interface = _text(msg, "Location") or _text(msg, "Interface")
                members.setdefault(interface, {})[queue] = (
                    msg.get("Paused") == "1",
                    _text(msg, "PausedReason"),
                    _text(msg, "Name"),
                )
                if msg.get("Paused") == "1" and _text(msg, "PausedReason") == WRAPUP_REASON:
                    wrapping.add(interface)
                if msg.get("InCall") == "1":
                    in_call.add(self._agent_ids.get(_bare(interface), interface))
            elif msg.event == "QueueEntry" and msg.get("Uniqueid"):
                entries[msg.get("Uniqueid") or ""] = (queue, msg)
        for queue in sorted(listed_queues):
            self._queue_seen(queue, batch)
        self._resync_members(members, listed_queues, wrapping, now, batch)
        self._resync_callers(entries, listed_queues, in_call, now, batch)
        return batch.result()

    def _resync_members(
        self,
        listed: Mapping[str, Mapping[str, tuple[bool, str, str]]],
        queues: set[str],
        wrapping: set[str],
        now: float,
        batch: _Batch,
    ) -> None:
        for interface, member in list(self._members.items()):
            if member.wrapping is not None and interface not in wrapping:
                self._end_wrapup(member, now, batch)  # unpaused while AMI was down
            gone = [q for q in member.queues if q in queues and q not in listed.get(interface, {})]
            for queue in gone:
                del member.queues[queue]
                batch.members_changed = True
            if gone or interface not in listed:
                self._settle(member, now, batch)
        for interface, by_queue in sorted(listed.items()):
            name = next(iter(by_queue.values()))[2]
            member = self._members.get(interface) or self._members.setdefault(
                interface,
                _Member(self._agent_ids.get(_bare(interface), interface), name, interface),
            )
            for queue, (listed_paused, reason, _name) in by_queue.items():
                paused = listed_paused and reason != WRAPUP_REASON
                if member.queues.get(queue) != paused:
                    batch.members_changed = batch.members_changed or queue not in member.queues
                    member.queues[queue] = paused
                if paused:
                    member.reason = reason or "paused"
            self._settle(member, now, batch)

    def _resync_callers(
        self,
        entries: Mapping[str, tuple[str, Message]],
        queues: set[str],
        in_call: set[str],
        now: float,
        batch: _Batch,
    ) -> None:
        """Callers no longer listed left while we were away: answered if an agent that
        was ringing for them is now in a call (AgentComplete will say when), otherwise
        gone for a reason nobody can know ("vanished": not counted as abandoned)."""
        for visit in list(self._visits.values()):
            if visit.call_id in entries or (
                visit.queue not in queues and self._configured is not None
            ):
                continue
            if visit.answered_at is not None or visit.answered_unseen:
                if visit.agent_id not in in_call:
                    self._ended_while_away(visit, now, batch)
                continue
            taker = next((a for a in visit.ringing if a in in_call), None)
            if taker is None:
                self._finish_unanswered(visit, now, "vanished", CallOutcome.OVERFLOWED, batch)
                continue
            visit.agent_id, visit.answered_unseen = taker, True
            del visit.ringing[taker]
            self._end_offers(visit, now, "cancelled", batch)
            visit.ringing[taker] = now
            member = next(m for m in self._members.values() if m.agent_id == taker)
            self._end_wrapup(member, now, batch)
            member.call_id = visit.call_id
            self._move(member, AgentState.ON_CALL, now, batch)
        for call_id, (queue, msg) in entries.items():
            if call_id in self._visits:
                continue
            wait = msg.get("Wait") or "0"
            joined = now - float(wait) if wait.isdigit() else now
            visit = _Visit(
                call_id, queue, joined, _text(msg, "CallerIDNum"), self._ivr.get(call_id)
            )
            visit.channel = msg.get("Channel") or ""
            self._visits[call_id] = visit
            batch.facts.append(
                CallQueued(
                    call_id,
                    queue,
                    joined,
                    joined,
                    0,
                    visit.caller_number,
                    visit.ivr.session if visit.ivr else "",
                )
            )

    # -- helpers ------------------------------------------------------------------------
    def _queue_seen(self, name: str, batch: _Batch) -> None:
        if name not in self.queues:
            self.queues[name] = Queue(name=name)
            batch.members_changed = True

    def _member(
        self,
        msg: Message,
        queue: str,
        now: float,
        batch: _Batch,
        paused: bool = False,
        reason: str = "",
    ) -> _Member:
        """The member ``msg`` names; one first seen logs in to ``queue`` now."""
        interface = _text(msg, "Interface") or _text(msg, "StateInterface")
        member = self._members.get(interface)
        if member is None:
            member = self._members[interface] = _Member(
                self._agent_ids.get(_bare(interface), interface),
                _text(msg, "MemberName"),
                interface,
            )
        if queue not in member.queues:
            self._queue_seen(queue, batch)
            member.queues[queue] = paused
            if paused:
                member.reason = reason or "paused"
            batch.members_changed = True
            self._settle(member, now, batch)
        return member

    def _available(self, member: _Member) -> AgentState:
        if not member.queues:
            return AgentState.LOGGED_OUT
        if all(member.queues.values()):
            return AgentState.NOT_READY
        return AgentState.READY

    def _settle(self, member: _Member, now: float, batch: _Batch) -> None:
        """Ready, paused or logged out, unless a call holds the agent (then at its end)."""
        if member.state in _BUSY and member.queues:
            return
        if member.wrapping is not None:  # logged out of every queue in wrap-up
            self._end_wrapup(member, now, batch)
            return
        self._move(member, self._available(member), now, batch)

    def _release(self, member: _Member, now: float, batch: _Batch) -> None:
        member.call_id = ""
        self._move(member, self._available(member), now, batch)

    def _move(self, member: _Member, state: AgentState, now: float, batch: _Batch) -> None:
        reason = member.reason if state is AgentState.NOT_READY else ""
        if state is member.state and reason == member.shown_reason:
            return
        batch.facts.append(AgentStateChanged(member.agent_id, now, state, member.state, reason))
        member.state, member.shown_reason = state, reason

    def _end_offers(self, visit: _Visit, now: float, result: str, batch: _Batch) -> None:
        for agent_id in list(visit.ringing):
            del visit.ringing[agent_id]
            batch.facts.append(OfferEnded(visit.call_id, agent_id, now, result))
            member = next((m for m in self._members.values() if m.agent_id == agent_id), None)
            if member is not None and member.call_id == visit.call_id:
                self._release(member, now, batch)

    def _finish_unanswered(
        self,
        visit: _Visit,
        now: float,
        left: str,
        outcome: CallOutcome,
        batch: _Batch,
        to_queue: str = "",
    ) -> None:
        self._end_offers(visit, now, "abandoned" if left == "abandoned" else "cancelled", batch)
        del self._visits[visit.call_id]
        if not to_queue:
            self._forget_ivr(visit)
        left_then = left in ("overflowed", "moved") and visit.left_at is not None
        at = visit.left_at if left_then and visit.left_at is not None else now
        batch.facts.append(
            QueueLeft(
                visit.call_id, visit.queue, at, left, round(at - visit.entered_at, 6), to_queue
            )
        )
        if not to_queue:
            batch.facts.append(CallFinished(visit.call_id, visit.queue, at, outcome))

    def _forget_ivr(self, visit: _Visit) -> None:
        for key, ivr in list(self._ivr.items()):
            if ivr is visit.ivr:
                del self._ivr[key]


def _bare(interface: str) -> str:
    """``Local/1001@agents/n`` and ``Local/1001@agents`` are one device."""
    return interface[:-2] if interface.endswith("/n") else interface


_HANDLERS = {
    "QueueCallerJoin": AppQueueTracker._join,
    "QueueCallerLeave": AppQueueTracker._leave,
    "QueueCallerAbandon": AppQueueTracker._abandon,
    "AgentCalled": AppQueueTracker._agent_called,
    "AgentRingNoAnswer": AppQueueTracker._ring_no_answer,
    "AgentConnect": AppQueueTracker._connect,
    "AgentComplete": AppQueueTracker._complete,
    "QueueMemberStatus": AppQueueTracker._member_event,
    "QueueMemberAdded": AppQueueTracker._member_event,
    "QueueMemberPause": AppQueueTracker._member_event,
    "QueueMemberRemoved": AppQueueTracker._member_removed,
    "VarSet": AppQueueTracker._var_set,
    "Hangup": AppQueueTracker._hangup,
}
