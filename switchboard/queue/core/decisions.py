# -*- test-case-name: tests.queue.test_router -*-
"""What the ACD answers: commands for the shell to carry out, and facts that happened.

:meth:`Router.handle` returns a :class:`Decisions`: ``commands`` are things to *do*
(dial an agent, originate a callback, play an announcement, send a caller to voicemail);
``facts`` are things that *happened* (a call was queued, offered, answered; an agent
changed state). Statistics (:mod:`.stats`), the store (:mod:`.records`) and the wallboard
all read the same facts, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.queue.core.model import AgentState, CallOutcome, FallbackKind

__all__ = [
    "AgentStateChanged",
    "Announce",
    "CallAnswered",
    "CallFinished",
    "CallHandled",
    "CallOffered",
    "CallQueued",
    "CallTransferred",
    "CallbackAttemptEnded",
    "CallbackScheduled",
    "CancelOffer",
    "Command",
    "Decisions",
    "Fact",
    "MoveToQueue",
    "OfferCall",
    "OfferCallbackChoice",
    "OfferEnded",
    "OriginateCallback",
    "QueueLeft",
    "Rejected",
    "SendToFallback",
]


# -- commands -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OfferCall:
    """Dial ``device`` from the caller's AGI session for at most ``ring_timeout_s``."""

    call_id: str
    agent_id: str
    device: str
    queue: str
    ring_timeout_s: float


@dataclass(frozen=True, slots=True)
class OriginateCallback:
    """The agent is reserved (pop the record now); then originate to ``number`` and bridge."""

    call_id: str
    agent_id: str
    device: str
    queue: str
    number: str
    attempt: int


@dataclass(frozen=True, slots=True)
class CancelOffer:
    """Stop ringing the agent (ring timeout passed, or the caller left)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class Announce:
    call_id: str
    position: int  # 1 = next
    expected_wait_s: float


@dataclass(frozen=True, slots=True)
class OfferCallbackChoice:
    """Tell the caller they may press a key to be called back and keep their place."""

    call_id: str


@dataclass(frozen=True, slots=True)
class MoveToQueue:
    """The call now waits in another queue (overflow fallback); change the music."""

    call_id: str
    queue: str
    music_class: str


@dataclass(frozen=True, slots=True)
class SendToFallback:
    """End the caller's wait: voicemail (``target`` mailbox), callback notice, or exit."""

    call_id: str
    kind: FallbackKind
    target: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """The event made no sense in the current state; nothing changed (log it)."""

    event: str
    reason: str


Command = (
    OfferCall
    | OriginateCallback
    | CancelOffer
    | Announce
    | OfferCallbackChoice
    | MoveToQueue
    | SendToFallback
    | Rejected
)


# -- facts ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CallQueued:
    call_id: str
    queue: str
    at: float
    enqueued_at: float  # the caller's original place, kept across moves
    priority: int = 0
    caller_number: str = ""
    ivr_ref: str = ""
    language: str = ""
    customer_tier: int = 0


@dataclass(frozen=True, slots=True)
class CallOffered:
    call_id: str
    queue: str
    agent_id: str
    at: float
    callback_attempt: int = 0  # 0: a live caller


@dataclass(frozen=True, slots=True)
class OfferEnded:
    """``result``: answered, no_answer, busy, cancelled (ring timeout) or abandoned."""

    call_id: str
    agent_id: str
    at: float
    result: str


@dataclass(frozen=True, slots=True)
class CallAnswered:
    call_id: str
    queue: str
    agent_id: str
    at: float
    waited_s: float  # since joining this queue
    callback: bool = False


@dataclass(frozen=True, slots=True)
class QueueLeft:
    """The call stopped waiting in ``queue`` without an agent: abandoned, moved, voicemail ...

    ``outcome`` is a :class:`CallOutcome` value, or ``"moved"`` (to ``to_queue``) or
    ``"callback"`` (the caller hung up and waits as a virtual call).
    """

    call_id: str
    queue: str
    at: float
    outcome: str
    waited_s: float
    to_queue: str = ""


@dataclass(frozen=True, slots=True)
class CallHandled:
    """The agent finished with the call: talk and wrap-up are known (AHT)."""

    call_id: str
    queue: str
    agent_id: str
    at: float
    talk_s: float
    wrap_s: float


@dataclass(frozen=True, slots=True)
class CallFinished:
    """The call left the ACD for good. Exactly one per call."""

    call_id: str
    queue: str
    at: float
    outcome: CallOutcome
    agent_id: str = ""


@dataclass(frozen=True, slots=True)
class CallbackScheduled:
    call_id: str
    queue: str
    number: str
    at: float
    window_start: float
    window_end: float
    enqueued_at: float


@dataclass(frozen=True, slots=True)
class CallbackAttemptEnded:
    call_id: str
    attempt: int
    agent_id: str
    at: float
    result: str  # answered, or the Originate reason / DIALSTATUS


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    agent_id: str
    at: float
    state: AgentState
    previous: AgentState
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallTransferred:
    """The agent who answered the call in ``queue`` handed the caller on: Asterisk's
    ``BlindTransfer`` / ``AttendedTransfer`` event with ``Result: Success``, read from
    AMI in both routing modes (:mod:`.transfers`). ``method``: ``blind`` or ``attended``;
    ``target``: ``exten@context`` of a blind transfer, the target's channel of an
    attended one; ``linkedid``: the Asterisk call (the call record's id)."""

    call_id: str
    queue: str
    agent_id: str
    at: float
    method: str
    target: str = ""
    linkedid: str = ""


Fact = (
    CallQueued
    | CallOffered
    | OfferEnded
    | CallAnswered
    | QueueLeft
    | CallHandled
    | CallFinished
    | CallbackScheduled
    | CallbackAttemptEnded
    | AgentStateChanged
    | CallTransferred
)


@dataclass(frozen=True, slots=True)
class Decisions:
    commands: tuple[Command, ...] = ()
    facts: tuple[Fact, ...] = ()
