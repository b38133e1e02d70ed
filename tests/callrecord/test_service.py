"""The service's promises about the database: a refused batch is tried again, in order,
never written out of turn; a stop writes what it holds before it says it stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from structlog.testing import capture_logs
from twisted.internet.defer import Deferred, fail, maybeDeferred

from switchboard.callrecord import call_record_json
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from tests.callrecord.helpers import T0, Desk, channel, hangup

CALL = ("PJSIP/trunk-00000001", "1.1", "1.1")


class Flaky:
    """A runner whose first ``failures`` transactions the database refuses."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def __call__(self, work: Callable[[], Any]) -> Deferred[Any]:
        if self.failures:
            self.failures -= 1
            return fail(OperationalError("INSERT", {}, Exception("database is locked")))
        return maybeDeferred(work)


@pytest.fixture
def url(tmp_path: Any) -> Iterator[URL]:
    from sqlalchemy import make_url

    url = make_url(f"sqlite:///{tmp_path / 'records.sqlite'}")
    upgrade_database(url)
    yield url


def test_a_refused_batch_is_tried_again_and_later_ones_wait_behind_it(url: URL) -> None:
    database = Database(create_database_engine(url), None, runner=Flaky(2))
    desk = Desk(database)
    with capture_logs() as logs:
        desk.ami(channel(*CALL))
        desk.clock.advance(0)  # the first batch: refused
        desk.at(5.0)
        desk.ami(hangup(*CALL))  # the end waits behind the start
        desk.at(10.0)
    record = desk.record("1.1")
    assert (record["started_at"], record["ended_at"], record["end_reason"]) == (
        T0,
        T0 + 5,
        "hangup",
    )
    failed = [e for e in logs if e["event"] == "callrecord_write_failed"]
    assert [e["attempt"] for e in failed] == [1, 2]
    assert "database is locked" in failed[0]["error"]
    desk.stop()
    database.engine.dispose()


def test_a_stop_writes_what_it_holds_first(url: URL) -> None:
    database = Database(create_database_engine(url), None, runner=maybeDeferred)
    desk = Desk(database)
    desk.ami(channel(*CALL))  # not flushed yet: no reactor turn has passed
    desk.stop()
    [row] = desk.rows()
    assert (row.call_id, row.end_reason, row.ended_at) == ("1.1", "switchboard_stopped", None)
    database.engine.dispose()


class Slow:
    """A runner whose transactions finish only when the test says so."""

    def __init__(self) -> None:
        self.running: list[tuple[Callable[[], Any], Deferred[Any]]] = []

    def __call__(self, work: Callable[[], Any]) -> Deferred[Any]:
        done: Deferred[Any] = Deferred()
        self.running.append((work, done))
        return done

    def finish(self) -> None:
        work, done = self.running.pop(0)
        done.callback(work())


def test_what_comes_while_the_database_is_slow_goes_in_one_next_transaction(url: URL) -> None:
    slow = Slow()
    database = Database(create_database_engine(url), None, runner=slow)
    desk = Desk(database)
    desk.ami(channel(*CALL))
    desk.clock.advance(0)
    for second in range(1, 6):  # five turns' changes while the first batch is written
        desk.at(second)
        desk.ami(channel(f"PJSIP/10{second}-0a", f"1.{second + 1}", "1.1", kind="Newchannel"))
    assert len(slow.running) == 1
    slow.finish()
    assert len(slow.running) == 1  # the five turns together
    slow.finish()
    assert slow.running == []
    desk.database = Database(create_database_engine(url), None, runner=maybeDeferred)
    with Session(desk.database.engine) as session:
        assert len(call_record_json(session, "1.1")["legs"]) == 6  # type: ignore[index]
    database.engine.dispose()
