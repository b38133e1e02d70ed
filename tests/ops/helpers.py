"""Ops sources whose AMI, FastAGI and database a test switches on and off."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.task import Clock

from switchboard.config import WebSettings
from switchboard.ops import Health, Metrics, OpsSources
from switchboard.queue.core.stats import LiveStats
from switchboard.store import Database
from switchboard.store.db import create_database_engine
from switchboard.web.api import RestBackends
from switchboard.web.service import WebService, build_web
from tests.web.api.helpers import AGENTS, QUEUES
from tests.web.browser import Browser
from tests.web.stack import CHEAP, migrated_copy


@dataclass
class Switches:
    ami: bool = True
    agi: bool = True
    database: str = "up"  # "up", "error" or "hung"
    agi_active: int = 0
    websockets: int = 0
    hung: list[Deferred[Any]] = field(default_factory=list)


@dataclass
class OpsStack:
    web: WebService
    clock: Clock
    switches: Switches
    stats: LiveStats
    metrics: Metrics
    health: Health

    def get(self, path: str) -> Any:
        return Browser(self.web.site).get(path)


def make_ops_stack(tmp_path: Path) -> OpsStack:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db_file = migrated_copy(tmp_path, tmp_path.parent)
    switches = Switches()
    clock = Clock()
    clock.advance(1_800_000_000)

    def runner(work: Any) -> Deferred[Any]:
        if switches.database == "error":
            return fail(ConnectionRefusedError("connection refused"))
        if switches.database == "hung":
            waiting: Deferred[Any] = Deferred()
            switches.hung.append(waiting)
            return waiting
        return succeed(work())

    database = Database(
        create_database_engine(make_url(f"sqlite:///{db_file}")), None, runner=runner
    )
    stats = LiveStats(QUEUES, AGENTS)
    sources = OpsSources(
        database,
        clock,
        ami_connected=lambda: switches.ami,
        agi_listening=lambda: switches.agi,
        agi_active=lambda: switches.agi_active,
        queues=lambda: stats.queues(clock.seconds()),
        websocket_clients=lambda: switches.websockets,
    )
    metrics, health = Metrics(sources), Health(sources)
    rest = RestBackends(database, clock.seconds, health=health, metrics=metrics)
    web = build_web(WebSettings(), clock, database, hasher=CHEAP, rest=rest)
    return OpsStack(web, clock, switches, stats, metrics, health)
