# -*- test-case-name: tests.queue.test_appqueue_service -*-
"""The thin Twisted shell around :class:`AppQueueTracker`: AMI events in, facts out.

It subscribes to the events the tracker reads, stamps each with the injected clock's time,
and after every (re)login (the AMI client's ``resynced``) asks ``QueueStatus`` and hands
the listing to :meth:`AppQueueTracker.resync`. Facts go through the same
:class:`~.outlet.FactOutlet` as the ACD's: :class:`LiveStats`, the store, the hub (``fact``,
``offered`` at ``AgentCalled``, ``agent_state``, ``queue_stats``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, tzinfo
from typing import Any

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.python.failure import Failure

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.calls.tracker import AmiSource
from switchboard.hub import Hub, Offered
from switchboard.queue.core.appqueue import EVENTS, LIST_EVENTS, AppQueueTracker, Tracked
from switchboard.queue.core.decisions import CallOffered
from switchboard.queue.core.model import Agent, Queue
from switchboard.queue.core.stats import AgentSnapshot, LiveStats, QueueSnapshot
from switchboard.queue.core.transfers import EVENTS as TRANSFER_EVENTS
from switchboard.queue.core.transfers import TransferReader
from switchboard.queue.shell.outlet import FactOutlet
from switchboard.store.db import Database

__all__ = ["AppQueueService"]

log = structlog.get_logger(__name__)

_PART = "app_queue"  # this shell's queues and agents in a LiveStats it may share


class AppQueueService(Service):
    """``queues``: the queue file's ``routing = "app_queue"`` queues (None: no queue file,
    every queue seen on AMI is tracked); ``agents``: the queue file's agents; ``stats``:
    the statistics to count in (the ACD's, when a queue file mixes both kinds of queue, so
    that one set of figures shows them side by side), by default its own."""

    def __init__(
        self,
        ami: AmiSource,
        clock: IReactorTime,
        hub: Hub,
        *,
        database: Database | None = None,
        queues: Iterable[Queue] | None = None,
        agents: Iterable[Agent] = (),
        timezone: tzinfo = UTC,
        stats: LiveStats | None = None,
    ) -> None:
        self.tracker = AppQueueTracker(queues, agents)
        self.stats = LiveStats((), (), timezone=timezone) if stats is None else stats
        self.stats.reconfigure(self.tracker.queues.values(), self.tracker.agents(), part=_PART)
        self.outlet = FactOutlet(self.stats, hub, database, self.now, lambda: self.tracker.queues)
        # Agents' transfers (the tracker's answers say whose calls they are).
        self.transfers = TransferReader(self._device_of)
        self._ami = ami
        self._clock = clock
        self._unsubscribe: list[Callable[[], None]] = []

    def startService(self) -> None:
        super().startService()
        self._unsubscribe = [self._ami.subscribe(name, self._on_event) for name in EVENTS]
        self._unsubscribe += [self._ami.subscribe(n, self._on_transfer) for n in TRANSFER_EVENTS]
        self._unsubscribe.append(self._ami.on_resynced(self._on_resynced))

    def stopService(self) -> Any:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        super().stopService()
        return self.outlet.flush()

    # -- reading ------------------------------------------------------------------------
    def now(self) -> float:
        seconds: float = self._clock.seconds()  # type: ignore[misc]  # zope attribute
        return seconds

    def queue_stats(self) -> list[QueueSnapshot]:
        return self.stats.queues(self.now())

    def agent_stats(self) -> list[AgentSnapshot]:
        return self.stats.agents(self.now())

    def flush(self) -> Deferred[None]:
        return self.outlet.flush()

    # -- AMI in -------------------------------------------------------------------------
    def _on_event(self, msg: Message) -> None:
        try:
            tracked = self.tracker.feed(msg, self.now())
        except Exception:  # a tracker bug must not cost the AMI link its other subscribers
            log.exception("appqueue_event_failed", ami_event=msg.event)
            return
        self._deliver(tracked)

    def _on_transfer(self, msg: Message) -> None:
        fact = self.transfers.feed(msg, self.now())
        if fact is not None:
            log.info("appqueue_call_transferred", call_id=fact.call_id, agent=fact.agent_id)
            self.outlet.deliver((fact,))

    def _device_of(self, agent_id: str) -> str:
        # A member not in the queue file is named by its interface.
        agent = next((a for a in self.tracker.agents() if a.id == agent_id), None)
        return agent.device if agent is not None else agent_id

    def _on_resynced(self) -> Deferred[None]:
        listing = self._ami.send_list(actions.queue_status())
        return listing.addCallbacks(self._apply_listing, self._listing_failed)

    def _apply_listing(self, listing: EventList) -> None:
        items = [m for m in listing.items if m.event in LIST_EVENTS]
        self._deliver(self.tracker.resync(items, self.now()))

    def _listing_failed(self, failure: Failure) -> None:
        # The link dropped again (or app_queue is not loaded): the next login asks again.
        log.warning("appqueue_resync_failed", error=failure.getErrorMessage())

    # -- facts out ----------------------------------------------------------------------
    def _deliver(self, tracked: Tracked) -> None:
        if tracked.members_changed:
            self.stats.reconfigure(self.tracker.queues.values(), self.tracker.agents(), part=_PART)
        pops = {(p.call_id, p.agent_id): p for p in tracked.offered}

        def pop(fact: CallOffered) -> Offered | None:
            return pops.get((fact.call_id, fact.agent_id))

        self.transfers.learn(tracked.facts)
        self.outlet.deliver(tracked.facts, pop)
