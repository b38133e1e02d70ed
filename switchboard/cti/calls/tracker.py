# -*- test-case-name: tests.calls.test_tracker -*-
"""The thin Twisted shell around :class:`CallModel`: AMI events in, changes published.

It subscribes to the events the model reads, stamps each with the injected clock's time,
and after every (re)login (the AMI client's ``resynced``) rebuilds the model from
``CoreShowChannels``, then publishes :class:`CallsResynced` with the calls live now. A
timer forgets ended calls once their grace has passed. What to do with a change is the
``publish`` callable's business (the event hub, topic ``call``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.calls.model import EVENTS, CallModel
from switchboard.cti.calls.values import CallNews, CallsResynced, Change

__all__ = ["CallTracker"]

log = structlog.get_logger(__name__)


class AmiSource(Protocol):
    """What the tracker needs of :class:`~switchboard.cti.ami.service.AmiClient`."""

    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]: ...
    def on_resynced(self, callback: Callable[[], object]) -> Callable[[], None]: ...
    def send_list(
        self, action: actions.Action, *, timeout_s: float | None = None
    ) -> Deferred[EventList]: ...


class CallTracker(Service):
    """Keeps a :class:`CallModel` in step with one AMI link and publishes its changes."""

    def __init__(
        self,
        ami: AmiSource,
        clock: IReactorTime,
        publish: Callable[[CallNews], object],
        *,
        model: CallModel | None = None,
        expire_every_s: float = 5.0,
    ) -> None:
        self.model = model if model is not None else CallModel()
        self._ami = ami
        self._clock = clock
        self._publish = publish
        self._expire_every_s = expire_every_s
        self._unsubscribe: list[Callable[[], None]] = []
        self._expiry = LoopingCall(self._expire)
        self._expiry.clock = clock

    def startService(self) -> None:
        super().startService()
        self._unsubscribe = [self._ami.subscribe(name, self._on_event) for name in EVENTS]
        self._unsubscribe.append(self._ami.on_resynced(self._on_resynced))
        self._expiry.start(self._expire_every_s, now=False)

    def stopService(self) -> Any:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._expiry.running:
            self._expiry.stop()
        return super().stopService()

    def _on_event(self, msg: Message) -> None:
        self._emit(self.model.feed(msg, self._clock.seconds()))

    def _on_resynced(self) -> Deferred[None]:
        # Events from here on are newer than the list; the model keeps their channels.
        self.model.begin_resync()
        listing = self._ami.send_list(actions.core_show_channels())
        return listing.addCallbacks(self._apply_listing, self._listing_failed)

    def _apply_listing(self, listing: EventList) -> None:
        items = [m for m in listing.items if m.event == "CoreShowChannel"]
        at = self._clock.seconds()
        self._emit(self.model.resync(items, at))
        # Then the list of what is live: a subscriber holding calls open (the call
        # records after a restart) closes the ones that ended while nobody listened.
        live = tuple(call.call_id for call in self.model.live_calls())
        self._emit([CallsResynced(live, at)])

    def _listing_failed(self, failure: Failure) -> None:
        # The link dropped again (or Asterisk refused): the next login resyncs once more.
        log.warning("calls_resync_failed", error=failure.getErrorMessage())

    def _expire(self) -> None:
        self.model.expire(self._clock.seconds())

    def _emit(self, changes: list[Change] | list[CallsResynced]) -> None:
        for change in changes:
            try:
                self._publish(change)
            except Exception:
                call_id = getattr(getattr(change, "call", None), "call_id", None)
                log.exception("calls_publish_failed", change=change.kind, call_id=call_id)
