# -*- test-case-name: tests.unit.test_hub_payloads -*-
"""The hub's topics: each has one payload type and one versioned JSON form.

========================  ==============================================  =================
topic                     payload                                         published
========================  ==============================================  =================
``offered``               :class:`~switchboard.hub.payloads.Offered`     an agent is offered
                                                                          a call (screen pop)
``fact``                  :data:`switchboard.queue.core.decisions.Fact`        every fact, in order
``agent_state``           :class:`~switchboard.queue.core.decisions.AgentStateChanged`
                                                                          also on ``fact``
``queue_stats``           :class:`~switchboard.queue.core.stats.QueueSnapshot` each queue a batch
                                                                          of facts touched
``call``                  :data:`switchboard.cti.calls.CallNews`          each change of a live
                                                                          call seen on AMI, and
                                                                          each resync's end
``recording``             :class:`~switchboard.hub.payloads.RecordingState` an answered call's
                                                                          recording state
``disposition``           :class:`~switchboard.hub.payloads.DispositionSaved` an agent saved
                                                                          a call's disposition
========================  ==============================================  =================

``fact`` is one topic for the whole closed union of facts, not one topic per kind: statistics,
records and the wallboard need them in one order, and a subscriber cannot merge several
topics back into it. ``call`` carries its closed union (started, updated, ended) for the
same reason. Every JSON form is an object with ``"v"`` (the schema version, 1) and
``"kind"`` (which payload type); the rest are the payload's fields. ``docs/events.md`` is
the reference; a change of form is a new version there and in :data:`VERSION`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, Final, Generic, TypeVar

from switchboard.cti.calls.values import (
    CallEnded,
    CallNews,
    CallsResynced,
    CallStarted,
    CallUpdated,
)
from switchboard.hub.jsonform import PayloadFormatError, from_fields, to_fields
from switchboard.hub.payloads import DispositionSaved, Offered, RecordingState
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallbackAttemptEnded,
    CallbackScheduled,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    CallTransferred,
    Fact,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.stats import QueueSnapshot

__all__ = [
    "AGENT_STATE",
    "CALL",
    "DISPOSITION",
    "FACT",
    "OFFERED",
    "QUEUE_STATS",
    "RECORDING",
    "TOPICS",
    "VERSION",
    "Topic",
    "topic_named",
]

P = TypeVar("P")
VERSION: Final = 1


@dataclass(frozen=True, eq=False)
class Topic(Generic[P]):
    """A topic's name and its payload's JSON kinds (``"kind"`` value -> payload class)."""

    name: str
    kinds: Mapping[str, type[Any]]

    def accepts(self, payload: object) -> bool:
        return type(payload) in self._kind_of

    @cached_property
    def _kind_of(self) -> dict[type[Any], str]:
        return {cls: kind for kind, cls in self.kinds.items()}

    def to_json(self, payload: P) -> dict[str, Any]:
        """``{"v": 1, "kind": ..., <fields>}``: ready for ``json.dumps``."""
        kind = self._kind_of.get(type(payload))
        if kind is None:
            raise TypeError(f"topic {self.name!r} does not carry {type(payload).__name__}")
        return {"v": VERSION, "kind": kind, **to_fields(payload)}

    def from_json(self, data: Any) -> P:
        """The payload back from :meth:`to_json`'s form; :class:`PayloadFormatError` if not."""
        where = f"topic {self.name!r}"
        if not isinstance(data, Mapping):
            raise PayloadFormatError(f"{where}: expected a JSON object, found {data!r:.60}")
        if data.get("v") != VERSION:
            raise PayloadFormatError(
                f"{where}: version {data.get('v')!r} is not one this switchboard reads "
                f"(it reads v{VERSION}; see docs/events.md)"
            )
        kind = data.get("kind")
        cls = self.kinds.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise PayloadFormatError(
                f"{where}: unknown kind {kind!r}; expected one of {', '.join(self.kinds)}"
            )
        payload: P = from_fields(cls, data, f"{where} {kind}")
        return payload


def _topic(name: str, **kinds: type[Any]) -> Topic[Any]:
    return Topic(name, MappingProxyType(kinds))


OFFERED: Final[Topic[Offered]] = _topic("offered", offered=Offered)
FACT: Final[Topic[Fact]] = _topic(
    "fact",
    call_queued=CallQueued,
    call_offered=CallOffered,
    offer_ended=OfferEnded,
    call_answered=CallAnswered,
    queue_left=QueueLeft,
    call_handled=CallHandled,
    call_finished=CallFinished,
    callback_scheduled=CallbackScheduled,
    callback_attempt_ended=CallbackAttemptEnded,
    agent_state_changed=AgentStateChanged,
    call_transferred=CallTransferred,
)
AGENT_STATE: Final[Topic[AgentStateChanged]] = _topic(
    "agent_state", agent_state_changed=AgentStateChanged
)
QUEUE_STATS: Final[Topic[QueueSnapshot]] = _topic("queue_stats", queue_snapshot=QueueSnapshot)
CALL: Final[Topic[CallNews]] = _topic(
    "call",
    call_started=CallStarted,
    call_updated=CallUpdated,
    call_ended=CallEnded,
    calls_resynced=CallsResynced,
)
RECORDING: Final[Topic[RecordingState]] = _topic("recording", recording_state=RecordingState)
DISPOSITION: Final[Topic[DispositionSaved]] = _topic(
    "disposition", disposition_saved=DispositionSaved
)

TOPICS: Final[Mapping[str, Topic[Any]]] = MappingProxyType(
    {t.name: t for t in (OFFERED, FACT, AGENT_STATE, QUEUE_STATS, CALL, RECORDING, DISPOSITION)}
)


def topic_named(name: str) -> Topic[Any]:
    """The topic called ``name``; ``ValueError`` naming the topics there are."""
    try:
        return TOPICS[name]
    except KeyError:
        raise ValueError(
            f"no hub topic {name!r}; the topics are {', '.join(sorted(TOPICS))}"
        ) from None
