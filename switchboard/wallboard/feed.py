# -*- test-case-name: tests.wallboard.test_feed -*-
""":class:`WallboardFeed`: the board fed from the hub's facts, over today's stored records.

At :meth:`~WallboardFeed.start` it listens to the hub and reads today's records back
(:mod:`.replay`): the facts from before that moment come from the records, the later ones
from the hub, so the figures after a restart of switchboard (or a reload of the page) are
the day's, not the process's. It hears only the hub's ``fact`` topic, which both routing
modes publish alike.

Deltas are throttled: facts mark queues dirty and one flush, at most every
``push_interval_s``, sends each dirty queue's figures once to every viewer allowed to see
it, whatever the call rate.

A viewer is named by a key (the websocket hands it in as the "agent id" of the seat
transport it reuses): ``"all"`` sees every queue, ``"queues:a,b"`` only queues a and b.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

import structlog
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.python.failure import Failure

from switchboard.config.model import WallboardSettings
from switchboard.crm.directory import find_customer
from switchboard.hub import FACT, Hub
from switchboard.queue.core._windows import midnight
from switchboard.queue.core.decisions import Fact
from switchboard.queue.core.model import Agent, Queue
from switchboard.store import Database
from switchboard.wallboard.board import AGENTS, Board, Visibility
from switchboard.wallboard.replay import Stored, load_stored, stored_facts

__all__ = ["ALL_QUEUES", "ConfigSource", "WallboardFeed", "viewer_key", "visibility_of"]

log = structlog.get_logger(__name__)
VERSION = 1
ALL_QUEUES = "all"
Sink = Callable[[dict[str, Any]], None]
# The queues and agents of both routing modes, as they are now (a queue file reloads).
ConfigSource = Callable[[], tuple[Iterable[Queue], Iterable[Agent]]]


def viewer_key(queues: Iterable[str] | None) -> str:
    """The key of a viewer who sees ``queues`` (None: every queue)."""
    return ALL_QUEUES if queues is None else "queues:" + ",".join(sorted(set(queues)))


def visibility_of(key: str) -> Visibility:
    if key == ALL_QUEUES:
        return None
    _, _, names = key.partition(":")
    return frozenset(n for n in names.split(",") if n)


class WallboardFeed:
    """What ``/ws/wallboard`` serves: ``snapshot(key)`` and ``subscribe(key, sink)``."""

    def __init__(
        self,
        hub: Hub,
        clock: Any,
        database: Database,
        settings: WallboardSettings,
        *,
        timezone: Any,
        config: ConfigSource,
    ) -> None:
        self._hub, self._clock, self._database = hub, clock, database
        # Seconds of ``clock`` per real second (a demo's ScaledClock runs faster): with
        # ``now`` on every message the page ticks its timers at the clock's own pace.
        self._rate = float(getattr(clock, "speed", 1.0))
        self._settings, self._zone, self._config = settings, timezone, config
        queues, agents = config()
        self._seen_config = (tuple(queues), tuple(agents))
        self.board = Board(
            self._seen_config[0],
            self._seen_config[1],
            timezone=timezone,
            colours=dict(settings.queue_colours),
            default_colours=settings.colours,
        )
        self._sinks: dict[str, list[Sink]] = {}
        self._dirty: set[str] = set()
        self._early: list[Fact] | None = []  # hub facts heard before the records are read
        self._ready: Deferred[None] | None = None
        self._timer: IDelayedCall | None = None
        self._midnight: IDelayedCall | None = None
        self._last_flush = float("-inf")
        self._asked: set[str] = set()  # call ids whose customer the CRM was asked for
        self._unsubscribe: Callable[[], None] | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> Deferred[None]:
        """Listen to the hub, then read today's records from before this moment."""
        if self._ready is not None:
            return self._ready
        self._unsubscribe = self._hub.subscribe(FACT, self._on_fact)
        cutoff = self._clock.seconds()
        since = midnight(cutoff, self._zone)
        loading = self._database.run(lambda session: load_stored(session, since))
        ready: Deferred[None] = loading.addCallbacks(
            lambda stored: self._replay(stored, cutoff), self._load_failed
        )
        self._ready = ready
        self._schedule_midnight()
        return ready

    def _replay(self, stored: Stored, cutoff: float) -> None:
        visits, periods, details = stored
        self._refresh_config()
        self.board.apply(stored_facts(visits, periods, details, cutoff=cutoff))
        early, self._early = self._early or [], None
        self._take(early)
        log.info("wallboard_replayed", visits=len(visits), periods=len(periods), live=len(early))

    def _load_failed(self, failure: Failure) -> None:
        # The live facts still count: a board without the morning beats no board.
        log.error("wallboard_records_unreadable", error=failure.getErrorMessage())
        early, self._early = self._early or [], None
        self._take(early)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for timer in (self._timer, self._midnight):
            if timer is not None and timer.active():
                timer.cancel()
        self._timer = self._midnight = None

    # -- facts ----------------------------------------------------------------------------
    def _on_fact(self, fact: Fact) -> None:
        if self._early is not None:
            self._early.append(fact)
        else:
            self._take([fact])

    def _take(self, facts: list[Fact]) -> None:
        if not facts:
            return
        if any(getattr(f, "queue", None) not in (None, *self.board.queue_names) for f in facts):
            self._refresh_config()  # app_queue learns queues from AMI as it goes
        self._dirty |= self.board.apply(facts)
        self._ask_crm()
        self._schedule()

    def _refresh_config(self) -> None:
        queues, agents = self._config()
        now = (tuple(queues), tuple(agents))
        if now != self._seen_config:
            self._seen_config = now
            self.board.reconfigure(*now)
            self._dirty |= {AGENTS, *self.board.queue_names}

    def _ask_crm(self) -> None:
        for call_id, number in self.board.callers_without_name():
            if call_id in self._asked:
                continue
            self._asked.add(call_id)
            found = self._database.run(lambda s, n=number: _customer(s, n))
            found.addCallbacks(lambda named, c=call_id: self._named(c, named), self._crm_failed)

    def _named(self, call_id: str, named: tuple[str, int] | None) -> None:
        if named is not None and (queue := self.board.name_customer(call_id, *named)):
            self._dirty.add(queue)
            self._schedule()

    def _crm_failed(self, failure: Failure) -> None:
        log.warning("wallboard_customer_lookup_failed", error=failure.getErrorMessage())

    # -- the new day ----------------------------------------------------------------------
    def _schedule_midnight(self) -> None:
        # "Today" starts again at local midnight even when no call comes: without this push
        # a quiet night would show yesterday's figures until the morning's first call.
        now = self._clock.seconds()
        self._midnight = self._clock.callLater(next_midnight(now, self._zone) - now, self._new_day)

    def _new_day(self) -> None:
        self._dirty |= {AGENTS, *self.board.queue_names}
        self._schedule()
        self._schedule_midnight()

    # -- pushing --------------------------------------------------------------------------
    def _schedule(self) -> None:
        if self._timer is not None or not self._dirty:
            return
        wait = max(0.0, self._last_flush + self._settings.push_interval_s - self._clock.seconds())
        self._timer = self._clock.callLater(wait, self._flush)

    def _flush(self) -> None:
        self._timer = None
        now = self._clock.seconds()
        self._last_flush = now
        self._refresh_config()
        dirty, self._dirty = self._dirty, set()
        if not self._sinks:
            return
        names = sorted(n for n in dirty if n in self.board.queue_names)
        queue_messages = {
            n: {
                "v": VERSION,
                "type": "queue",
                "now": now,
                "rate": self._rate,
                **self.board.queue_json(n, now),
            }
            for n in names
        }
        every_agent = self.board.agent_rows(now, None) if AGENTS in dirty else []
        for key, sinks in list(self._sinks.items()):
            visible = visibility_of(key)
            messages = [m for n, m in queue_messages.items() if visible is None or n in visible]
            if AGENTS in dirty:
                rows = [
                    row
                    for row in every_agent
                    if visible is None or any(q in visible for q in row["queues"])
                ]
                messages.append(
                    {"v": VERSION, "type": "agents", "now": now, "rate": self._rate, "agents": rows}
                )
            for sink in list(sinks):
                for message in messages:
                    _deliver(sink, message)

    # -- the transport's side -------------------------------------------------------------
    def subscribe(self, key: str, sink: Sink) -> Callable[[], None]:
        self._sinks.setdefault(key, []).append(sink)

        def unsubscribe() -> None:
            sinks = self._sinks.get(key, [])
            if sink in sinks:
                sinks.remove(sink)
            if not sinks:
                self._sinks.pop(key, None)

        return unsubscribe

    async def snapshot(self, key: str) -> dict[str, Any]:
        if self._ready is not None:
            await _settled(self._ready)
        now = self._clock.seconds()
        visible = visibility_of(key)
        return {
            "v": VERSION,
            "type": "snapshot",
            "now": now,
            "rate": self._rate,
            "push_interval_s": self._settings.push_interval_s,
            "queues": [self.board.queue_json(n, now) for n in self.board.visible_queues(visible)],
            "agents": self.board.agent_rows(now, visible),
        }


def next_midnight(now: float, zone: tzinfo) -> float:
    """Epoch seconds of the next local midnight in ``zone`` (a 23- or 25-hour day too)."""
    today = datetime.fromtimestamp(now, zone).date()
    return datetime.combine(today + timedelta(days=1), time(), zone).timestamp()


def _customer(session: Any, number: str) -> tuple[str, int] | None:
    customer = find_customer(session, "phone", number)
    return None if customer is None else (customer.name, customer.vip_level)


def _deliver(sink: Sink, message: dict[str, Any]) -> None:
    try:
        sink(message)
    except Exception:  # one broken socket must not starve the others
        log.exception("wallboard_sink_failed", type=message.get("type"))


def _settled(ready: Deferred[None]) -> Deferred[None]:
    """A Deferred that fires when ``ready`` has, without taking its result from it."""
    done: Deferred[None] = Deferred()

    def relay(result: object) -> object:
        done.callback(None)
        return result

    ready.addBoth(relay)
    return done
