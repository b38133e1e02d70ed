# -*- test-case-name: tests.protocol.test_ami_service -*-
"""Event subscribers by event name (or ``*``); they outlive any one connection."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from switchboard.cti.ami.frames import Message
from switchboard.cti.names import ANY_EVENT

__all__ = ["EventCallback", "Subscriptions"]

log = structlog.get_logger(__name__)

EventCallback = Callable[[Message], object]


class Subscriptions:
    """Copy-on-write registry: dispatch is a dict lookup and a tuple walk.

    Event names match exactly as Asterisk spells them (``Newchannel``, ``QueueCallerJoin``).
    A subscriber that raises is logged and the others still run.
    """

    def __init__(self) -> None:
        self._by_name: dict[str, tuple[EventCallback, ...]] = {}
        self._any: tuple[EventCallback, ...] = ()

    def subscribe(self, event_name: str, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback(message)`` for each event named ``event_name`` (``*``: every one).

        Returns a function that removes this subscription (idempotent).
        """
        if event_name == ANY_EVENT:
            self._any = (*self._any, callback)
        else:
            self._by_name[event_name] = (*self._by_name.get(event_name, ()), callback)

        def unsubscribe() -> None:
            if event_name == ANY_EVENT:
                self._any = _without(self._any, callback)
                return
            remaining = _without(self._by_name.get(event_name, ()), callback)
            if remaining:
                self._by_name[event_name] = remaining
            else:
                self._by_name.pop(event_name, None)

        return unsubscribe

    def dispatch(self, msg: Message) -> None:
        named = self._by_name.get(msg.event)  # type: ignore[arg-type]
        if named is not None:
            for callback in named:
                self._call(callback, msg)
        for callback in self._any:
            self._call(callback, msg)

    def _call(self, callback: EventCallback, msg: Message) -> None:
        try:
            callback(msg)
        except Exception:
            log.exception("ami_subscriber_failed", ami_event=msg.event, subscriber=repr(callback))


def _without(
    callbacks: tuple[EventCallback, ...], callback: EventCallback
) -> tuple[EventCallback, ...]:
    if callback not in callbacks:
        return callbacks
    index = callbacks.index(callback)
    return callbacks[:index] + callbacks[index + 1 :]
