# -*- test-case-name: tests.browser.test_tickets -*-
"""The real web tier with the tickets pages, over a SQLite file, for the browser tests.

Nothing is faked but time: tickets are due on a clock the test sets
(``POST /_test/now {"now": epoch}``), so overdue and due soon do not depend on when the
test runs. ``POST /_test/tickets {"tickets": [{"at": epoch, "actor": …, …}]}`` opens
tickets as the crm does (each field of ``open_ticket``; ``at`` is its opening time) and
answers their ids. Users: ``boss`` (supervisor, zh-CN), ``root`` (admin, English) and
``wang`` (an agent with seat 1001), password :data:`PASSWORD`.

Run as ``python -m switchboard.testing.ticketsite --db FILE``: prints
``ticketsite listening on http://127.0.0.1:PORT`` and ends when standard input closes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, select
from sqlalchemy.orm import Session
from twisted.internet import stdio
from twisted.web.server import Request

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.records import WebUser
from switchboard.accounts.store import add_user
from switchboard.config import CrmSettings, LoggingSettings, WebSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.tickets import TicketPolicy, open_ticket
from switchboard.logs import configure_logging
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.testing.wallboardsite import CHEAP, _free_port, _StopWhenStdinCloses
from switchboard.web.customer_pages import customer_routes
from switchboard.web.service import build_web
from switchboard.web.tickets_pages import ticket_routes

__all__ = ["PASSWORD", "main"]

PASSWORD = "tickets test password"


def _users(session: Session) -> None:
    known = set(session.scalars(select(WebUser.username)))
    hashed = Passwords(CHEAP).hash(PASSWORD)
    for name, role, language, agent in (
        ("boss", Role.SUPERVISOR, "zh-CN", None),
        ("root", Role.ADMIN, "en", None),
        ("wang", Role.AGENT, "zh-CN", "1001"),
    ):
        if name not in known:
            add_user(
                session,
                name,
                hashed,
                role=role,
                display_name=name,
                language=language,
                agent_id=agent,
            )


def _body(request: Request) -> Any:
    return json.loads(request.content.read() if request.content is not None else b"{}")


def main(argv: list[str] | None = None) -> None:
    from twisted.internet import reactor as installed

    reactor: Any = installed
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.ticketsite")
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file (kept)")
    args = parser.parse_args(argv)
    configure_logging(LoggingSettings(level="warning"))  # stdout: the one ready line
    url = make_url(f"sqlite:///{args.db}")
    upgrade_database(url)
    database = Database(create_database_engine(url), reactor)
    policy = TicketPolicy.from_settings(CrmSettings())
    clock = {"now": reactor.seconds()}

    def answer(request: Request, value: object) -> bytes:
        request.setHeader(b"content-type", b"application/json")
        return json.dumps(value, ensure_ascii=False).encode()

    def test_routes(web: Any) -> None:
        def set_now(request: Request) -> bytes:
            clock["now"] = float(_body(request)["now"])
            return answer(request, clock)

        async def tickets(request: Request) -> bytes:
            body = _body(request)

            def work(session: Session) -> list[int]:
                made = []
                for item in body["tickets"]:
                    fields = dict(item)
                    at, actor = float(fields.pop("at")), str(fields.pop("actor", "boss"))
                    customer = fields.pop("customer", None)
                    if customer is not None:
                        fields["customer_id"] = add_customer(
                            session, customer["name"], {"phone": customer["phone"]}
                        ).id
                    made.append(open_ticket(session, policy, actor=actor, now=at, **fields)["id"])
                return made

            return answer(request, {"ids": await database.run(work)})

        web.app.route("/_test/now", methods=["POST"])(set_now)
        web.app.route("/_test/tickets", methods=["POST"])(tickets)

    port = _free_port()
    settings = WebSettings(port=port, origin=f"http://127.0.0.1:{port}")
    web = build_web(
        settings,
        reactor,
        database,
        hasher=CHEAP,
        extra_routes=(
            ticket_routes(database, policy, lambda: clock["now"]),
            customer_routes(database, None, lambda: clock["now"]),
            test_routes,
        ),
    )

    def start() -> None:
        database.run(_users)
        web.startService()
        web.listening().addCallback(
            lambda _: print(f"ticketsite listening on {settings.origin}", flush=True)
        )

    reactor.callWhenRunning(start)
    stdio.StandardIO(_StopWhenStdinCloses(reactor))
    reactor.run()
    database.close()


if __name__ == "__main__":
    main()
