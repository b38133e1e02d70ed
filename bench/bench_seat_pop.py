"""From an offer on the hub to the pop at the agent's websocket, with 1,000 seat sockets.

One process, real loopback sockets: the seat resource (``switchboard.web.ws``) served by
twisted.web on 127.0.0.1, and 1,000 autobahn clients, each logged in as its own agent.
Two feeds, one after the other (``--feed``):

  * ``stand-in``: subscribes to the real :class:`~switchboard.hub.Hub`'s OFFERED topic and
    turns each ``Offered`` into a small ``pop`` message (the transport's cost alone);
  * ``real``: ``switchboard.seat``'s :class:`~switchboard.seat.feed.LiveSeatFeed` over a
    migrated SQLite file in a temporary folder, its database work on its thread pool: the
    card built and masked, the ``pop`` sent, then the ``pop_update`` when the database
    answers (the clients time the ``pop`` only; the lookups compete for the core).

Latency runs from ``hub.publish(OFFERED, ...)`` to the client's ``onMessage``:

  * ``stream``: offers to random agents, Poisson arrivals at ``--rate`` per second;
  * ``burst``: every agent offered a call in the same reactor turn (the worst moment).

The clients share the process (and its one core), so their own reading and parsing is
inside the figures. Memory: the process's RSS growth per connected pair (server socket +
client socket), and the server side alone measured with tracemalloc on in-memory sockets.
Figures are printed, never asserted.

    .venv/bin/python bench/bench_seat_pop.py [--sockets 1000] [--rate 200] [--seconds 10]
        [--feed both|stand-in|real]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import pstats
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
from sqlalchemy import make_url
from twisted.internet import defer, reactor, task
from twisted.internet.testing import StringTransport
from twisted.web.resource import Resource
from twisted.web.server import Site

from switchboard.config import SeatSettings
from switchboard.hub import OFFERED, Hub, Offered
from switchboard.seat.access import CustomerAccess
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.ports import SeatFeed
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.web.ws import seat_resource

ORIGIN = "http://127.0.0.1:8080"
Sink = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class User:
    agent_id: str | None


class Sessions:
    async def user_for_token(self, token: str) -> User | None:
        return User(f"a{token[1:]}") if token.startswith("t") else None


class HubFeed:
    """The bench's stand-in for the seat feed: the hub's offers as pop messages."""

    def __init__(self, hub: Hub) -> None:
        self._sinks: dict[str, list[Sink]] = {}
        hub.subscribe(OFFERED, self._offered)

    def subscribe(self, agent_id: str, sink: Sink) -> Callable[[], None]:
        self._sinks.setdefault(agent_id, []).append(sink)
        return lambda: self._sinks[agent_id].remove(sink)

    async def snapshot(self, agent_id: str) -> dict[str, Any]:
        return {"v": 1, "type": "snapshot", "agent": {"id": agent_id, "state": "ready"}}

    def _offered(self, offer: Offered) -> None:
        pop = {
            "v": 1,
            "type": "pop",
            "call_id": offer.call_id,
            "card": {
                "number": offer.caller_number,
                "queue": offer.queue,
                "waited_s": 12,
                "language": "cmn",
                "vip": "gold",
                "ivr": {"path": ["main", "billing"], "digits": {"account": "88001234"}},
            },
        }
        for sink in self._sinks.get(offer.agent_id, ()):
            sink(pop)


sent: dict[str, float] = {}
latencies: list[float] = []
updates = [0]  # pop_update messages read (the real feed's database half)
waiting: list[tuple[int, defer.Deferred[None]]] = []


class Seat(WebSocketClientProtocol):
    opened: defer.Deferred[None] | None = None

    def onOpen(self) -> None:
        if self.opened is not None:
            self.opened.callback(None)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        message = json.loads(payload)
        if message["type"] == "pop":
            call_id = message.get("call_id") or message["call"]["call_id"]  # stand-in / real
            latencies.append(time.perf_counter() - sent.pop(call_id))
            if waiting and len(latencies) >= waiting[0][0]:
                waiting.pop()[1].callback(None)
        elif message["type"] == "pop_update":
            updates[0] += 1


def received(count: int) -> defer.Deferred[None]:
    done: defer.Deferred[None] = defer.Deferred()
    if len(latencies) >= count:
        done.callback(None)
    else:
        waiting.append((count, done))
    return done


async def lookups_done() -> None:
    """Until no pop_update has come for 0.2 s (a card replaced by the agent's next offer
    before its lookup answered gets none, so there is no count to wait for)."""
    waited, seen = time.perf_counter(), -1
    while seen != updates[0]:
        seen = updates[0]
        await task.deferLater(reactor, 0.2, lambda: None)
    print(f"(the stream's lookups were done {time.perf_counter() - waited - 0.2:.1f} s after it)")
    updates[0] = 0


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def real_feed(hub: Hub, folder: Path) -> LiveSeatFeed:
    """The seat's own feed over a migrated SQLite file, its lookups on the thread pool."""
    url = make_url(f"sqlite:///{folder / 'seat.sqlite'}")
    upgrade_database(url)
    database = Database(create_database_engine(url), reactor)
    feed = LiveSeatFeed(
        hub,
        reactor,
        database,
        SeatSettings(),
        timezone=ZoneInfo("Asia/Shanghai"),
        pause_reasons=("break", "lunch"),
        access=CustomerAccess(),
    )
    feed.start()
    return feed


def site_for(feed: SeatFeed, clock: Any) -> Site:
    ws = Resource()
    ws.putChild(b"seat", seat_resource(feed, Sessions(), allowed_origin=ORIGIN, clock=clock))
    root = Resource()
    root.putChild(b"ws", ws)
    return Site(root, reactor=clock)


def offer(hub: Hub, n: int, agent: int) -> None:
    call_id = f"c{n}"
    sent[call_id] = time.perf_counter()
    hub.publish(
        OFFERED,
        Offered(call_id, f"a{agent}", f"PJSIP/{agent}", "sales", 0.0, "+8613800138000"),
    )


def summary(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{name:7} {len(ms):6} pops  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  max {ms[-1]:7.2f} ms"


async def connect_all(port: int, sockets: int, batch: int = 100) -> list[Seat]:
    seats: list[Seat] = []
    for start in range(0, sockets, batch):
        opening = []
        for i in range(start, min(start + batch, sockets)):
            factory = WebSocketClientFactory(
                f"ws://127.0.0.1:{port}/ws/seat",
                origin=ORIGIN,
                headers={"Cookie": f"sb_session=t{i}"},
            )
            factory.protocol = Seat
            factory.setProtocolOptions(openHandshakeTimeout=0, closeHandshakeTimeout=0)
            opened: defer.Deferred[None] = defer.Deferred()
            factory.buildProtocol = _with_opened(factory.buildProtocol, opened, seats)
            reactor.connectTCP("127.0.0.1", port, factory)
            opening.append(opened)
        await defer.gatherResults(opening)
    return seats


def _with_opened(build: Any, opened: defer.Deferred[None], seats: list[Seat]) -> Any:
    def building(addr: Any) -> Any:
        seat = build(addr)
        seat.opened = opened
        seats.append(seat)
        return seat

    return building


async def run(args: argparse.Namespace) -> None:
    feeds = ("stand-in", "real") if args.feed == "both" else (args.feed,)
    for name in feeds:
        with tempfile.TemporaryDirectory(prefix="bench-seat-") as folder:
            await run_feed(args, name, Path(folder))
        sent.clear()
        latencies.clear()
    memory_figure(args.sockets)


async def run_feed(args: argparse.Namespace, name: str, folder: Path) -> None:
    print(f"--- feed: {name}")
    hub = Hub()
    feed: SeatFeed = HubFeed(hub) if name == "stand-in" else real_feed(hub, folder)
    port = reactor.listenTCP(0, site_for(feed, reactor), backlog=1024, interface="127.0.0.1")
    gc.collect()
    before = rss_kib()
    started = time.perf_counter()
    seats = await connect_all(port.getHost().port, args.sockets)
    gc.collect()
    grown = rss_kib() - before
    print(
        f"connected {len(seats)} seat sockets in {time.perf_counter() - started:.1f} s; "
        f"RSS +{grown / 1024:.1f} MiB = {grown / len(seats):.1f} KiB per pair "
        "(server + client socket in this process)"
    )

    rnd = random.Random(args.seed)
    total = int(args.rate * args.seconds)
    at = 0.0
    for n in range(total):
        at += rnd.expovariate(args.rate)
        reactor.callLater(at, offer, hub, n, rnd.randrange(args.sockets))
    await received(total)
    print(summary("stream", latencies) + f"  ({args.rate:g} offers/s for {args.seconds:g} s)")
    if name == "real":  # the burst starts quiet: the stream's lookups done
        await lookups_done()

    latencies.clear()
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        profile.enable()
    burst_start = time.perf_counter()
    for agent in range(args.sockets):
        offer(hub, total + agent, agent)
    published = time.perf_counter()
    await received(args.sockets)
    if profile is not None:
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    print(
        f"burst: the {args.sockets} offers published in {(published - burst_start) * 1000:.1f} ms"
    )
    print(summary("burst", latencies) + f"  (all {args.sockets} agents offered at once)")

    for seat in seats:
        seat.sendClose(1000)
    await port.stopListening()
    if isinstance(feed, LiveSeatFeed):
        feed.stop()


def server_bytes_per_socket(sockets: int) -> float:
    """tracemalloc growth per open server-side seat socket, in memory (no kernel socket)."""
    clock = task.Clock()
    site = site_for(HubFeed(Hub()), clock)
    tracemalloc.start()
    gc.collect()
    before = tracemalloc.take_snapshot()
    kept = []
    for i in range(sockets):
        channel = site.buildProtocol(None)
        transport = StringTransport()
        transport.protocol = channel  # what a TCP transport has; the upgrade replaces it
        channel.makeConnection(transport)
        channel.dataReceived(
            b"GET /ws/seat HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\nOrigin: " + ORIGIN.encode() + b"\r\n"
            b"Cookie: sb_session=t%d\r\n\r\n" % i
        )
        if not transport.value().startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"seat socket not opened: {transport.value()[:80]!r}")
        transport.clear()
        kept.append(transport)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return grown / len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="offers per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the burst")
    parser.add_argument("--feed", choices=("both", "stand-in", "real"), default="both")
    args = parser.parse_args()
    # One info line per socket opened is right for a service, noise for a bench.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    task.react(lambda _reactor: defer.Deferred.fromCoroutine(run(args)))


def memory_figure(sockets: int) -> None:
    per_socket = server_bytes_per_socket(sockets)
    print(
        f"server side alone: {per_socket / 1024:.1f} KiB per open seat socket "
        f"(tracemalloc, {sockets} in-memory sockets)"
    )


if __name__ == "__main__":
    main()
