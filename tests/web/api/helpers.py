"""The web tier with the REST API over a migrated SQLite file on a fake clock: an
in-memory agent control (the ACD's rules, in small), real LiveStats fed facts, and
API tokens made straight in the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import URL, make_url
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.task import Clock

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user
from switchboard.config import Settings, WebSettings
from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.values import Call, ChannelView
from switchboard.queue.core.decisions import AgentStateChanged, CallQueued, Rejected
from switchboard.queue.core.events import CallArrived, Event
from switchboard.queue.core.model import Agent, AgentState, Queue, WaitingCall
from switchboard.queue.core.router import Router
from switchboard.queue.core.stats import LiveStats
from switchboard.queue.shell.call_control import AcdCallControl
from switchboard.queue.shell.control import (
    AgentControlError,
    AgentView,
    check_reason,
    unknown_agent,
)
from switchboard.seat.access import CustomerAccess
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.supervise.monitor import Monitors
from switchboard.web.api import RestBackends
from switchboard.web.api.crm_routes import crm_backends
from switchboard.web.api.tokens import create_token
from switchboard.web.service import WebService, build_web
from tests.web.browser import Browser, Response
from tests.web.stack import CHEAP, PASSWORD, migrated_copy

QUEUES = (Queue("sales", service_level_s=20.0), Queue("support", service_level_s=30.0))
AGENTS = (
    Agent("1001", "Li Na", "PJSIP/1001", queues=("sales",)),
    Agent("2001", "Wang Fang", "PJSIP/2001", queues=("support",)),
)


@dataclass
class FakeAgents:
    """AgentControl in memory: the states and refusals an operator meets."""

    now: Any
    views: dict[str, AgentView] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for a in AGENTS:
            self.views[a.id] = AgentView(
                a.id, a.name, a.device, AgentState.LOGGED_OUT, "", 0.0, a.queues
            )

    def _known(self, agent_id: str) -> AgentView:
        if agent_id not in self.views:
            raise unknown_agent(agent_id, self.views)
        return self.views[agent_id]

    def _set(self, agent_id: str, state: AgentState, reason: str = "") -> AgentView:
        view = replace(self._known(agent_id), state=state, reason=reason, since=self.now())
        self.views[agent_id] = view
        return view

    async def agents(self) -> list[AgentView]:
        return [self.views[k] for k in sorted(self.views)]

    async def agent(self, agent_id: str) -> AgentView:
        return self._known(agent_id)

    async def log_in(
        self, agent_id: str, ready: bool = False, queues: Sequence[str] = ()
    ) -> AgentView:
        if self._known(agent_id).state is not AgentState.LOGGED_OUT:
            raise AgentControlError("refused", f"agent {agent_id} is logged in already")
        return self._set(
            agent_id, AgentState.READY if ready else AgentState.NOT_READY, "" if ready else "login"
        )

    async def ready(self, agent_id: str) -> AgentView:
        if self._known(agent_id).state is AgentState.LOGGED_OUT:
            raise AgentControlError("refused", f"agent {agent_id} is logged out; log in first")
        return self._set(agent_id, AgentState.READY)

    async def pause(self, agent_id: str, reason: str = "break") -> AgentView:
        self._known(agent_id)
        return self._set(agent_id, AgentState.NOT_READY, check_reason(reason))

    async def log_out(self, agent_id: str) -> AgentView:
        return self._set(agent_id, AgentState.LOGGED_OUT)

    async def finish_wrapup(self, agent_id: str) -> AgentView:
        if self._known(agent_id).state is not AgentState.WRAP_UP:
            raise AgentControlError("refused", f"agent {agent_id} is not in wrap-up")
        return self._set(agent_id, AgentState.READY)


AGENT_CHANNEL = "PJSIP/1001-0000002a"
RECORDINGS = {"c1": "/var/spool/asterisk/monitor/sales-c1.wav"}  # what the call model knows


@dataclass
class FakeAmi:
    """Records what is sent; ``refuse`` fails the next send; ``emit`` plays an event."""

    sent: list[Any] = field(default_factory=list)
    refuse: Exception | None = None
    subscribers: dict[str, list[Any]] = field(default_factory=dict)

    def send(self, action: Any, *, timeout_s: float | None = None) -> Deferred[Any]:
        self.sent.append(action)
        if self.refuse is not None:
            error, self.refuse = self.refuse, None
            return fail(error)
        return succeed(Message([("Response", "Success")]))

    def subscribe(self, event_name: str, callback: Any) -> Any:
        self.subscribers.setdefault(event_name, []).append(callback)
        return lambda: self.subscribers[event_name].remove(callback)

    def emit(self, event: str, **headers: str) -> None:
        message = Message([("Event", event), *headers.items()])
        for callback in list(self.subscribers.get(event, ())):
            callback(message)


@dataclass
class RouterAcd:
    """The ACD as :class:`AcdCallControl` drives it: a real router on the stack's clock."""

    clock: Clock
    router: Router = field(default_factory=lambda: Router(QUEUES, AGENTS))

    def command(self, event: Event) -> str:
        out = self.router.handle(event, self.clock.seconds())
        return next((c.reason for c in out.commands if isinstance(c, Rejected)), "")

    def caller_waits(self, call_id: str, queue: str) -> None:
        assert not self.command(CallArrived(WaitingCall(call_id, queue, self.clock.seconds())))


@dataclass
class ApiStack:
    web: WebService
    clock: Clock
    database: Database
    agents: FakeAgents
    stats: LiveStats
    ami: FakeAmi
    calls: list[Call]
    monitors: Monitors
    acd: RouterAcd
    access: CustomerAccess

    def run(self, work: Any) -> Any:
        result: list[Any] = []
        self.database.run(work).addCallback(result.append)
        return result[0]

    def add_user(
        self, username: str, role: Role, *, queues: Sequence[str] = (), agent_id: str | None = None
    ) -> None:
        hashed = Passwords(CHEAP).hash(PASSWORD)
        self.run(
            lambda s: add_user(s, username, hashed, role=role, agent_id=agent_id, queues=queues)
        )

    def token(self, *scopes: str, queues: Sequence[str] = ()) -> str:
        def work(session: Session) -> str:
            return create_token(session, "ci", scopes, self.clock.seconds(), queues=queues)[0]

        secret: str = self.run(work)
        return secret

    def browser(self) -> Browser:
        return Browser(self.web.site)

    def logged_in(self, username: str) -> tuple[Browser, str]:
        browser = self.browser()
        assert browser.log_in(username, PASSWORD).status == 303
        return browser, browser.get("/account").meta("csrf-token")

    def bearer(self, token: str, method: str, path: str, body: Any = None) -> Response:
        import json

        data = b"" if body is None else json.dumps(body).encode()
        return self.browser().request(
            method, path, body=data, headers={"Authorization": f"Bearer {token}"}
        )

    def agent_on_call(self) -> None:
        """Agent 1001 (PJSIP/1001) talks to a caller."""
        channels = (
            ChannelView("PJSIP/trunk-00000029", "1.1", "Up"),
            ChannelView(AGENT_CHANNEL, "1.2", "Up"),
        )
        self.calls.append(Call("1.1", channels=channels))

    def queue_call(self, call_id: str, queue: str) -> None:
        now = self.clock.seconds()
        self.stats.apply([CallQueued(call_id, queue, now, now, caller_number="5550101")])

    def agent_changed(self, agent_id: str, state: AgentState) -> None:
        self.stats.apply(
            [AgentStateChanged(agent_id, self.clock.seconds(), state, AgentState.LOGGED_OUT)]
        )


def make_api_stack(
    tmp_path: Path, *, with_backends: bool = True, url: URL | None = None
) -> ApiStack:
    """``url``: an empty database to migrate and use (PostgreSQL), else a SQLite copy."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if url is None:
        url = make_url(f"sqlite:///{migrated_copy(tmp_path, tmp_path.parent)}")
    else:
        upgrade_database(url)
    database = Database(
        create_database_engine(url),
        None,
        runner=lambda work: succeed(work()),
    )
    clock = Clock()
    clock.advance(1_800_000_000)
    agents = FakeAgents(clock.seconds)
    stats = LiveStats(QUEUES, AGENTS)
    ami = FakeAmi()
    calls: list[Call] = []
    monitors = Monitors(ami, lambda: calls, database, clock.seconds)
    monitors.start()
    acd = RouterAcd(clock)
    access = CustomerAccess()  # the seat's: what each agent may read
    rest = RestBackends(
        database,
        clock.seconds,
        agents=agents,
        stats=stats,
        queue_config=lambda: {q.name: q for q in QUEUES},
        monitors=monitors,
        recording_of=lambda call_id: RECORDINGS.get(call_id),
        calls=AcdCallControl(acd),  # type: ignore[arg-type]  # the router is all it reads
        crm=crm_backends(Settings(), access),
    )
    web = build_web(
        WebSettings(), clock, database, hasher=CHEAP, rest=rest if with_backends else None
    )
    return ApiStack(web, clock, database, agents, stats, ami, calls, monitors, acd, access)
