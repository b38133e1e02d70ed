# -*- test-case-name: tests.unit.test_hub -*-
"""The in-process hub: publishers hand it payloads, subscribers get them synchronously.

Delivery is in publishing order, to each subscriber in subscription order, before
:meth:`Hub.publish` returns. A subscriber that raises is logged and skipped: it never
breaks the publisher (the ACD's event loop) nor the subscribers after it, and a logging
pipeline that itself fails cannot undo that guard.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import structlog

from switchboard.hub.topics import Topic, topic_named

__all__ = ["Hub"]

log = structlog.get_logger(__name__)
P = TypeVar("P")


class Hub:
    """One per process, built in ``app.py`` and handed to publishers and subscribers."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callable[[Any], object]]] = {}

    def subscribe(
        self, topic: Topic[P] | str, callback: Callable[[P], object]
    ) -> Callable[[], None]:
        """Deliver every payload published on ``topic``; returns an unsubscribe function."""
        name = (topic if isinstance(topic, Topic) else topic_named(topic)).name
        self._subscribers.setdefault(name, []).append(callback)

        def unsubscribe() -> None:
            listeners = self._subscribers.get(name, [])
            if callback in listeners:
                listeners.remove(callback)

        return unsubscribe

    def listening(self, topic: Topic[Any]) -> bool:
        """Whether anyone subscribes (a publisher may skip building a costly payload)."""
        return bool(self._subscribers.get(topic.name))

    def publish(self, topic: Topic[P], payload: P) -> None:
        """``TypeError`` if ``payload`` is not ``topic``'s type: that is a publisher's bug."""
        if not topic.accepts(payload):
            carries = ", ".join(c.__name__ for c in topic.kinds.values())
            raise TypeError(
                f"hub topic {topic.name!r} carries {carries}, not {type(payload).__name__}"
            )
        for callback in list(self._subscribers.get(topic.name, ())):
            try:
                callback(payload)
            except Exception:
                # Logging from here must not undo the guard (a broken log sink raised).
                with contextlib.suppress(Exception):
                    log.exception(
                        "hub_subscriber_failed", topic=topic.name, subscriber=repr(callback)
                    )
