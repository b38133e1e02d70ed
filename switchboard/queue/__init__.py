"""The ACD: agents, skills, queues, routing decisions (pure, clock-injected), statistics.

Feed :class:`Router` events with ``now``; carry out the ``commands`` of the
:class:`Decisions` it returns; hand its ``facts`` to :class:`LiveStats` and to
:func:`record_facts` (through ``Database.run``); call ``handle(Tick(), now)`` at
:meth:`Router.next_deadline`.
"""

from switchboard.queue.decisions import (
    AgentStateChanged,
    Announce,
    CallAnswered,
    CallbackAttemptEnded,
    CallbackScheduled,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    CancelOffer,
    Command,
    Decisions,
    Fact,
    MoveToQueue,
    OfferCall,
    OfferCallbackChoice,
    OfferEnded,
    OriginateCallback,
    QueueLeft,
    Rejected,
    SendToFallback,
)
from switchboard.queue.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    CallArrived,
    CallbackOutcome,
    CallbackRequested,
    CallEnded,
    CallerAbandoned,
    ConfigChanged,
    DeviceStateChanged,
    Event,
    OfferAnswered,
    OfferNotAnswered,
    Tick,
    WrapUpEnded,
)
from switchboard.queue.model import (
    Agent,
    AgentState,
    CallOutcome,
    Fallback,
    NotReadyReason,
    OverflowRule,
    Queue,
    Strategy,
    WaitingCall,
    frozen_map,
)
from switchboard.queue.router import Router
from switchboard.queue.stats import AgentSnapshot, LiveStats, QueueFigures, QueueSnapshot

__all__ = [
    "Agent", "AgentLoggedIn", "AgentLoggedOut", "AgentNotReady", "AgentReady", "AgentSnapshot",
    "AgentState", "AgentStateChanged", "Announce", "CallAnswered", "CallArrived", "CallEnded",
    "CallFinished", "CallHandled", "CallOffered", "CallOutcome", "CallQueued",
    "CallbackAttemptEnded", "CallbackOutcome", "CallbackRequested", "CallbackScheduled",
    "CallerAbandoned", "CancelOffer", "Command", "ConfigChanged", "Decisions",
    "DeviceStateChanged", "Event",
    "Fact", "Fallback", "LiveStats", "MoveToQueue", "NotReadyReason", "OfferAnswered",
    "OfferCall", "OfferCallbackChoice", "OfferEnded", "OfferNotAnswered", "OriginateCallback",
    "OverflowRule", "Queue", "QueueFigures", "QueueLeft", "QueueSnapshot", "Rejected",
    "Router", "SendToFallback", "Strategy", "Tick", "WaitingCall", "WrapUpEnded", "frozen_map",
]
