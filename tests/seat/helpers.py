"""A seat on a real database (SQLite/PostgreSQL, migrated) with the database's work held
until the test lets it run: so a test sees what the agent sees before the database answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import URL
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.task import Clock

from switchboard.accounts.model import Role, User
from switchboard.config import SeatSettings
from switchboard.hub import Hub
from switchboard.queue.core.model import AgentState
from switchboard.queue.shell.control import AgentControlError, AgentView
from switchboard.seat.access import CustomerAccess
from switchboard.seat.actions import LiveSeatActions
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.reveal import RevealableValues
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine

NOON = 1795521600.0  # 2026-11-24 12:00 UTC (20:00 in Shanghai), a Tuesday
SETTINGS = SeatSettings(queue_dispositions={"support": ("resolved", "escalated")})


class HeldWork:
    """A ``Database`` runner: work waits until :meth:`release` (or runs at once if ``auto``)."""

    def __init__(self) -> None:
        self.auto = True
        self.waiting: list[tuple[Callable[[], Any], Deferred[Any]]] = []

    def __call__(self, work: Callable[[], Any]) -> Deferred[Any]:
        if self.auto:
            return maybeDeferred(work)
        done: Deferred[Any] = Deferred()
        self.waiting.append((work, done))
        return done

    def release(self) -> None:
        waiting, self.waiting = self.waiting, []
        for work, done in waiting:
            maybeDeferred(work).chainDeferred(done)


def migrated(url: URL, runner: HeldWork) -> Iterator[Database]:
    upgrade_database(url)
    database = Database(create_database_engine(url), None, runner=runner)
    yield database
    database.engine.dispose()


def write(database: Database, work: Callable[[Session], Any]) -> Any:
    with Session(database.engine) as session, session.begin():
        return work(session)


def user(agent_id: str | None = "1001", username: str = "wang") -> User:
    return User(1, username, username.title(), Role.AGENT, agent_id, "zh-CN")


class Sink(list[dict[str, Any]]):
    def types(self) -> list[str]:
        return [m["type"] for m in self]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self if m["type"] == kind]


@dataclass
class FakeControl:
    """Agent control that records the commands (the fake has finish_wrapup, as the seat's)."""

    clock: Clock
    states: dict[str, AgentState] = field(default_factory=dict)
    commands: list[tuple[str, ...]] = field(default_factory=list)
    refuse: AgentControlError | None = None

    def _view(self, agent_id: str, reason: str = "") -> AgentView:
        if agent_id not in self.states:
            raise AgentControlError("unknown_agent", f"no agent {agent_id!r}", list(self.states))
        return AgentView(
            agent_id,
            f"Agent {agent_id}",
            f"PJSIP/{agent_id}",
            self.states[agent_id],
            reason,
            self.clock.seconds(),
            ("sales",),
        )

    async def _run(self, agent_id: str, state: AgentState, *command: str) -> AgentView:
        self.commands.append((*command, agent_id))
        if self.refuse is not None:
            raise self.refuse
        self._view(agent_id)
        self.states[agent_id] = state
        return self._view(agent_id, command[1] if len(command) > 1 else "")

    async def agents(self) -> list[AgentView]:
        return [self._view(a) for a in sorted(self.states)]

    async def agent(self, agent_id: str) -> AgentView:
        return self._view(agent_id)

    async def log_in(self, agent_id: str, ready: bool = False, queues: Any = ()) -> AgentView:
        return await self._run(agent_id, AgentState.NOT_READY, "log_in")

    async def ready(self, agent_id: str) -> AgentView:
        return await self._run(agent_id, AgentState.READY, "ready")

    async def pause(self, agent_id: str, reason: str = "break") -> AgentView:
        return await self._run(agent_id, AgentState.NOT_READY, "pause", reason)

    async def log_out(self, agent_id: str) -> AgentView:
        return await self._run(agent_id, AgentState.LOGGED_OUT, "log_out")

    async def finish_wrapup(self, agent_id: str) -> AgentView:
        return await self._run(agent_id, AgentState.READY, "finish_wrapup")


@dataclass
class Seat:
    """A feed and actions sharing one hub, clock, database and customer access."""

    hub: Hub
    clock: Clock
    database: Database
    runner: HeldWork
    control: FakeControl
    feed: LiveSeatFeed
    actions: LiveSeatActions

    def sink(self, agent_id: str) -> Sink:
        sink = Sink()
        self.feed.subscribe(agent_id, sink.append)
        return sink


def make_seat(
    database: Database,
    runner: HeldWork,
    settings: SeatSettings = SETTINGS,
    wrap_up_s: dict[str, float] | None = None,
) -> Seat:
    hub, clock = Hub(), Clock()
    clock.advance(NOON)
    control = FakeControl(clock, {"1001": AgentState.LOGGED_OUT, "1002": AgentState.LOGGED_OUT})
    access, revealable = CustomerAccess(), RevealableValues()
    feed = LiveSeatFeed(
        hub,
        clock,
        database,
        settings,
        timezone=ZoneInfo("Asia/Shanghai"),
        pause_reasons=("break", "lunch"),
        access=access,
        agents=control,
        revealable=revealable,
        wrap_up_s=(wrap_up_s or {}).get,
    )
    feed.start()
    actions = LiveSeatActions(control, database, settings, clock, access, revealable, hub=hub)
    return Seat(hub, clock, database, runner, control, feed, actions)
