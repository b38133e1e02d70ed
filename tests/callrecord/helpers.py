"""A call records service on a migrated database, fed through a hub by a real call model
(hand-written AMI events, tests/calls' builders) and by router facts, on a task.Clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.callrecord import call_record_json
from switchboard.callrecord.models import CallLegRow, CallRecordRow
from switchboard.callrecord.service import CallRecordService
from switchboard.cti.ami.frames import Message
from switchboard.cti.calls import CallModel, CallsResynced
from switchboard.hub import CALL, FACT, Hub
from switchboard.queue.core.decisions import Fact
from switchboard.store.db import Database
from tests.calls.test_model import channel, event, hangup, listed

T0 = 1795521600.0  # 2026-11-24 12:00 UTC

__all__ = ["T0", "Desk", "channel", "event", "hangup", "listed"]


class Desk:
    """One switchboard's hub, call model and call records service (``restart`` makes a
    fresh one on the same database and clock, as a new process would)."""

    def __init__(self, database: Database, clock: Clock | None = None) -> None:
        self.database = database
        self.clock = clock or Clock()
        if clock is None:
            self.clock.advance(T0)
        self.runs = 0
        self._start()

    def _start(self) -> None:
        self.hub = Hub()
        self.model = CallModel()
        self.service = CallRecordService(self.hub, self.database, self.clock, self.clock)
        self.service.startService()

    def at(self, offset_s: float) -> None:
        """Move the clock to ``T0 + offset_s`` (timers fire on the way)."""
        self.clock.advance(T0 + offset_s - self.clock.seconds())

    def ami(self, *messages: Message) -> None:
        for msg in messages:
            for change in self.model.feed(msg, self.clock.seconds()):
                self.hub.publish(CALL, change)

    def resync(self, *items: Message) -> None:
        self.model.begin_resync()
        at = self.clock.seconds()
        for change in self.model.resync(list(items), at):
            self.hub.publish(CALL, change)
        live = tuple(c.call_id for c in self.model.live_calls())
        self.hub.publish(CALL, CallsResynced(live, at))

    def facts(self, *facts: Fact) -> None:
        for fact in facts:
            self.hub.publish(FACT, fact)

    def written(self) -> None:
        done: list[object] = []
        self.service.written().addBoth(done.append)
        self.clock.advance(0)
        assert done == [None], done

    def stop(self) -> None:
        done: list[object] = []
        self.service.stopService().addBoth(done.append)
        assert done == [None], done

    def restart(self) -> None:
        """A clean stop, then a new switchboard (its model knows nothing yet)."""
        self.stop()
        self._start()

    def crash(self) -> None:
        """A killed process: what was written stays; nothing more is, no stop note."""
        self.written()
        self.service.book.__init__()  # type: ignore[misc]  # forgets its calls
        self.stop()
        self._start()

    def record(self, call_id: str) -> dict[str, Any]:
        self.written()
        with Session(self.database.engine) as session:
            found = call_record_json(session, call_id)
        assert found is not None, f"no record of {call_id}"
        return found

    def rows(self) -> list[CallRecordRow]:
        self.written()
        with Session(self.database.engine) as session:
            return list(session.scalars(select(CallRecordRow).order_by(CallRecordRow.call_id)))

    def legs(self, call_id: str) -> list[CallLegRow]:
        self.written()
        with Session(self.database.engine) as session:
            statement = select(CallLegRow).where(CallLegRow.call_id == call_id)
            return list(session.scalars(statement.order_by(CallLegRow.uniqueid)))


def counting_runner(calls: list[int]) -> Callable[[Callable[[], Any]], Deferred[Any]]:
    from twisted.internet.defer import maybeDeferred

    def run(work: Callable[[], Any]) -> Deferred[Any]:
        calls.append(1)
        return maybeDeferred(work)

    return run
