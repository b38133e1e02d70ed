# -*- test-case-name: tests.browser.test_reports_page -*-
"""The real web tier with the reports page and the REST API, over a SQLite file, for the
browser tests. Calls are stored as the ACD stores them through ``POST /_test/facts``
(the wallboard site's form, :mod:`switchboard.testing.wallboardsite`; give each fact its
``at``); the page asks the real ``GET /api/v1/reports/{kind}``. Queues sales and support;
users ``boss`` (supervisor of sales) and ``root`` (admin), password :data:`PASSWORD`.

Run as ``python -m switchboard.testing.reportsite --db FILE [--now ISO]``: prints
``reportsite listening on http://127.0.0.1:PORT`` and ends when standard input closes.
``--now`` stops the reports' clock at that instant, so that a report reading "the weeks
before today" (the forecast) reads the same history on any day the test runs.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from twisted.internet import stdio
from twisted.web.server import Request

from switchboard.config import ReportSettings, WebSettings
from switchboard.queue.store.records import record_facts
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.testing.wallboardsite import (
    CHEAP,
    PASSWORD,
    QUEUES,
    _fact,
    _free_port,
    _StopWhenStdinCloses,
    _users,
)
from switchboard.web.api import RestBackends
from switchboard.web.reports_page import reports_routes
from switchboard.web.service import build_web

__all__ = ["PASSWORD", "main"]


# A site's own word for a shipped reason, as [queues] pause_reason_labels gives it: the
# agent report's "Not ready: lunch" column must use it (zh-CN) and keep the shipped
# translation where the site gave none (en).
SITE_LABELS = {"pause_reason.": {"lunch": {"zh-CN": "午休"}}}


def main(argv: list[str] | None = None) -> None:
    from twisted.internet import reactor as installed

    reactor: Any = installed
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.reportsite")
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file (kept)")
    parser.add_argument(
        "--now", type=datetime.fromisoformat, help="the reports' fixed clock (ISO with offset)"
    )
    args = parser.parse_args(argv)
    url = make_url(f"sqlite:///{args.db}")
    upgrade_database(url)
    database = Database(create_database_engine(url), reactor)
    settings_reports = ReportSettings()

    def test_routes(web: Any) -> None:
        async def facts(request: Request) -> bytes:
            body = json.loads(request.content.read() if request.content else b"{}")
            told = [_fact(item, reactor.seconds()) for item in body.get("facts", [])]
            await database.run(lambda session: record_facts(session, told))
            request.setHeader(b"content-type", b"application/json")
            return json.dumps({"published": len(told)}).encode()

        web.app.route("/_test/facts", methods=["POST"], endpoint="test_facts")(facts)

    port = _free_port()
    settings = WebSettings(port=port, origin=f"http://127.0.0.1:{port}")
    web = build_web(
        settings,
        reactor,
        database,
        hasher=CHEAP,
        rest=RestBackends(
            database,
            (lambda: args.now.timestamp()) if args.now else reactor.seconds,
            reports=settings_reports,
        ),
        extra_routes=(
            reports_routes(settings_reports, lambda: [q.name for q in QUEUES]),
            test_routes,
        ),
        site_labels=SITE_LABELS,
    )

    def start() -> None:
        def serve(_: object) -> None:
            web.startService()
            web.listening().addCallback(
                lambda _: print(f"reportsite listening on {settings.origin}", flush=True)
            )

        database.run(_users).addCallback(serve)  # the users exist before anyone logs in

    reactor.callWhenRunning(start)
    stdio.StandardIO(_StopWhenStdinCloses(reactor))
    reactor.run()
    database.close()


if __name__ == "__main__":
    main()
