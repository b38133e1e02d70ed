# -*- test-case-name: tests.browser.test_seat_e2e,tests.browser.test_forbidden_live -*-
"""The whole call centre for end-to-end tests, in its own process, on 127.0.0.1.

What runs is the demo's site (:func:`~switchboard.demo.site.start_site`: the simulated
PBX, then ``app.build`` with the web tier, the seat and its websocket) over the example
flows and queues, in either routing mode, on the real reactor. Beside it a small control
endpoint lets a test do what a test cannot do through the seat: place a specific call
(the caller's number and the keys they press in the IVR), add a customer to the CRM, and
read an agent's state from the agent control.

Agents 1001 and 1002 (sales) and 1003 (sales, support) are seats for people: nobody logs
them in; each logs in as ``<id>`` / ``demo-<id>``. Their simulated phone rings
:data:`RING_S` before it answers (real seconds: long enough to read the pop), talks
:data:`TALK_S` and hangs up. Wrap-up lasts :data:`WRAP_UP_S`, so it ends when the agent
finishes it, not on a timer racing the test.

Run as ``python -m switchboard.testing.livesite --routing app_queue``: it prints one JSON
line (``seat``: the origin, ``control``: the control URL, ``database``: the SQLite file)
and ends, stopping the site, when its standard input closes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from klein import Klein
from twisted.internet import defer, stdio, task
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure
from twisted.web.server import Request
from twisted.web.server import Site as WebSite

from switchboard.config import LoggingSettings, Settings
from switchboard.crm.directory import add_customer
from switchboard.demo.cli import OPENING_EPOCH, write_site_queue_file
from switchboard.demo.site import EXAMPLE_FLOWS, EXAMPLE_QUEUES, ROUTINGS, Site, start_site
from switchboard.demo.web import add_demo_users, demo_logins, with_web_port
from switchboard.logs import configure_logging
from switchboard.queue.config.queue_file import load_queue_config
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall

__all__ = ["RING_S", "TALK_S", "WRAP_UP_S", "main"]

AGENTS = 3  # 1001, 1002, 1003 of the example queue file
SPEED = 4.0  # simulated seconds per real second: the IVR walk is short, the ring is not
RING_S = 10.0  # real seconds an agent's phone rings before the simulated leg answers
TALK_S = 2.0  # real seconds the simulated leg talks, then hangs up
WRAP_UP_S = 600.0  # real seconds of wrap-up: the agent's finish ends it first


def live_queue_file(routing: str, work: Path) -> Path:
    """The example queue file with agents 1001-1003, routed by ``routing``, ringing long
    enough for :data:`RING_S` and wrapping up for :data:`WRAP_UP_S`."""
    path = write_site_queue_file(EXAMPLE_QUEUES, AGENTS, work / "queues.yaml", routing)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for queue in data["queues"].values():
        queue["ring_timeout_s"] = 3 * RING_S * SPEED
        queue["wrap_up_s"] = WRAP_UP_S * SPEED
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def start_live_site(reactor: Any, routing: str, work: Path) -> Site:
    queues = live_queue_file(routing, work)
    agents = load_queue_config(queues).agents
    phone = AgentBehaviour(answer_after_s=RING_S * SPEED, talk_s=TALK_S * SPEED)
    # No fixed ports: the switchboard control endpoint (4575) is not what a seat uses.
    quiet = Settings.model_validate({"control": {"enabled": False}})
    settings, _ = await with_web_port(reactor, quiet, preferred=0)
    site = await start_site(
        reactor,
        settings,
        queues,
        speed=SPEED,
        seed=1,
        db_path=work / "live.sqlite",
        work=work,
        behaviours={f"agent{a.id}": phone for a in agents},
        flows_dir=EXAMPLE_FLOWS,
        epoch=OPENING_EPOCH,  # a Tuesday 10:00: the example centre is open
        routing=routing,
        people=frozenset(a.id for a in agents),
    )
    logins = demo_logins(agents)
    await site.database.run(lambda session: add_demo_users(session, logins))
    assert site.app.web is not None, "the demo's settings serve the web tier"
    await site.app.web.listening()
    return site


class Control:
    """The test's hand on the site: ``POST /customers``, ``POST /calls``, ``GET /agents/ID``."""

    app = Klein()

    def __init__(self, site: Site) -> None:
        self.site = site

    @app.route("/customers", methods=["POST"])
    async def customer(self, request: Request) -> bytes:
        body = _body(request)

        def add(session: Any) -> int:
            customer = add_customer(
                session,
                str(body["name"]),
                {"phone": str(body["phone"])},
                vip_level=int(body.get("vip_level", 0)),
                language=str(body.get("language", "")),
            )
            return int(customer.id)

        return _json(request, {"id": await self.site.database.run(add)})

    @app.route("/calls", methods=["POST"])
    def call(self, request: Request) -> bytes:
        """One caller now: ``number``, ``keys`` as ``[digits, after_s, prompt]`` each."""
        body = _body(request)
        keys = tuple(KeyPress(str(d), float(a), str(p)) for d, a, p in body.get("keys", ()))
        number = str(body["number"])
        self.site.pbx.place(
            ScriptedCall(at_s=0.0, number=number, name=str(body.get("name", number)), keys=keys)
        )
        return _json(request, {"placed": number})

    @app.route("/agents/<agent_id>", methods=["GET"])
    async def agent(self, request: Request, agent_id: str) -> bytes:
        control = self.site.app.agent_control
        assert control is not None, "a site with a queue file has agent control"
        view = await control.agent(agent_id)
        return _json(request, view.to_json())


def _body(request: Request) -> dict[str, Any]:
    raw = request.content.read() if request.content is not None else b""
    value = json.loads(raw or b"{}")
    if not isinstance(value, dict):
        raise ValueError("the control endpoint takes a JSON object")
    return value


def _json(request: Request, value: object) -> bytes:
    request.setHeader("content-type", "application/json")
    return json.dumps(value).encode()


class _Closed(Protocol):
    """Fires ``done`` when standard input closes: the test run that started us ended."""

    def __init__(self, done: defer.Deferred[None]) -> None:
        self.done = done

    def connectionLost(self, reason: Failure | None = None) -> None:
        if not self.done.called:
            self.done.callback(None)


async def _serve(reactor: Any, routing: str, work: Path) -> None:
    site = await start_live_site(reactor, routing, work)
    control = reactor.listenTCP(0, WebSite(Control(site).app.resource()), interface="127.0.0.1")
    ready = {
        "seat": site.settings.web.origin,
        "control": f"http://127.0.0.1:{control.getHost().port}",
        "database": str(site.settings.database.url).removeprefix("sqlite:///"),
        "routing": routing,
    }
    print(json.dumps(ready), flush=True)
    closed: defer.Deferred[None] = defer.Deferred()
    stdio.StandardIO(_Closed(closed), reactor=reactor)
    await closed
    await control.stopListening()
    await site.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.livesite")
    parser.add_argument("--routing", choices=ROUTINGS, default="switchboard")
    parser.add_argument("--work", type=Path, default=None, help="folder (default: a new temp one)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="switchboard-live-"))
    work.mkdir(parents=True, exist_ok=True)
    # Standard output carries the one ready line; problems go to stderr.
    configure_logging(LoggingSettings(level="warning"))
    task.react(lambda reactor: defer.Deferred.fromCoroutine(_serve(reactor, args.routing, work)))


if __name__ == "__main__":
    main(sys.argv[1:])
