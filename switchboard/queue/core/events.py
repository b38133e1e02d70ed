# -*- test-case-name: tests.queue.test_router -*-
"""What the ACD is told: calls, agents, devices, callbacks and the passing of time.

Each event is a frozen value handed to :meth:`Router.handle` together with ``now``.
The shell builds them from the IVR ``queue`` step, the agent seat and AMI events.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.queue.core.model import Agent, Queue, WaitingCall

__all__ = [
    "AgentLoggedIn",
    "AgentLoggedOut",
    "AgentNotReady",
    "AgentReady",
    "CallArrived",
    "CallEnded",
    "CallMoveRequested",
    "CallPriorityChanged",
    "CallbackOutcome",
    "CallbackRequested",
    "CallerAbandoned",
    "ConfigChanged",
    "DeviceStateChanged",
    "Event",
    "OfferAnswered",
    "OfferNotAnswered",
    "Tick",
    "WrapUpEnded",
]


@dataclass(frozen=True, slots=True)
class CallArrived:
    call: WaitingCall


@dataclass(frozen=True, slots=True)
class AgentLoggedIn:
    agent_id: str
    ready: bool = False


@dataclass(frozen=True, slots=True)
class AgentReady:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentNotReady:
    """Pause with a reason; on a call or ringing it takes effect when that call is over."""

    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AgentLoggedOut:
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferAnswered:
    """The agent answered the offered call (for a callback: the customer answered too)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferNotAnswered:
    """The dial of the agent's device ended unanswered; ``status`` is Asterisk's DIALSTATUS.

    ``NOANSWER`` makes the agent not ready (missed call); ``BUSY``, ``CHANUNAVAIL`` and
    ``CONGESTION`` mark the device unusable until a device state says it is free again.
    """

    call_id: str
    agent_id: str
    status: str = "NOANSWER"


@dataclass(frozen=True, slots=True)
class DeviceStateChanged:
    """AMI ``DeviceStateChange``: ``state`` is NOT_INUSE, INUSE, BUSY, UNAVAILABLE, ..."""

    device: str
    state: str


@dataclass(frozen=True, slots=True)
class CallEnded:
    """An answered call (caller or agent side) hung up."""

    call_id: str


@dataclass(frozen=True, slots=True)
class WrapUpEnded:
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallerAbandoned:
    """The caller hung up before being connected (waiting, or while an agent rang)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """The caller chose a callback and hangs up; the call keeps its place as a virtual call.

    The callback is only rung between ``window_start`` and ``window_end`` (epoch seconds;
    ``None``: from now, for as long as the queue's attempts last).
    """

    call_id: str
    number: str
    window_start: float | None = None
    window_end: float | None = None


@dataclass(frozen=True, slots=True)
class CallbackOutcome:
    """How the originate to the customer ended: ``answered`` bridges them to the agent.

    ``reason`` is the Originate reason or DIALSTATUS (``NOANSWER``, ``BUSY``, ``FAILED``).
    """

    call_id: str
    answered: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallPriorityChanged:
    """A supervisor sets a waiting caller's priority (higher goes first; see ``Queue``)."""

    call_id: str
    priority: int


@dataclass(frozen=True, slots=True)
class CallMoveRequested:
    """A supervisor moves a waiting caller to ``queue``.

    Like an overflow move: the caller keeps their place (``enqueued_at``) in the new
    queue's order, while the new queue's service level counts from the move.
    """

    call_id: str
    queue: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed: ring timeouts, wrap-ups, overflow, aging, max wait, announcements."""


@dataclass(frozen=True, slots=True)
class ConfigChanged:
    """The queue file was edited and validated: the queues and agents to serve from now.

    Waiting calls keep their place; removed queues finish their calls and take no new
    ones; removed agents are logged out once idle (see :mod:`._reload`).
    """

    queues: tuple[Queue, ...]
    agents: tuple[Agent, ...]


Event = (
    CallArrived
    | AgentLoggedIn
    | AgentReady
    | AgentNotReady
    | AgentLoggedOut
    | OfferAnswered
    | OfferNotAnswered
    | DeviceStateChanged
    | CallEnded
    | WrapUpEnded
    | CallerAbandoned
    | CallbackRequested
    | CallbackOutcome
    | ConfigChanged
    | CallPriorityChanged
    | CallMoveRequested
    | Tick
)
