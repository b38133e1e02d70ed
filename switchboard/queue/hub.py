# -*- test-case-name: tests.queue.test_service -*-
"""A small in-process publish/subscribe hub: the ACD publishes, the web tier listens.

Topics the ACD publishes (payloads are frozen values of :mod:`switchboard.queue`):

``offered``       an :class:`Offered` the moment an agent is
                  reserved for a call (the screen pop);
``fact``          every router fact (:mod:`switchboard.queue.decisions`), in order;
``queue_stats``   a :class:`~switchboard.queue.stats.QueueSnapshot` of each queue a batch
                  of facts touched (only computed while someone listens);
``agent_state``   an :class:`~switchboard.queue.decisions.AgentStateChanged`.

A failing subscriber is logged and skipped; it never breaks the ACD or other subscribers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

__all__ = ["Hub", "Offered"]

log = structlog.get_logger(__name__)

Subscriber = Callable[[object], object]


@dataclass(frozen=True, slots=True)
class Offered:
    """The screen pop: an agent was reserved for a call (live or callback)."""

    call_id: str
    agent_id: str
    device: str
    queue: str
    at: float
    caller_number: str = ""
    ivr_ref: str = ""
    callback: bool = False
    attempt: int = 0
    extra: dict[str, str] = field(default_factory=dict)


class Hub:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscriber]] = {}

    def subscribe(self, topic: str, callback: Subscriber) -> Callable[[], None]:
        """Deliver every payload published on ``topic``; returns an unsubscribe function."""
        self._subscribers.setdefault(topic, []).append(callback)

        def unsubscribe() -> None:
            listeners = self._subscribers.get(topic, [])
            if callback in listeners:
                listeners.remove(callback)

        return unsubscribe

    def listening(self, topic: str) -> bool:
        return bool(self._subscribers.get(topic))

    def publish(self, topic: str, payload: object) -> None:
        for callback in list(self._subscribers.get(topic, ())):
            try:
                callback(payload)
            except Exception:
                log.exception("acd_subscriber_failed", topic=topic, subscriber=repr(callback))
