# -*- test-case-name: tests.callrecord.test_fold -*-
"""The call book: the hub's ``call`` and ``fact`` payloads in, store operations out.

Pure (no clock, no database): :meth:`CallBook.on_call` and :meth:`CallBook.on_fact`
return the :mod:`~switchboard.callrecord.ops` that keep one row per call and one per leg
true. The live call model names a call by its ``Linkedid``; the router's facts by the
IVR's id of it (``SWITCHBOARD_CALLID``, the channel that ran the IVR). The book learns
which is which from the calls it sees; a fact whose call it has not seen yet is left for
the store to find by that id.

What it remembers is bounded: the calls it follows (until they end) and, for
``max_remembered`` calls, which ids belong to which call, the running totals it has
already written (hold).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Final, TypeVar

from switchboard.callrecord.ops import LegWrite, Op, Reconcile, RecordWrite
from switchboard.cti.calls.model import interface_of
from switchboard.cti.calls.values import (
    END_VANISHED,
    Call,
    CallEnded,
    CallNews,
    CallsResynced,
)
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallbackAttemptEnded,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    CallTransferred,
    Fact,
    OfferEnded,
    QueueLeft,
)

__all__ = ["MISSED_RESULTS", "CallBook", "parent_of"]

V = TypeVar("V")

#: Offer results that count as a missed offer (the agent did not take a ringing call).
MISSED_RESULTS: Final = frozenset({"no_answer", "busy", "cancelled"})
# The ACD originates callback attempt n of call X with ChannelId "X-cb<n>"
# (queue/shell/_amilink.py): that call's Linkedid.
_CALLBACK_ID: Final = re.compile(r"^(?P<parent>.+)-cb\d+$")


def parent_of(call_id: str) -> str:
    """The call a callback attempt calls back ("" for any other call)."""
    match = _CALLBACK_ID.match(call_id)
    return match["parent"] if match else ""


@dataclass(slots=True)
class _Followed:
    """What the book keeps of one call it has seen on AMI."""

    call_id: str
    rung: set[str] = field(default_factory=set)  # interfaces a leg of the call dialled
    legs: dict[str, tuple[str, bool]] = field(default_factory=dict)  # uniqueid -> role, up
    hold_count: int = 0  # the model's totals already written
    hold_s: float = 0.0
    inbound: bool = False


class CallBook:
    """Turns the hub's payloads into store operations. Not thread-safe (the reactor's)."""

    def __init__(self, *, max_remembered: int = 20_000) -> None:
        self._max = max_remembered
        self._live: dict[str, _Followed] = {}
        self._ids: OrderedDict[str, str] = OrderedDict()  # any id of a call -> its Linkedid
        self._followed: OrderedDict[str, None] = OrderedDict()  # Linkedids seen this run

    @property
    def live_calls(self) -> tuple[str, ...]:
        return tuple(self._live)

    # -- the call model ----------------------------------------------------------------
    def on_call(self, news: CallNews) -> list[Op]:
        if isinstance(news, CallsResynced):
            at = news.at if news.at is not None else 0.0
            return [Reconcile(frozenset(news.live), frozenset(self._followed), at, END_VANISHED)]
        call = news.call
        at = news.at if news.at is not None else call.started_at or 0.0
        followed = self._live.get(call.call_id)
        if followed is None:
            followed = self._live[call.call_id] = _Followed(call.call_id)
            self._remember(self._followed, call.call_id, None)
        self._learn_ids(call)
        followed.rung.update(call.ringing)
        if call.agent:
            followed.rung.add(call.agent)
        ops: list[Op] = [self._record(followed, call, at)]
        ops += self._legs(followed, call, at)
        if isinstance(news, CallEnded):
            del self._live[call.call_id]
            ops += self._ended_legs(followed, call, call.ended_at or at)
        return ops

    def _record(self, followed: _Followed, call: Call, at: float) -> RecordWrite:
        parent = parent_of(call.call_id)
        ivr = call.ivr.session or ""
        followed.inbound = followed.inbound or bool(ivr or call.queue)
        first: dict[str, object] = {
            "started_at": call.started_at if call.started_at is not None else at,
            "caller_number": call.caller_number or "",
            "caller_name": call.caller_name or "",
            "dialled_number": call.dialled_number or "",
            "ivr_ref": ivr,
            "queue_call_id": ivr,
            "parent_call_id": parent,
            "answered_at": call.answered_at,
            "direction": "other",
        }
        # Only what the model knows: after a restart it has not seen the answer yet.
        last: dict[str, object] = {"agent_device": call.agent, "recording": call.recording}
        if parent:
            last["direction"] = "callback"
        elif followed.inbound:
            last["direction"] = "inbound"
        add: dict[str, float] = {}
        if call.hold_count > followed.hold_count:
            add["hold_count"] = call.hold_count - followed.hold_count
        if call.hold_s > followed.hold_s:
            add["hold_s"] = call.hold_s - followed.hold_s
        followed.hold_count, followed.hold_s = call.hold_count, call.hold_s
        end = None
        if call.ended:
            end = (call.ended_at if call.ended_at is not None else at, call.end_reason or "")
            last.update(
                first_hangup=call.first_hangup or "",
                hangup_cause=call.hangup_cause,
                hangup_cause_text=call.hangup_cause_text or "",
            )
        return RecordWrite(call.call_id, ivr, first, last, add, seen_at=at, end=end)

    def _role(self, followed: _Followed, call: Call, uniqueid: str, name: str) -> str:
        if uniqueid in (call.call_id, call.ivr.session):
            return "caller"
        if interface_of(name) in followed.rung:
            return "agent"
        return "other"

    def _legs(self, followed: _Followed, call: Call, at: float) -> list[Op]:
        ops: list[Op] = []
        present = set()
        for chan in call.channels:
            present.add(chan.uniqueid)
            role = self._role(followed, call, chan.uniqueid, chan.name)
            known = followed.legs.get(chan.uniqueid)
            up = chan.state == "Up"
            if known == (role, up or (known is not None and known[1])):
                continue
            answered = at if up and (known is None or not known[1]) else None
            followed.legs[chan.uniqueid] = (role, up or (known is not None and known[1]))
            start = at if known is None else None
            ops.append(LegWrite(call.call_id, chan.uniqueid, chan.name, role, start, answered))
        if not call.ended:
            gone = [u for u in followed.legs if u not in present]
            for uniqueid in gone:
                ops.append(self._leg_end(followed, call, uniqueid, at))
        return ops

    def _ended_legs(self, followed: _Followed, call: Call, at: float) -> list[Op]:
        return [self._leg_end(followed, call, u, at) for u in list(followed.legs)]

    def _leg_end(self, followed: _Followed, call: Call, uniqueid: str, at: float) -> LegWrite:
        role, _up = followed.legs.pop(uniqueid)
        hung = call.last_hangup
        cause, text = (
            (hung.cause, hung.cause_text) if hung and hung.uniqueid == uniqueid else (None, None)
        )
        return LegWrite(call.call_id, uniqueid, "", role, ended_at=at, cause=cause, cause_text=text)

    def _learn_ids(self, call: Call) -> None:
        for other in (call.ivr.session, *(c.uniqueid for c in call.channels)):
            if other:
                self._remember(self._ids, other, call.call_id)
        self._remember(self._ids, call.call_id, call.call_id)

    def _remember(self, table: OrderedDict[str, V], key: str, value: V) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self._max:
            table.popitem(last=False)

    # -- the router's facts --------------------------------------------------------------
    def on_fact(self, fact: Fact) -> list[Op]:
        """The fact's changes to its call's row (none for agent facts)."""
        changes = self._fact_changes(fact)
        if changes is None:
            return []
        first, last, add = changes
        call_id = self._ids.get(fact.call_id, "")  # type: ignore[union-attr]
        return [
            RecordWrite(
                call_id,
                fact.call_id,  # type: ignore[union-attr]
                first,
                last,
                add,
                creates=False,
                born_at=fact.at,
            )
        ]

    def _fact_changes(
        self, fact: Fact
    ) -> tuple[dict[str, object], dict[str, object], dict[str, float]] | None:
        first: dict[str, object] = {}
        last: dict[str, object] = {}
        add: dict[str, float] = {}
        match fact:
            case CallQueued():
                first.update(first_queue=fact.queue, ivr_ref=fact.ivr_ref)
                first.update(caller_number=fact.caller_number)
                last.update(last_queue=fact.queue, direction="inbound")
            case CallOffered():
                add["offers"] = 1
            case OfferEnded():
                if fact.result in MISSED_RESULTS:
                    add["missed_offers"] = 1
            case CallAnswered():
                last["agent_id"] = fact.agent_id
                if not fact.callback:
                    first["answered_at"] = fact.at
                    add["queue_wait_s"] = fact.waited_s
            case QueueLeft():
                add["queue_wait_s"] = fact.waited_s
                last["queue_outcome"] = fact.outcome
                if fact.outcome == "moved" and fact.to_queue:
                    last["last_queue"] = fact.to_queue
            case CallHandled():
                add["wrap_s"] = fact.wrap_s
            case CallFinished():
                last["queue_outcome"] = fact.outcome.value
                if fact.agent_id:
                    last["agent_id"] = fact.agent_id
            case CallTransferred():
                # An agent's transfer as Asterisk reported it (AMI, both modes); one fact
                # per transfer, so a caller transferred back into a queue and answered
                # again is not counted a second time.
                add["transfers"] = 1
            case CallbackAttemptEnded():
                add["callback_attempts"] = 1
                last["callback_result"] = fact.result
            case _:
                return None
        return first, last, add
