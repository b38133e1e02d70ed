# -*- test-case-name: tests.browser.test_wallboard -*-
"""The real web tier with the real wallboard, over a SQLite file, for the browser tests.

Unlike the seat's stand-in, nothing here is faked but the PBX: ``build_web`` serves the
page and ``/ws/wallboard`` from a :class:`~switchboard.wallboard.WallboardFeed` on the
reactor, over a migrated database. A test plays the ACD through ``POST /_test/facts``
(``{"facts": [{"kind": "CallQueued", "fields": {...}}]}``; ``at`` defaults to now): each
fact is published on the hub and stored as the ACD stores it, so a second process on the
same file (a restart) reads the day back. Two queues, sales and support; users ``boss``
(supervisor of sales only) and ``root`` (admin), password :data:`PASSWORD`.

Run as ``python -m switchboard.testing.wallboardsite --db FILE``: prints
``wallboardsite listening on http://127.0.0.1:PORT`` and ends when standard input closes.
"""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session
from twisted.internet import stdio
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure
from twisted.web.server import Request

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.records import WebUser
from switchboard.accounts.store import add_user
from switchboard.config import WebSettings
from switchboard.config.model import WallboardSettings
from switchboard.hub import FACT, Hub
from switchboard.hub.jsonform import from_fields
from switchboard.queue.core import decisions
from switchboard.queue.core.model import Agent, Queue
from switchboard.queue.store.records import record_facts
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.wallboard.feed import WallboardFeed
from switchboard.web.service import build_web
from switchboard.web.wallboard_ws.page import wallboard_routes

__all__ = ["PASSWORD", "main"]

PASSWORD = "wallboard test password"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
QUEUES = (Queue("sales", service_level_s=20.0), Queue("support", service_level_s=30.0))
AGENTS = (
    Agent("1001", name="王小明", queues=("sales",)),
    Agent("1002", name="Li Na", queues=("support",)),
)
FACT_KINDS = {"CallQueued", "CallAnswered", "QueueLeft", "CallHandled", "AgentStateChanged"}


def _users(session: Session) -> None:
    known = set(session.scalars(select(WebUser.username)))
    hashed = Passwords(CHEAP).hash(PASSWORD)
    if "boss" not in known:
        add_user(
            session, "boss", hashed, role=Role.SUPERVISOR, display_name="Boss", queues=("sales",)
        )
    if "root" not in known:
        add_user(session, "root", hashed, role=Role.ADMIN, display_name="Root", language="en")


def _fact(item: Any, now: float) -> decisions.Fact:
    kind, fields = item.get("kind"), dict(item.get("fields") or {})
    if kind not in FACT_KINDS:
        raise ValueError(f"kind must be one of {sorted(FACT_KINDS)}, not {kind!r}")
    fields.setdefault("at", now)
    if kind == "CallQueued":
        fields.setdefault("enqueued_at", fields["at"])
    fact: decisions.Fact = from_fields(getattr(decisions, kind), fields, kind)
    return fact


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _StopWhenStdinCloses(Protocol):
    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    def connectionLost(self, reason: Failure | None = None) -> None:
        self.reactor.stop()


def main(argv: list[str] | None = None) -> None:
    from twisted.internet import reactor as installed

    reactor: Any = installed
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.wallboardsite")
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file (kept)")
    args = parser.parse_args(argv)
    url = make_url(f"sqlite:///{args.db}")
    upgrade_database(url)
    database = Database(create_database_engine(url), reactor)
    hub = Hub()
    feed = WallboardFeed(
        hub,
        reactor,
        database,
        WallboardSettings(),
        timezone=ZoneInfo("Asia/Shanghai"),
        config=lambda: (QUEUES, AGENTS),
    )

    def test_routes(web: Any) -> None:
        async def facts(request: Request) -> bytes:
            body = json.loads(request.content.read() if request.content else b"{}")
            now = reactor.seconds()
            told = [_fact(item, now) for item in body.get("facts", [])]
            await database.run(lambda session: record_facts(session, told))
            for fact in told:
                hub.publish(FACT, fact)
            request.setHeader(b"content-type", b"application/json")
            return json.dumps({"published": len(told)}).encode()

        web.app.route("/_test/facts", methods=["POST"])(facts)

    port = _free_port()
    settings = WebSettings(port=port, origin=f"http://127.0.0.1:{port}")
    web = build_web(
        settings,
        reactor,
        database,
        hasher=CHEAP,
        extra_routes=(wallboard_routes(feed, reactor), test_routes),
    )

    def start() -> None:
        database.run(_users).addCallback(lambda _: feed.start())
        web.startService()
        web.listening().addCallback(
            lambda _: print(f"wallboardsite listening on {settings.origin}", flush=True)
        )

    reactor.callWhenRunning(start)
    stdio.StandardIO(_StopWhenStdinCloses(reactor))
    reactor.run()
    database.close()


if __name__ == "__main__":
    main()
