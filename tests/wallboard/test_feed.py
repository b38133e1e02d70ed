"""The feed on a migrated database: today's records at start, the hub's facts after,
throttled pushes, each viewer's queues only, and the CRM's names for callers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL
from twisted.internet.defer import ensureDeferred
from twisted.internet.task import Clock

from switchboard.config.model import WallboardSettings
from switchboard.crm.directory import add_customer
from switchboard.hub import FACT, Hub
from switchboard.queue.core.decisions import CallAnswered, CallQueued, Fact
from switchboard.queue.shell.clock import ScaledClock
from switchboard.queue.store.records import record_facts
from switchboard.store import Database
from switchboard.wallboard.feed import WallboardFeed, next_midnight, viewer_key
from tests.seat.helpers import HeldWork, migrated, write
from tests.wallboard.scenario import AGENTS, DAY, QUEUES, T, morning

NOW = T + 1000


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    yield from migrated(database_url, HeldWork())


def feed_at(database: Database, now: float, hub: Hub | None = None) -> tuple[WallboardFeed, Clock]:
    clock = Clock()
    clock.advance(now)
    feed = WallboardFeed(
        hub or Hub(),
        clock,
        database,
        WallboardSettings(),
        timezone=ZoneInfo("Asia/Shanghai"),
        config=lambda: (QUEUES, AGENTS),
    )
    feed.start()
    return feed, clock


def snapshot(feed: WallboardFeed, key: str = "all") -> dict[str, Any]:
    result: list[dict[str, Any]] = []
    ensureDeferred(feed.snapshot(key)).addCallback(result.append)
    assert result, "the snapshot did not complete"
    return result[0]


def store(database: Database, facts: list[Fact]) -> None:
    write(database, lambda session: record_facts(session, facts))


def publish(hub: Hub, *facts: Fact) -> None:
    for fact in facts:
        hub.publish(FACT, fact)


def test_a_restarted_switchboard_shows_the_same_day_as_before(database: Database) -> None:
    hub = Hub()
    first, clock = feed_at(database, T - 60, hub)
    publish(hub, *morning())  # heard live ...
    store(database, morning())  # ... and stored, as the ACD does
    clock.advance(NOW - clock.seconds())
    before = snapshot(first)
    first.stop()
    second, _ = feed_at(database, NOW)  # the next process: only the records
    after = snapshot(second)
    assert after == before
    sales = next(q for q in after["queues"] if q["queue"] == "sales")
    assert sales["tile"]["offered"] == 5 and sales["tile"]["waiting"] == 2


def test_facts_from_before_the_start_come_from_the_records_and_later_ones_from_the_hub(
    database: Database,
) -> None:
    store(database, morning())
    hub = Hub()
    feed, clock = feed_at(database, NOW, hub)
    publish(hub, CallAnswered("c6", "sales", "1001", NOW + 1, 51.0))
    clock.advance(1)
    sales = snapshot(feed)["queues"][0]
    assert sales["tile"]["answered"] == 2  # c1 from the records, c6 live: once each
    assert [c["call_id"] for c in sales["waiting"]] == ["c7"]


def test_deltas_are_throttled_to_one_per_queue_per_interval(database: Database) -> None:
    hub = Hub()
    feed, clock = feed_at(database, T, hub)
    got: list[dict[str, Any]] = []
    feed.subscribe("all", got.append)
    for i in range(20):
        publish(hub, CallQueued(f"x{i}", "sales", T + i * 0.01, T + i * 0.01))
    clock.advance(0)
    assert [(m["type"], m["queue"], m["tile"]["waiting"]) for m in got] == [("queue", "sales", 20)]
    publish(hub, CallQueued("y", "sales", T + 0.5, T + 0.5))
    clock.advance(0.4)
    assert len(got) == 1  # not before a second has passed since the last push
    clock.advance(0.6)
    assert got[-1]["tile"]["waiting"] == 21


def test_a_supervisor_is_sent_only_their_queues(database: Database) -> None:
    hub = Hub()
    feed, clock = feed_at(database, T, hub)
    support_only: list[dict[str, Any]] = []
    feed.subscribe(viewer_key(["support"]), support_only.append)
    publish(hub, *morning())
    clock.advance(1)
    assert {m.get("queue") for m in support_only if m["type"] == "queue"} == {"support"}
    agents = next(m for m in support_only if m["type"] == "agents")["agents"]
    assert {a["agent_id"] for a in agents} == {"1002", "1003"}
    view = snapshot(feed, viewer_key(["support"]))
    assert [q["queue"] for q in view["queues"]] == ["support"]
    assert [q["queue"] for q in snapshot(feed, viewer_key([]))["queues"]] == []


def test_a_waiting_caller_known_to_the_crm_is_shown_by_name(database: Database) -> None:
    write(
        database,
        lambda s: add_customer(s, "张伟", {"phone": "138 0013 8000"}, vip_level=2),
    )
    hub = Hub()
    feed, clock = feed_at(database, T, hub)
    publish(hub, CallQueued("c1", "sales", T, T, 0, "+86 13800138000"))
    clock.advance(1)
    caller = snapshot(feed)["queues"][0]["waiting"][0]
    assert (caller["customer"], caller["vip_tier"]) == ("张伟", 2)


def test_every_message_says_the_clocks_time_and_rate(database: Database) -> None:
    # A demo's clock: a fixed date, 60 of its seconds per real one; the page ticks at that.
    real, hub = Clock(), Hub()
    demo = ScaledClock(real, speed=60.0, epoch=T)
    feed = WallboardFeed(
        hub, demo, database, WallboardSettings(), timezone=ZoneInfo("Asia/Shanghai"),
        config=lambda: (QUEUES, AGENTS),
    )  # fmt: skip
    feed.start()
    got: list[dict[str, Any]] = []
    feed.subscribe("all", got.append)
    real.advance(1)
    publish(hub, CallQueued("x", "sales", T + 60, T + 60))
    real.advance(1)

    assert (snapshot(feed)["now"], snapshot(feed)["rate"]) == (T + 120, 60.0)
    assert [(m["type"], m["now"], m["rate"]) for m in got] == [("queue", T + 120, 60.0)]


def test_the_board_starts_a_new_day_at_midnight_without_waiting_for_a_call(
    database: Database,
) -> None:
    hub = Hub()
    feed, clock = feed_at(database, T, hub)
    got: list[dict[str, Any]] = []
    feed.subscribe("all", got.append)
    publish(hub, *morning())
    clock.advance(1)
    assert snapshot(feed)["queues"][0]["tile"]["offered"] == 5
    got.clear()
    shanghai_midnight = DAY + 16 * 3600  # 00:00 at UTC+8
    clock.advance(shanghai_midnight - clock.seconds() - 1)  # 23:59:59, nothing happens
    assert got == []
    clock.advance(1)  # local midnight in Shanghai: every viewer is sent the new day
    tiles = {m["queue"]: m["tile"] for m in got if m["type"] == "queue"}
    assert set(tiles) == set(feed.board.queue_names)
    assert tiles["sales"]["offered"] == 0 and any(m["type"] == "agents" for m in got)
    got.clear()
    clock.advance(24 * 3600)  # and again the next night
    assert {m["queue"] for m in got if m["type"] == "queue"} == set(feed.board.queue_names)


@pytest.mark.parametrize(
    ("local_day", "hours"), [((2026, 3, 29), 23), ((2026, 10, 25), 25), ((2026, 6, 1), 24)]
)
def test_the_next_midnight_is_local_across_a_clock_change(
    local_day: tuple[int, int, int], hours: int
) -> None:
    london = ZoneInfo("Europe/London")
    start = datetime(*local_day, tzinfo=london).timestamp()
    assert next_midnight(start, london) - start == hours * 3600
    assert next_midnight(start + 3600 * 5.5, london) - start == hours * 3600
