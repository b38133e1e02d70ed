# -*- test-case-name: tests.queue.test_router -*-
"""Waiting calls as the router sees them, indexed so that nothing scans every call.

Calls that need the same agents share a *bucket*: same queue, same overflow stage, same
skill/language requirement. Within a bucket calls are kept sorted by
``aging_rate * enqueued_at - (priority + weight)``: a call's effective priority is
``priority + weight + aging_rate * (now - enqueued_at)``, and for one queue (one rate)
that order never changes as time passes, so a sorted list stays sorted. Buckets are found
from the queues whose agents may take them, so an agent becoming ready looks only at the
heads of the buckets of its own queues.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from switchboard.queue.core._deadlines import Tokens
from switchboard.queue.core._transitions import next_state
from switchboard.queue.core.model import Agent, Queue, WaitingCall

__all__ = [
    "CALL_TRANSITIONS",
    "CallPhase",
    "CallRuntime",
    "Requirement",
    "WaitingIndex",
    "requirement",
]

SortKey = tuple[float, float, int]
# (skill levels sorted by name, language); "" language: any.
Requirement = tuple[tuple[tuple[str, int], ...], str]
BucketKey = tuple[str, int, Requirement]


class CallPhase(Enum):
    NEW = "new"  # arrived, not yet filed (or sent to a fallback at once)
    WAITING = "waiting"  # in a bucket (out of it only while moving between queues)
    OFFERED = "offered"  # an agent is reserved for it
    CONNECTED = "connected"  # talking to an agent
    PARKED = "parked"  # a callback waiting for its window or its next attempt
    ENDED = "ended"  # left the ACD (answered and hung up, or not answered)


P = CallPhase
# Every change of a call's phase goes through this table (:meth:`CallRuntime.move`).
CALL_TRANSITIONS: Final[Mapping[tuple[CallPhase, str], CallPhase]] = {
    (P.NEW, "file"): P.WAITING,
    (P.WAITING, "file"): P.WAITING,  # filed again: moved, widened, a reload
    (P.OFFERED, "requeue"): P.WAITING,  # the offer ended unanswered: back to its place
    (P.PARKED, "due"): P.WAITING,  # a parked callback's time came
    (P.WAITING, "offer"): P.OFFERED,
    (P.OFFERED, "answer"): P.CONNECTED,
    (P.WAITING, "park"): P.PARKED,
    (P.OFFERED, "park"): P.PARKED,
    (P.NEW, "finish"): P.ENDED,
    (P.WAITING, "finish"): P.ENDED,
    (P.OFFERED, "finish"): P.ENDED,
    (P.PARKED, "finish"): P.ENDED,
    (P.CONNECTED, "hang_up"): P.ENDED,
}


@dataclass(slots=True)
class CallRuntime:
    call: WaitingCall
    seq: int
    queue: str
    entered_at: float  # joined the current queue
    phase: CallPhase = CallPhase.NEW
    stage: int = 0  # overflow rules applied so far
    visited: list[str] = field(default_factory=list)
    counted: bool = False  # holds a place in the queue's live length (max_length)
    agent_id: str = ""
    answered_at: float = 0.0
    key: SortKey = (0.0, 0.0, 0)
    bucket: BucketKey | None = None
    # Callback (virtual call): the caller hung up and is rung back.
    number: str = ""
    virtual: bool = False
    window_start: float = 0.0
    window_end: float = 0.0
    attempts: int = 0
    # The caller's language no longer limits who may take the call (queue's PREFER rule).
    any_language: bool = False
    tokens: Tokens = field(default_factory=Tokens)  # for the call's deadlines

    def move(self, trigger: str) -> None:
        """Change phase through :data:`CALL_TRANSITIONS` (raises on a pair not in it)."""
        self.phase = next_state(CALL_TRANSITIONS, f"call {self.call.id!r}", self.phase, trigger)


def requirement(
    queue: Queue, call: WaitingCall, stage: int, any_language: bool = False
) -> tuple[Requirement, tuple[str, ...]]:
    """What an agent needs to take ``call`` after ``stage`` overflow rules, and who may
    (``any_language``: the caller's language is only a preference, and it has lapsed)."""
    levels = dict(queue.required_skills)
    for skill, level in call.skills.items():
        levels[skill] = max(level, levels.get(skill, 0))
    serving = [queue.name]
    for rule in queue.overflow[:stage]:
        for skill in rule.drop_skills:
            levels.pop(skill, None)
        if rule.min_level is not None:
            levels = {s: min(level, rule.min_level) for s, level in levels.items()}
        serving += [name for name in rule.add_agents_of if name not in serving]
    language = "" if any_language else call.language
    return (tuple(sorted(levels.items())), language), tuple(serving)


def accepts(agent: Agent, need: Requirement) -> bool:
    skills, language = need
    if language and language not in agent.languages:
        return False
    return all(agent.skills.get(skill, 0) >= level for skill, level in skills)


class WaitingIndex:
    """Buckets of waiting calls, and each queue's calls in order (for positions)."""

    def __init__(self) -> None:
        self._buckets: dict[BucketKey, list[tuple[SortKey, str]]] = {}
        self._serving: dict[BucketKey, tuple[str, ...]] = {}
        self._by_queue_serving: dict[str, set[BucketKey]] = {}
        self._positions: dict[str, list[SortKey]] = {}

    def add(self, runtime: CallRuntime, queue: Queue, aging_rate: float) -> bool:
        """File the call; True when its bucket was empty (only then can an agent be free)."""
        call = runtime.call
        runtime.key = (
            aging_rate * call.enqueued_at - (call.priority + queue.weight),
            call.enqueued_at,
            runtime.seq,
        )
        need, serving = requirement(queue, call, runtime.stage, runtime.any_language)
        bucket_key = (queue.name, runtime.stage, need)
        runtime.bucket = bucket_key
        bucket = self._buckets.get(bucket_key)
        if bucket is None:
            bucket = self._buckets[bucket_key] = []
            self._serving[bucket_key] = serving
            for name in serving:
                self._by_queue_serving.setdefault(name, set()).add(bucket_key)
        bisect.insort(bucket, (runtime.key, call.id))
        bisect.insort(self._positions.setdefault(queue.name, []), runtime.key)
        return len(bucket) == 1

    def remove(self, runtime: CallRuntime) -> None:
        bucket_key = runtime.bucket
        if bucket_key is None:
            return
        runtime.bucket = None
        bucket = self._buckets[bucket_key]
        entry = (runtime.key, runtime.call.id)
        del bucket[bisect.bisect_left(bucket, entry)]
        positions = self._positions[bucket_key[0]]
        del positions[bisect.bisect_left(positions, runtime.key)]
        if not bucket:
            del self._buckets[bucket_key]
            for name in self._serving.pop(bucket_key):
                self._by_queue_serving[name].discard(bucket_key)

    def serving(self, runtime: CallRuntime) -> tuple[str, ...]:
        assert runtime.bucket is not None
        return self._serving[runtime.bucket]

    def requirement_of(self, runtime: CallRuntime) -> Requirement:
        assert runtime.bucket is not None
        return runtime.bucket[2]

    def heads_for(self, queue_names: tuple[str, ...]) -> Iterator[tuple[Requirement, SortKey, str]]:
        """The first call of every bucket that agents of these queues may take."""
        seen: set[BucketKey] = set()
        for name in queue_names:
            for bucket_key in self._by_queue_serving.get(name, ()):
                if bucket_key not in seen:
                    seen.add(bucket_key)
                    key, call_id = self._buckets[bucket_key][0]
                    yield bucket_key[2], key, call_id

    def position(self, runtime: CallRuntime) -> int:
        """1-based place among the calls waiting in the call's queue."""
        return bisect.bisect_left(self._positions.get(runtime.queue, []), runtime.key) + 1

    def waiting_in(self, queue_name: str) -> int:
        return len(self._positions.get(queue_name, ()))

    def buckets(self) -> Mapping[BucketKey, list[tuple[SortKey, str]]]:
        return self._buckets
