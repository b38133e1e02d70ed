"""The ACD: agents, skills, queues, routing decisions (pure, clock-injected), statistics.

Laid out by kind: ``core/`` (pure: values, the router, statistics), ``shell/`` (Twisted:
the service, held calls, AMI, agent control, the file watcher, the clock), ``store/``
(database rows), ``config/`` (the queue file, the ``queues.conf`` import) and ``cli``.

Feed :class:`Router` events with ``now``; carry out the ``commands`` of the
:class:`Decisions` it returns; hand its ``facts`` to :class:`LiveStats` and to
:func:`record_facts` (through ``Database.run``); call ``handle(Tick(), now)`` at
:meth:`Router.next_deadline`.
"""

from switchboard.queue.core.decisions import (
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
from switchboard.queue.core.events import (
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
from switchboard.queue.core.model import (
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
from switchboard.queue.core.router import Router
from switchboard.queue.core.stats import AgentSnapshot, LiveStats, QueueFigures, QueueSnapshot

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
