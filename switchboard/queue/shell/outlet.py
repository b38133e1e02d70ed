# -*- test-case-name: tests.queue.test_service,tests.queue.test_appqueue -*-
"""Where facts go, whoever produced them: LiveStats, the store (in order), the hub.

The ACD's shell (:mod:`.service`, facts from the router) and the app_queue tracker's shell
(:mod:`.appqueue_service`, facts from AMI) hand every batch to one :class:`FactOutlet`, so
both kinds of queue reach the statistics, the call records and the hub's subscribers by
the same path and cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import structlog
from twisted.internet.defer import Deferred, succeed

from switchboard.hub import AGENT_STATE, FACT, OFFERED, QUEUE_STATS, Hub, Offered
from switchboard.queue.core.decisions import AgentStateChanged, CallOffered, Fact
from switchboard.queue.core.stats import LiveStats
from switchboard.queue.store.records import record_facts
from switchboard.store.db import Database

__all__ = ["FactOutlet"]

logger = structlog.get_logger(__name__)


class FactOutlet:
    """``now``: the shell's clock (queue snapshots are taken then); ``queues``: the queues
    whose snapshots may be published (those LiveStats knows)."""

    def __init__(
        self,
        stats: LiveStats,
        hub: Hub,
        database: Database | None,
        now: Callable[[], float],
        queues: Callable[[], Collection[str]],
    ) -> None:
        self.stats = stats
        self.hub = hub
        self._database = database
        self._now = now
        self._queues = queues
        self._unwritten: list[Fact] = []
        self._writing = False
        self._flushes: list[Deferred[None]] = []
        self.records_failed = 0

    def deliver(
        self,
        facts: Sequence[Fact],
        pop: Callable[[CallOffered], Offered | None] = lambda _fact: None,
    ) -> None:
        """Count, store and publish ``facts``; ``pop`` gives the screen pop of an offer,
        published on ``offered`` right after its fact."""
        if not facts:
            return
        self.stats.apply(facts)
        self._record(facts)
        self._publish(facts, pop)

    def _publish(self, facts: Sequence[Fact], pop: Callable[[CallOffered], Offered | None]) -> None:
        hub = self.hub
        touched: set[str] = set()
        for fact in facts:
            hub.publish(FACT, fact)
            if isinstance(fact, CallOffered):
                if (payload := pop(fact)) is not None:
                    hub.publish(OFFERED, payload)
            elif isinstance(fact, AgentStateChanged):
                hub.publish(AGENT_STATE, fact)
            queue = getattr(fact, "queue", None)
            if isinstance(queue, str):
                touched.add(queue)
        if touched and hub.listening(QUEUE_STATS):
            now = self._now()
            for name in sorted(touched & set(self._queues())):
                hub.publish(QUEUE_STATS, self.stats.queue(name, now))

    def _record(self, facts: Sequence[Fact]) -> None:
        if self._database is None:
            return
        self._unwritten.extend(facts)
        if not self._writing:
            self._write_next()

    def store_first(self, work: Callable[[Any], int], event: str) -> None:
        """Run ``work(session)`` before any fact is written (facts wait their turn)."""
        assert self._database is not None
        self._writing = True
        d = self._database.run(work)
        d.addCallback(lambda count: logger.info(event, sessions=count) if count else None)
        d.addErrback(
            lambda f: logger.error("acd_store_failed", work=event, error=f.getErrorMessage())
        )
        d.addBoth(self._written)

    def _write_next(self) -> None:
        assert self._database is not None
        batch, self._unwritten = self._unwritten, []
        self._writing = True
        d = self._database.run(lambda session: record_facts(session, batch))
        d.addErrback(self._write_failed, len(batch))
        d.addBoth(self._written)

    def _write_failed(self, failure: Any, count: int) -> None:
        self.records_failed += count
        logger.error("acd_facts_not_stored", facts=count, error=failure.getErrorMessage())

    def _written(self, _: object) -> None:
        self._writing = False
        if self._unwritten:
            self._write_next()
            return
        flushes, self._flushes = self._flushes, []
        for d in flushes:
            d.callback(None)

    def flush(self) -> Deferred[None]:
        """Fires once every fact so far is stored (at once without a database)."""
        if not self._writing and not self._unwritten:
            return succeed(None)
        d: Deferred[None] = Deferred()
        self._flushes.append(d)
        return d
