# -*- test-case-name: tests.queue.test_queue_log -*-
"""Asterisk's ``queue_log`` read into the router's facts: history from before switchboard.

Each line is ``epoch|callid|queue|agent|EVENT|data1|data2|...`` (app_queue's format; the
old single ``data`` field of Asterisk < 1.8 is read the same way when it has no ``|``).
:func:`read_queue_log` is pure: lines in, facts and problems out. A line that cannot be
used becomes a :class:`Unusable` with its line number and the reason; nothing is dropped
silently. Events that carry nothing for the records (``QUEUESTART``, ``CONFIGRELOAD``,
``DID``, ``RINGNOANSWER`` ...) are understood and skipped without a problem.

Facts follow the tracker (:mod:`.appqueue`): ``ENTERQUEUE`` -> ``CallQueued``; ``CONNECT``
-> ``CallAnswered`` (hold time from the line); ``COMPLETEAGENT``/``COMPLETECALLER`` and the
transfers -> ``CallFinished(answered)`` + ``CallHandled``; ``ABANDON`` -> ``QueueLeft`` +
``CallFinished(abandoned)``; ``EXITWITHTIMEOUT``/``EXITEMPTY``/``EXITWITHKEY`` ->
``overflowed``; members (``ADDMEMBER``, ``REMOVEMEMBER``, ``PAUSE``, ``UNPAUSE``,
``AGENTLOGIN``, ``AGENTLOGOFF``) -> ``AgentStateChanged``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallFinished,
    CallHandled,
    CallQueued,
    Fact,
    QueueLeft,
)
from switchboard.queue.core.model import AgentState, CallOutcome

__all__ = ["ImportedCall", "QueueLogRead", "Unusable", "read_queue_log"]

_SKIPPED: Final = frozenset(
    {
        "QUEUESTART",
        "CONFIGRELOAD",
        "DID",
        "RINGNOANSWER",
        "RINGCANCELED",
        "SYSCOMPAT",
        "INFO",
        "ENTERQUEUEDATA",
    }
)
_COMPLETE: Final = frozenset(
    {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
)
_EXIT: Final = frozenset({"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})
_MEMBER: Final = frozenset(
    {
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "AGENTLOGIN",
        "AGENTLOGOFF",
    }
)


@dataclass(frozen=True, slots=True)
class Unusable:
    line: int
    reason: str
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.text[:120]}"


@dataclass(frozen=True, slots=True)
class ImportedCall:
    """One queue visit's facts, keyed as the store keys it (call id, queue, entry time)."""

    call_id: str
    queue: str
    entered_at: float
    facts: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class QueueLogRead:
    calls: tuple[ImportedCall, ...]
    agent_facts: tuple[AgentStateChanged, ...]
    problems: tuple[Unusable, ...]
    unfinished: tuple[str, ...]  # call ids still in a queue at the end of the file


@dataclass(slots=True)
class _Open:
    queued: CallQueued
    facts: list[Fact]
    agent: str = ""
    answered_at: float | None = None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def read_queue_log(lines: Iterable[str]) -> QueueLogRead:
    """Every call and member change the file tells, in file order."""
    calls: list[ImportedCall] = []
    agent_facts: list[AgentStateChanged] = []
    problems: list[Unusable] = []
    open_calls: dict[str, _Open] = {}
    agents: dict[str, AgentState] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        reason = _one(text, open_calls, agents, calls, agent_facts)
        if reason:
            problems.append(Unusable(number, reason, text))
    return QueueLogRead(
        tuple(calls), tuple(agent_facts), tuple(problems), tuple(sorted(open_calls))
    )


def _one(
    text: str,
    open_calls: dict[str, _Open],
    agents: dict[str, AgentState],
    calls: list[ImportedCall],
    agent_facts: list[AgentStateChanged],
) -> str:
    """Apply one line; the reason it cannot be used, or "" when it was used."""
    fields = text.split("|")
    if len(fields) < 5:
        return (
            "expected at least 5 '|'-separated fields (epoch|callid|queue|agent|event),"
            f" found {len(fields)}"
        )
    at = _number(fields[0])
    if at is None:
        return f"the time {fields[0]!r} is not an epoch in seconds"
    call_id, queue, agent, event = fields[1], fields[2], fields[3], fields[4].upper()
    data = fields[5:]
    if event in _SKIPPED:
        return ""
    if event in _MEMBER:
        return _member(at, agent, event, data, agents, agent_facts)
    if event not in _COMPLETE | _EXIT | {"ENTERQUEUE", "CONNECT", "ABANDON"}:
        return f"unknown event {event!r}"
    if not call_id or call_id == "NONE":
        return f"{event} without a call id"
    if event == "ENTERQUEUE":
        if call_id in open_calls:
            return (
                f"ENTERQUEUE for call {call_id} already in queue {open_calls[call_id].queued.queue}"
            )
        caller = data[1] if len(data) > 1 else ""
        queued = CallQueued(call_id, queue, at, at, 0, "" if caller == "unknown" else caller)
        open_calls[call_id] = _Open(queued, [queued])
        return ""
    visit = open_calls.get(call_id)
    if visit is None or visit.queued.queue != queue:
        return f"{event} for call {call_id} in queue {queue!r}, which did not enter it"
    if event == "CONNECT":
        held = _number(data[0]) if data else None
        if held is None or visit.answered_at is not None:
            return "CONNECT without a hold time" if held is None else "a second CONNECT"
        visit.agent, visit.answered_at = agent, at
        visit.facts.append(CallAnswered(call_id, queue, agent, at, held))
        return ""
    if event in _COMPLETE:
        if visit.answered_at is None:
            return f"{event} of a call that was never connected"
        talk_index = 3 if event == "TRANSFER" else 1
        talk = _number(data[talk_index]) if len(data) > talk_index else None
        talk = at - visit.answered_at if talk is None else talk
        visit.facts += [
            CallFinished(call_id, queue, at, CallOutcome.ANSWERED, visit.agent),
            CallHandled(call_id, queue, visit.agent, at, talk, 0.0),
        ]
    else:  # ABANDON or an exit: position|origposition|waittime
        if visit.answered_at is not None:
            return f"{event} of a call already connected"
        waited = _number(data[2]) if len(data) > 2 else None
        waited = at - visit.queued.at if waited is None else waited
        left, outcome = (
            ("abandoned", CallOutcome.ABANDONED)
            if event == "ABANDON"
            else ("overflowed", CallOutcome.OVERFLOWED)
        )
        visit.facts += [
            QueueLeft(call_id, queue, at, left, waited),
            CallFinished(call_id, queue, at, outcome),
        ]
    del open_calls[call_id]
    calls.append(ImportedCall(call_id, queue, visit.queued.at, tuple(visit.facts)))
    return ""


def _member(
    at: float,
    agent: str,
    event: str,
    data: list[str],
    agents: dict[str, AgentState],
    out: list[AgentStateChanged],
) -> str:
    if not agent or agent == "NONE":
        return f"{event} without an agent"
    previous = agents.get(agent, AgentState.LOGGED_OUT)
    if event in ("REMOVEMEMBER", "AGENTLOGOFF"):
        state, reason = AgentState.LOGGED_OUT, ""
    elif event in ("PAUSE", "PAUSEALL"):
        state, reason = AgentState.NOT_READY, (data[0] if data and data[0] else "paused")
    else:
        state, reason = AgentState.READY, ""
    if state is not previous or state is AgentState.NOT_READY:
        agents[agent] = state
        out.append(AgentStateChanged(agent, at, state, previous, reason))
    return ""
