"""AppQueueService: the tracker on an AMI link, facts to the hub and the store.

The scenario is the real capture ``scenario-6calls`` (app_queue end to end); its figures
are counted by hand in ``test_appqueue.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import Clock

from switchboard.cti.ami.pending import EventList
from switchboard.hub import Hub
from switchboard.queue.core.history import recompute
from switchboard.queue.shell.appqueue_service import AppQueueService
from switchboard.queue.store.records import load_history
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from tests.calls.replay import messages
from tests.calls.test_tracker import FakeAmi

SCENARIO = "scenario-6calls/ami-scenario-6calls"


def _threadless(tmp_path: Path) -> Database:
    url = make_url(f"sqlite:///{tmp_path / 'appqueue.sqlite'}")
    upgrade_database(url)
    runner: Callable[[Callable[[], Any]], Deferred[Any]] = lambda work: succeed(work())  # noqa: E731
    return Database(create_database_engine(url), None, runner=runner)


def _running(database: Database | None = None) -> tuple[Clock, FakeAmi, Hub, AppQueueService]:
    clock, ami, hub = Clock(), FakeAmi(), Hub()
    service = AppQueueService(ami, clock, hub, database=database)  # type: ignore[arg-type]
    service.startService()
    return clock, ami, hub, service


def _play(clock: Clock, ami: FakeAmi) -> None:
    for msg, wall in messages(SCENARIO):
        if msg.event and not msg.action_id:
            clock.advance(max(0.0, wall - clock.seconds()))
            ami.dispatch(msg)


def test_the_scenario_reaches_the_hub_topics_in_order() -> None:
    clock, ami, hub, service = _running()
    seen: list[tuple[str, Any]] = []
    for topic in ("fact", "offered", "agent_state", "queue_stats"):
        hub.subscribe(topic, lambda payload, t=topic: seen.append((t, payload)))
    _play(clock, ami)
    topics = Counter(t for t, _ in seen)
    # Five AgentCalled -> five pops; each right after its CallOffered fact.
    assert topics["offered"] == 5
    for index, (topic, payload) in enumerate(seen):
        if topic == "offered":
            assert type(seen[index - 1][1]).__name__ == "CallOffered"
            assert seen[index - 1][1].call_id == payload.call_id
    assert topics["queue_stats"] > 0 and topics["agent_state"] > 0
    last = {p.queue: p for t, p in seen if t == "queue_stats"}
    assert last["support"].windows["today"].abandoned == 1  # Frank
    service.stopService()
    assert ami.subscribers and all(not cbs for cbs in ami.subscribers.values())


def test_every_login_asks_queue_status_and_rebuilds_from_it() -> None:
    clock, ami, _hub, service = _running()
    clock.advance(1795369120.0)
    ami.logged_in()
    ((name, answer),) = ami.lists
    assert name == "QueueStatus"
    items = tuple(m for m, _ in messages(SCENARIO) if m.action_id == "sw-11" and m.event)
    answer.callback(EventList(items[0], items))
    # The listing of +14.008: Dan waits in support, Alice in sales; six members listed.
    waiting = {s.queue: s.waiting for s in service.queue_stats()}
    assert waiting == {"sales": 1, "support": 1}
    assert len(service.agent_stats()) == 6
    # A failed listing (link gone again) is logged; the next login asks again.
    ami.logged_in()
    ami.lists[-1][1].errback(RuntimeError("AMI not connected"))
    assert len(ami.lists) == 2


def test_stored_records_recompute_to_the_live_figures(tmp_path: Path) -> None:
    database = _threadless(tmp_path)
    clock, ami, _hub, service = _running(database)
    _play(clock, ami)
    assert service.flush().called
    with Session(database.engine) as session:
        visits, periods = load_history(session)
    now = clock.seconds()
    queues, agents = recompute(
        visits, periods, service.tracker.queues.values(), service.tracker.agents(), now
    )
    assert service.queue_stats() == queues
    assert service.agent_stats() == agents
    assert len(visits) == 5  # five QueueCallerJoin
    database.close()
