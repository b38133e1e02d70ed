"""``switchboard demo``: the simulated PBX, the IVR flows and the ACD together, on loopback.

Simulated callers ring the simulated Asterisk (``switchboard-acd-ivr``: the FastAGI
session holds the caller) and walk the shipped example flows (``main-menu``: language,
business hours, the VIP fast path, "2 support, 0 operator, 3 callback") with keys drawn
from the seed; a flow ending in a ``queue`` step hands the caller to the ACD, which holds
it with music, offers it to agents (``EXEC Dial`` from the caller's session), originates
callbacks over AMI and stores every call in SQLite as it happens, beside the IVR
sessions. Simulated time starts on a Tuesday at 10:00 in Asia/Shanghai (the centre is
open) and runs ``--speed`` times faster. Without ``--duration`` it runs until Ctrl-C,
with a live line every few seconds; either way it ends with a summary per queue.

``--routing app_queue`` runs the same centre with the simulator's app_queue routing
instead of the ACD (the flow sets ``SWITCHBOARD_QUEUE``, the dialplan runs ``Queue()``,
the agents are the queues' static members): the summary is counted the same way, from
the facts switchboard's app_queue tracker publishes on the hub.
"""

# test-case-name: tests.integration.test_demo

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session
from twisted.internet import defer, task

from switchboard.config import LoggingSettings, Settings
from switchboard.crm.directory import add_customer, find_customer
from switchboard.cti.ami import actions
from switchboard.demo.people import human_seats, person_phone
from switchboard.demo.site import (
    ENTRY_FLOW,
    EXAMPLE_FLOWS,
    EXAMPLE_QUEUES,
    ROUTINGS,
    Site,
    check_flows,
    start_site,
)
from switchboard.demo.tally import FactTally, summary_line
from switchboard.demo.web import (
    DemoLogin,
    add_demo_users,
    demo_logins,
    with_control_port,
    with_web_port,
)
from switchboard.hub import AGENT_STATE, FACT
from switchboard.logs import configure_logging
from switchboard.queue.config.queue_file import QueueConfigError, load_queue_config
from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.core.model import Agent, NotReadyReason
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall, random_caller

__all__ = ["add_commands", "run", "write_site_queue_file"]

# Tuesday 2026-11-24 10:00 in Asia/Shanghai: the example flows' centre is open.
OPENING_EPOCH = 1795485600.0
# What callers press: the language (1 Mandarin, 2 Cantonese, 3 English), then the main
# menu (2 support, 0 operator: sales, 3 a callback request); a VIP hears no menu.
LANGUAGE_KEYS = "1233333"
MENU_KEYS = "222003"
VIP_NUMBERS = tuple(f"555900{i}" for i in range(1, 6))  # in the CRM at VIP level 2
LIVE_EVERY_S = 3.0  # real seconds between live lines
DRAIN_LIMIT_S = 900.0  # simulated seconds the last calls get to finish
DEFAULT_PEOPLE = 2  # seats left to people (demo.people): 1001 sales, 2001 support
PEOPLE_SPEED = 1.0  # a person at a seat: real time
UNATTENDED_SPEED = 20.0  # only the bot: many calls a minute to watch go by


def add_commands(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="run calls through the IVR and the ACD on a simulated PBX (loopback, SQLite)"
    )
    demo.add_argument("--seed", type=int, default=1, help="same seed, same callers (default 1)")
    demo.add_argument(
        "--duration",
        type=float,
        default=None,
        help="simulated seconds of arriving calls (default: until Ctrl-C)",
    )
    demo.add_argument("--calls", type=int, default=None, help="stop after this many callers")
    demo.add_argument("--agents", type=int, default=12, help="agents logged in (default 12)")
    demo.add_argument(
        "--rate", type=float, default=6.0, help="calls per simulated minute (default 6)"
    )
    demo.add_argument(
        "--people",
        type=int,
        default=None,
        help="agents left to people at the seat, one per queue in turn: the demo never "
        "logs them in or readies them (default 2, at most --agents)",
    )
    demo.add_argument(
        "--speed",
        type=float,
        default=None,
        help="time compression (default 1 with --people, so a person sees the ring and "
        "the call at their own pace; 20 with --people 0)",
    )
    demo.add_argument("--queues", type=Path, default=EXAMPLE_QUEUES, help="queue/agent file")
    demo.add_argument(
        "--flows",
        type=Path,
        default=EXAMPLE_FLOWS,
        help="IVR flows directory; calls start in its main-menu (default: the examples)",
    )
    demo.add_argument(
        "--database",
        type=Path,
        default=None,
        help="SQLite file for the call records (default: a new temp file)",
    )
    demo.add_argument(
        "--routing",
        choices=ROUTINGS,
        default="switchboard",
        help="who routes the queues: switchboard's ACD (default) or the PBX's app_queue",
    )
    demo.add_argument("--json", action="store_true", help="print only the summary, as JSON")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with_defaults(args)
    if args.agents < 1 or args.speed <= 0 or args.rate <= 0 or (args.calls or 1) < 1:
        print(
            "switchboard demo: --agents, --rate, --speed and --calls must be positive",
            file=sys.stderr,
        )
        return 2
    if not 0 <= args.people <= args.agents:
        print(
            f"switchboard demo: --people must be between 0 and --agents ({args.agents})",
            file=sys.stderr,
        )
        return 2
    try:
        load_queue_config(args.queues)  # its problems named with the operator's file
        check_flows(args.flows)
    except (QueueConfigError, ValueError) as exc:
        print(f"switchboard demo: {exc}", file=sys.stderr)
        return 2
    # The demo's own story goes to stdout; only problems go to the log.
    configure_logging(LoggingSettings(format=settings.logging.format, level="warning"))
    out: list[dict[str, Any]] = []
    try:
        task.react(
            lambda reactor: defer.Deferred.fromCoroutine(_demo(reactor, settings, args, out))
        )
    except SystemExit as exc:  # react() always exits; the summary comes after it
        if exc.code:
            return int(exc.code)
        if not out:  # the reactor was stopped (a signal while starting) before the demo ran
            print(
                "switchboard demo: stopped while starting; no calls to summarise", file=sys.stderr
            )
            return 1
    summary = out[0]
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _print_summary(summary)
    return 0


def with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """Fill the defaults that depend on each other: 2 people (at most ``--agents``); real
    time when a person is expected (at x20 a ring of 8 s is gone in 0.4 s), x20 if not."""
    if args.people is None:
        args.people = min(DEFAULT_PEOPLE, max(args.agents, 0))
    if args.speed is None:
        args.speed = PEOPLE_SPEED if args.people else UNATTENDED_SPEED
    return args


def write_site_queue_file(
    source: Path, agents: int, out: Path, routing: str = "switchboard"
) -> Path:
    """``source`` with its first ``agents`` agents (by id), more made alike if it has fewer
    (``3001`` ...), and every queue routed by ``routing``, written to ``out``: the queue
    file the demo's site serves."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    given = {str(k): v for k, v in data["agents"].items()}
    ids = sorted(given)
    chosen = {i: given[i] for i in ids[:agents]}
    for i in range(len(chosen), agents):
        number = str(3001 + i - len(ids))
        chosen[number] = {
            **given[ids[i % len(ids)]],
            "name": f"Agent {number}",
            "device": f"Local/agent{number}@switchboard-agents/n",
        }
    queues = {name: {**q, "routing": routing} for name, q in data["queues"].items()}
    out.write_text(
        yaml.safe_dump(
            {**data, "queues": queues, "agents": chosen}, allow_unicode=True, sort_keys=False
        ),
        encoding="utf-8",
    )
    return out


def _exten(agent: Agent) -> str:
    return agent.device.partition("/")[2].partition("@")[0]


@dataclass
class _Demo:
    reactor: Any
    args: argparse.Namespace
    site: Site
    tally: FactTally
    rng: random.Random
    placed: int = 0
    stopping: bool = False

    def say(self, line: str) -> None:
        if not self.args.json:
            print(line, flush=True)

    def caller(self) -> ScriptedCall:
        """The next person, drawn from the seed: who, how patient, what they press."""
        self.placed += 1
        rng = self.rng
        person = random_caller(rng, self.placed)
        behaviour = rng.choice(["keys", "keys", "keys", "silent", "abandon"])
        vip = rng.random() < 0.08
        keys = (
            KeyPress(rng.choice(LANGUAGE_KEYS), 0.5, "choose-language"),
            KeyPress(rng.choice(MENU_KEYS), 0.5, "main-menu"),
        )
        return replace(
            person,
            at_s=0.0,
            number=rng.choice(VIP_NUMBERS) if vip else person.number,
            # "silent" presses nothing: Mandarin, then the menu times out to the operator.
            behaviour="abandon" if behaviour == "abandon" else "silent",
            keys=() if behaviour == "silent" else keys[:1] if vip else keys,
            abandon_after_s=round(rng.uniform(20, 150), 1),
            callback=rng.random() < 0.25,
            callback_after_s=0.0,
        )

    def more_calls(self) -> bool:
        a = self.args
        clock = self.site.clock
        elapsed = clock.seconds() - clock.epoch
        return (
            not self.stopping
            and (a.calls is None or self.placed < a.calls)
            and (a.duration is None or elapsed < a.duration)
        )

    async def arrivals(self) -> None:
        while self.more_calls():
            self.site.pbx.place(self.caller())
            gap = self.rng.expovariate(self.args.rate / 60.0)
            await task.deferLater(self.reactor, gap / self.args.speed, lambda: None)

    def live(self) -> None:
        waiting = {s.queue: s.waiting for s in self.site.router.queue_stats()}
        elapsed = int(self.site.clock.seconds() - self.site.clock.epoch)
        stamp = f"{elapsed // 3600:02d}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"
        self.say(f"[{stamp}] {self.placed} calls | {summary_line(self.tally.summary(), waiting)}")

    def settled(self) -> bool:
        """No caller on the line and nothing but callbacks waiting for a later attempt."""
        acd = self.site.app.acd
        return not self.site.pbx.pbx.channels and (acd is None or acd.only_parked_callbacks())


def _add_vips(session: Session) -> None:
    """The VIP callers, in the customer store the flows look callers up in."""
    for i, number in enumerate(VIP_NUMBERS, 1):
        if find_customer(session, "phone", number) is None:
            add_customer(session, f"VIP {i}", {"phone": number}, vip_level=2)


def _seat_bot(demo: _Demo, people: Collection[str]) -> None:
    """The agents' side: back to ready a while after a missed call (never a person's)."""
    site = demo.site

    def changed(fact: AgentStateChanged) -> None:
        if fact.reason == NotReadyReason.MISSED_CALL and fact.agent_id not in people:
            site.clock.callLater(45.0, site.acd.ready, fact.agent_id)

    site.app.hub.subscribe(AGENT_STATE, changed)


async def _demo(
    reactor: Any,
    settings: Settings,
    args: argparse.Namespace,
    out: list[Any],
    *,
    database_runner: Any = None,  # tests on a fake clock: database work on its turns
) -> None:
    with_defaults(args)  # (tests call this without run())
    work = Path(tempfile.mkdtemp(prefix="switchboard-demo-"))
    db_path = args.database or work / "demo.sqlite"
    routing = args.routing
    queues_file = write_site_queue_file(args.queues, args.agents, work / "queues.yaml", routing)
    config = load_queue_config(queues_file)
    agents = config.agents
    seats = human_seats(agents, config.queues, args.people)
    people = {a.id for a in seats}
    bots = [a for a in agents if a.id not in people]
    behaviours = {_exten(a): AgentBehaviour(answer_after_s=2.0) for a in bots}
    if bots:
        behaviours[_exten(bots[-1])] = AgentBehaviour(answer_after_s=25.0)  # often away
    behaviours.update({_exten(a): person_phone(a, config.queues) for a in seats})
    settings, web_note = await with_web_port(reactor, settings)
    settings, control_note = await with_control_port(reactor, settings)
    site = await start_site(
        reactor,
        settings,
        queues_file,
        speed=args.speed,
        seed=args.seed,
        db_path=db_path,
        work=work,
        behaviours=behaviours,
        flows_dir=args.flows,
        epoch=OPENING_EPOCH,
        database_runner=database_runner,
        routing=routing,
        people=people,
    )
    await site.database.run(_add_vips)
    logins = demo_logins(agents)
    await site.database.run(lambda session: add_demo_users(session, logins))
    acd, clock = site.app.acd, site.clock
    tally = FactTally(config.queues)
    site.app.hub.subscribe(FACT, tally.observe)
    demo = _Demo(reactor, args, site, tally, random.Random(args.seed))

    def interrupted(*_: object) -> None:
        reactor.callFromThread(setattr, demo, "stopping", True)

    # Ctrl-C and a service manager's SIGTERM both end the demo the same way: the calls
    # drain, the summary is printed, the reactor stops once (Twisted's own SIGTERM handler
    # would stop it under the demo, which then failed to stop it again). Installed before
    # the first line is printed: whoever reads "Ctrl-C to stop" may signal at once.
    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    live = task.LoopingCall(demo.live)
    live.clock = reactor
    try:
        if site.app.web is not None:
            await site.app.web.listening()  # print only an address that answers
        _say_logins(demo, site.settings.web.origin, web_note, logins, seats, behaviours)
        if control_note:  # `switchboard agents` looks at the usual port unless told
            port = site.settings.control.port
            demo.say(
                f"agent control: {control_note}: "
                f"SWITCHBOARD_CONTROL_PORT={port} switchboard agents list"
            )
        for name, value in (("AGENT_TALK_MIN", "30"), ("AGENT_TALK_MAX", "120")):
            await site.ami.send(actions.setvar(name, value))
        if acd is not None:  # app_queue's agents are its queues' static members
            _seat_bot(demo, people)
            for agent in bots:
                acd.log_in(agent.id, ready=True)
        demo.say(
            f"demo: {len(agents)} agents ({len(bots)} run by the demo) in "
            f"{', '.join(q.name for q in config.queues)}, "
            f"routed by {'the ACD' if acd is not None else 'app_queue'}; "
            f"callers walk the {ENTRY_FLOW} flow, open from Tue 10:00 Asia/Shanghai; "
            f"{args.rate:g} calls a minute, x{args.speed:g}; records in {db_path}; "
            + (
                "Ctrl-C to stop"
                if args.duration is None and args.calls is None
                else "until the last call ends"
            )
        )
        if not args.json:
            live.start(LIVE_EVERY_S, now=False)
        await demo.arrivals()
        drain_until = clock.seconds() + DRAIN_LIMIT_S
        while not demo.stopping and not demo.settled() and clock.seconds() < drain_until:
            await task.deferLater(reactor, 0.1, lambda: None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if live.running:
            live.stop()
        await site.stop()
    out.append(
        {
            "calls_placed": demo.placed,
            "simulated_seconds": round(clock.seconds() - clock.epoch, 1),
            "database": str(db_path),
            "routing": routing,
            "callbacks_pending": acd.callbacks_open if acd is not None else 0,
            "queues": tally.summary(),
        }
    )


def _say_logins(
    demo: _Demo,
    origin: str,
    note: str,
    logins: list[DemoLogin],
    seats: list[Agent],
    behaviours: dict[str, AgentBehaviour],
) -> None:
    """The first lines: where the seat is and who may log in (user / password), the
    people's seats first."""
    demo.say(f"seat: {origin}/login" + (f"  ({note})" if note else ""))
    queues = {a.id: "/".join(a.queues) for a in seats}
    by_id = {x.agent_id: x for x in logins}
    if seats:
        yours = [f"{by_id[a.id].username} / {by_id[a.id].password} ({queues[a.id]})" for a in seats]
        phone = behaviours[_exten(seats[0])]
        speed = demo.args.speed
        demo.say(
            f"people (user / password): {', '.join(yours)}: the demo never logs these in; "
            f"log in, go ready, and each call rings {(phone.answer_after_s or 0) / speed:.3g} s "
            f"before the simulated phone answers, talks {(phone.talk_s or 0) / speed:.3g} s "
            "and hangs up; then finish wrap-up"
        )
    agents = [
        f"{x.username} / {x.password}"
        for x in logins
        if x.agent_id is not None and x.agent_id not in queues
    ]
    if agents:
        demo.say(f"agents (user / password), kept ready by the demo: {', '.join(agents)}")
    for x in logins:
        if x.agent_id is None:
            demo.say(f"supervisor (user / password): {x.username} / {x.password}")


def _print_summary(summary: dict[str, Any]) -> None:
    print(
        f"\n{summary['calls_placed']} calls in {summary['simulated_seconds']} simulated "
        f"seconds, routed by {summary['routing']}; call records in {summary['database']}"
    )
    print(
        f"{'queue':<10}{'offered':>8}{'answered':>9}{'abandoned':>10}{'callbacks':>10}"
        f"{'called back':>12}{'SL':>6}{'ASA':>6}{'AHT':>6}"
    )
    for name, q in summary["queues"].items():
        sl = q["service_level_pct"]
        print(
            f"{name:<10}{q['offered']:>8}{q['answered']:>9}{q['abandoned']:>10}"
            f"{q['callbacks']:>10}{q['called_back']:>12}"
            f"{'-' if sl is None else f'{sl:.0f}%':>6}"
            f"{_seconds(q['asa_s']):>6}{_seconds(q['aht_s']):>6}"
        )
    targets = ", ".join(f"{n} {q['service_level_s']:g} s" for n, q in summary["queues"].items())
    print(
        f"SL: answered within the queue's target ({targets}) out of answered and "
        "abandoned; ASA and AHT in simulated seconds."
    )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"
