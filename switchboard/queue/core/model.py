# -*- test-case-name: tests.queue.test_router -*-
"""The ACD's frozen values: agents, queues and their rules, waiting calls, agent states.

Everything here is configuration or a snapshot; the router (:mod:`.router`) owns the
changing state. Times are epoch seconds (``float``); durations carry ``_s`` in their name.
Skill levels are integers 1..100, higher is better; a queue (or a call) requires a skill
*at least* at a level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "MAX_SKILL_LEVEL",
    "Agent",
    "AgentState",
    "CallOutcome",
    "Fallback",
    "FallbackKind",
    "LanguageMatch",
    "NotReadyReason",
    "OverflowRule",
    "Queue",
    "Routing",
    "Strategy",
    "WaitingCall",
    "frozen_map",
]

MAX_SKILL_LEVEL: Final = 100


def frozen_map(values: Mapping[str, int] | None = None) -> Mapping[str, int]:
    """A read-only copy, so that frozen values really are frozen."""
    return MappingProxyType(dict(values or {}))


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RESERVED = "reserved"  # offered a call (ringing) or held for a callback
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    NOT_READY = "not_ready"


class NotReadyReason(StrEnum):
    """The reasons switchboard itself sets; operators may use any other short word."""

    LOGGED_IN = "logged_in"  # just logged in, not yet ready
    BREAK = "break"
    LUNCH = "lunch"
    TRAINING = "training"
    MISSED_CALL = "missed_call"  # an offer rang out: the agent is not at the desk


class LanguageMatch(StrEnum):
    """How a queue uses the caller's language (``WaitingCall.language``)."""

    # Agents who speak it first; after the queue's ``language_wait_s`` (at once when no
    # agent of the queue speaks it) any agent of the queue.
    PREFER = "prefer"
    STRICT = "strict"  # only agents who speak it, however long the caller waits


class Strategy(StrEnum):
    LONGEST_IDLE = "longest_idle"
    FEWEST_CALLS = "fewest_calls"
    ROUND_ROBIN = "round_robin"  # least recently offered a call of this queue
    HIGHEST_SKILL = "highest_skill"
    RANDOM = "random"  # seeded by the router, so runs are reproducible


class CallOutcome(StrEnum):
    """How a call leaves the ACD; every call ends with exactly one of these."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    CALLED_BACK = "called_back"  # a callback reached the customer and an agent
    CALLBACK_UNREACHED = "callback_unreached"  # every attempt failed, or the window passed
    VOICEMAIL = "voicemail"
    OVERFLOWED = "overflowed"  # sent out of the ACD (dialplan exit)


FallbackKind = Literal["queue", "voicemail", "callback", "exit"]
Routing = Literal["switchboard", "app_queue"]


@dataclass(frozen=True, slots=True)
class Fallback:
    """Where a call goes when the queue is full or it waited too long.

    ``queue``: another queue (``target`` its name; the call keeps its enqueue time);
    ``voicemail``: ``target`` is the mailbox; ``callback``: the call becomes a virtual call
    that keeps its place and is rung back; ``exit``: leave the ACD (``target`` is a
    ``context,extension`` the shell sends the caller to).
    """

    kind: FallbackKind = "voicemail"
    target: str = ""


@dataclass(frozen=True, slots=True)
class OverflowRule:
    """After ``after_s`` of waiting, widen who may take the call.

    ``min_level`` lowers every required skill level to at most this; ``drop_skills``
    stops requiring those skills; ``add_agents_of`` lets agents of other queues take it
    (the queue's own agents are still tried first).
    """

    after_s: float
    min_level: int | None = None
    drop_skills: tuple[str, ...] = ()
    add_agents_of: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Queue:
    name: str
    required_skills: Mapping[str, int] = field(default_factory=frozen_map)
    strategy: Strategy = Strategy.LONGEST_IDLE
    # Agents ranked by their level in the required skills first, the strategy second
    # (Asterisk's penalties behave this way).
    tiered: bool = False
    service_level_s: float = 20.0
    ring_timeout_s: float = 15.0
    wrap_up_s: float = 10.0
    max_wait_s: float | None = None
    max_length: int | None = None
    fallback: Fallback = Fallback()
    overflow: tuple[OverflowRule, ...] = ()
    # Priority points a call gains per minute waited (starvation guard across queues).
    aging_per_min: float = 0.0
    # Added to every call's priority: the queue's share across agents that serve several.
    weight: int = 0
    announce_interval_s: float | None = 30.0
    music_class: str = "default"
    callback_offer_after_s: float | None = None
    callback_attempts: int = 3
    callback_retry_s: float = 300.0
    short_abandon_s: float = 5.0
    # Expected handle time until real calls have been measured (for expected-wait figures).
    expected_handle_s: float = 180.0
    # Who routes it: switchboard's ACD, or Asterisk's Queue() (tracked from AMI: appqueue.py).
    routing: Routing = "switchboard"
    language_match: LanguageMatch = LanguageMatch.PREFER
    # PREFER: how long a caller waits for an agent who speaks their language (0: no wait).
    language_wait_s: float = 15.0


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    name: str = ""
    device: str = ""  # Asterisk dial string: PJSIP/1001, Local/1001@agents ...
    skills: Mapping[str, int] = field(default_factory=frozen_map)
    languages: frozenset[str] = frozenset()
    queues: tuple[str, ...] = ()

    def level(self, skill: str) -> int:
        return self.skills.get(skill, 0)


@dataclass(frozen=True, slots=True)
class WaitingCall:
    """A caller (or, for a callback, a virtual caller) waiting for an agent.

    ``enqueued_at`` is when the caller first joined: it survives requeues after a missed
    offer, moves to an overflow queue and the switch to a callback, so the caller keeps
    their place. ``skills`` are required in addition to the queue's.
    """

    id: str
    queue: str
    enqueued_at: float
    priority: int = 0
    skills: Mapping[str, int] = field(default_factory=frozen_map)
    language: str = ""
    customer_tier: int = 0
    caller_number: str = ""
    ivr_ref: str = ""  # the IVR session's call id, for the screen pop and the record
