"""The wallboard under load: 200 wallboard sockets and 1,000 seat sockets while calls stream.

One process, real loopback sockets, as ``bench_seat_pop.py`` (whose seat stand-in, seat
clients and pop latency this reuses): the seat resource at ``/ws/seat`` and the real
wallboard (``switchboard.wallboard.WallboardFeed`` over a migrated SQLite file, served by
``switchboard.web.wallboard_ws``) at ``/ws/wallboard``. Half the wallboard users are admins
(every queue), half supervise one queue. Calls arrive at ``--rate`` per second (Poisson)
over four queues: each is queued (a hub fact), offered to a random agent (the pop), then
answered 2 s later and handled 20 s after that.

Figures, printed, never asserted:

  * wallboard fan-out: from the feed's throttled flush to a client's ``onMessage``;
  * wallboard event to screen: from a call's fact on the hub to the first push carrying it
    (includes the deliberate throttle, ``[wallboard] push_interval_s`` = 1 s);
  * seat pops: from the offer on the hub to the agent's ``onMessage``;
  * CPU: process CPU seconds per wall second during the stream, per 1,000 sockets (the
    clients share the process, so their reading and parsing is inside the figure).

    .venv/bin/python bench/bench_wallboard.py [--wallboards 200] [--seats 1000] [--rate 50]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
from sqlalchemy import make_url
from twisted.internet import defer, reactor, task
from twisted.web.resource import Resource
from twisted.web.server import Site

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_seat_pop as seats  # the seat bench's clients and stand-in feed

from switchboard.accounts.model import Role, User
from switchboard.config.model import WallboardSettings
from switchboard.hub import FACT, Hub
from switchboard.queue.core.decisions import CallAnswered, CallHandled, CallQueued
from switchboard.queue.core.model import Agent, Queue
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.wallboard.feed import WallboardFeed
from switchboard.web.wallboard_ws.socket import wallboard_resource
from switchboard.web.ws import seat_resource

QUEUES = tuple(Queue(name) for name in ("sales", "support", "billing", "complaints"))

first_unpushed: dict[str, float] = {}  # queue -> perf_counter of its oldest unpushed fact
flushes: dict[float, tuple[float, dict[str, float]]] = {}  # flush "now" -> (start, facts)
fan_out: list[float] = []
to_screen: list[float] = []


class Frozen:
    """The reactor, with ``seconds()`` held for one flush: its messages' ``now`` is the key."""

    def __init__(self, real: Any, now: float) -> None:
        self._real, self._now = real, now

    def seconds(self) -> float:
        return self._now

    def callLater(self, *args: Any, **kw: Any) -> Any:
        return self._real.callLater(*args, **kw)


class TimedFeed(WallboardFeed):
    def _flush(self) -> None:
        real = self._clock
        now = real.seconds()
        flushes[now] = (time.perf_counter(), dict(first_unpushed))
        first_unpushed.clear()
        self._clock = Frozen(real, now)
        try:
            super()._flush()
        finally:
            self._clock = real


class Wallboard(WebSocketClientProtocol):
    opened: defer.Deferred[None] | None = None

    def onOpen(self) -> None:
        if self.opened is not None:
            self.opened.callback(None)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        message = json.loads(payload)
        if message["type"] != "queue":
            return
        arrived = time.perf_counter()
        started, facts = flushes[message["now"]]
        fan_out.append(arrived - started)
        if (first := facts.pop(message["queue"], None)) is not None:
            to_screen.append(arrived - first)  # the first socket to get it: the push itself


class Sessions:
    async def user_for_token(self, token: str) -> User | None:
        n = int(token[1:])
        if n % 2:
            return User(n, token, token, Role.SUPERVISOR, None, "en", (QUEUES[n % 4].name,))
        return User(n, token, token, Role.ADMIN, None, "en")


async def connect_wallboards(port: int, count: int) -> list[Wallboard]:
    boards: list[Wallboard] = []
    opening = []
    for i in range(count):
        factory = WebSocketClientFactory(
            f"ws://127.0.0.1:{port}/ws/wallboard",
            origin=seats.ORIGIN,
            headers={"Cookie": f"sb_session=w{i}"},
        )
        factory.protocol = Wallboard
        factory.setProtocolOptions(openHandshakeTimeout=0, closeHandshakeTimeout=0)
        opened: defer.Deferred[None] = defer.Deferred()
        factory.buildProtocol = seats._with_opened(factory.buildProtocol, opened, boards)
        reactor.connectTCP("127.0.0.1", port, factory)
        opening.append(opened)
    await defer.gatherResults(opening)
    return boards


def call(hub: Hub, n: int, agent: int, rnd: random.Random) -> None:
    queue = QUEUES[rnd.randrange(len(QUEUES))].name
    call_id = f"c{n}"
    now = reactor.seconds()
    first_unpushed.setdefault(queue, time.perf_counter())
    hub.publish(FACT, CallQueued(call_id, queue, now, now, 0, "13800138000"))
    seats.offer(hub, n, agent)

    def answer() -> None:
        first_unpushed.setdefault(queue, time.perf_counter())
        hub.publish(FACT, CallAnswered(call_id, queue, f"a{agent}", reactor.seconds(), 2.0))

    def handled() -> None:
        first_unpushed.setdefault(queue, time.perf_counter())
        hub.publish(FACT, CallHandled(call_id, queue, f"a{agent}", reactor.seconds(), 18.0, 2.0))

    reactor.callLater(2.0, answer)
    reactor.callLater(22.0, handled)


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-wallboard-"))
    url = make_url(f"sqlite:///{folder / 'wallboard.sqlite'}")
    upgrade_database(url)
    database = Database(create_database_engine(url), reactor)
    hub = Hub()
    agents = tuple(Agent(f"a{i}", queues=(QUEUES[i % 4].name,)) for i in range(args.seats))
    feed = TimedFeed(
        hub,
        reactor,
        database,
        WallboardSettings(),
        timezone=ZoneInfo("Asia/Shanghai"),
        config=lambda: (QUEUES, agents),
    )
    await feed.start()
    ws = Resource()
    ws.putChild(
        b"seat",
        seat_resource(
            seats.HubFeed(hub), seats.Sessions(), allowed_origin=seats.ORIGIN, clock=reactor
        ),
    )
    ws.putChild(
        b"wallboard",
        wallboard_resource(feed, Sessions(), allowed_origin=seats.ORIGIN, clock=reactor),
    )
    root = Resource()
    root.putChild(b"ws", ws)
    port = reactor.listenTCP(0, Site(root), backlog=2048, interface="127.0.0.1")
    number = port.getHost().port
    started = time.perf_counter()
    agent_sockets = await seats.connect_all(number, args.seats)
    boards = await connect_wallboards(number, args.wallboards)
    print(
        f"connected {len(agent_sockets)} seat and {len(boards)} wallboard sockets "
        f"in {time.perf_counter() - started:.1f} s"
    )
    rnd = random.Random(args.seed)
    total = int(args.rate * args.seconds)
    at = 0.0
    for n in range(total):
        at += rnd.expovariate(args.rate)
        reactor.callLater(at, call, hub, n, rnd.randrange(args.seats), rnd)
    cpu, wall = time.process_time(), time.perf_counter()
    await seats.received(total)
    await task.deferLater(reactor, max(0.0, args.seconds + 3.0 - (time.perf_counter() - wall)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    sockets = len(agent_sockets) + len(boards)
    print(seats.summary("pops", seats.latencies) + f"  ({args.rate:g} calls/s, {args.seconds:g} s)")
    print(summary("fan-out", fan_out, "pushes") + "  (flush -> wallboard onMessage)")
    print(summary("to-screen", to_screen, "pushes") + "  (fact -> first push; 1 s throttle)")
    print(
        f"CPU {cpu / wall * 100:.0f}% of a core over {wall:.1f} s for {sockets} sockets: "
        f"{cpu / wall / (sockets / 1000) * 100:.0f}% of a core per 1,000 sockets "
        "(clients in the same process)"
    )
    for client in [*agent_sockets, *boards]:
        client.sendClose(1000)
    await port.stopListening()
    feed.stop()
    database.close()


def summary(name: str, values: list[float], unit: str) -> str:
    if not values:
        return f"{name:9} no {unit}"
    ms = sorted(v * 1000 for v in values)
    p50 = ms[len(ms) // 2]
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (
        f"{name:9} {len(ms):6} {unit}  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  max {ms[-1]:7.2f} ms"
    )


def raise_open_files(needed: int) -> None:
    """Two descriptors per socket pair here (server and client side), plus some."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(
            f"this bench opens {needed} files but the hard limit is {hard}: "
            f"run 'ulimit -n {needed}' as root first, or pass fewer --seats/--wallboards"
        )
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--wallboards", type=int, default=200)
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="new calls per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    raise_open_files(2 * (args.wallboards + args.seats) + 256)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    task.react(lambda _reactor: defer.Deferred.fromCoroutine(run(args)))


if __name__ == "__main__":
    main()
