"""One simulated call centre on loopback: the PBX, FastAGI, AMI, the IVR, the ACD, SQLite.

:func:`start_site` wires them as ``switchboard serve`` would, for ``switchboard demo`` and
the end-to-end tests. Simulated callers ring the simulated Asterisk
(``switchboard-acd-ivr``: the FastAGI session holds the caller). With ``flows_dir`` the
FastAGI server runs that directory's ``main-menu`` flow (:class:`FlowHandlers`, the
customer store and the session records in the site's SQLite), and a flow ending in a
``queue`` step hands the caller to the ACD; without it a small digit menu
(:func:`digit_ivr`, "1 sales, 2 support") does. The ACD holds the caller with music,
offers the call to agents (``EXEC Dial`` from the caller's session), originates
callbacks over AMI and stores every call as it happens.

One clock serves the whole site: the PBX's simulated time from ``epoch``, ``speed``
times faster than real time; the ACD and the flows (business hours) read it through a
:class:`ScaledClock`, so stored IVR sessions and ACD visits share one timeline.
"""

# test-case-name: tests.queue.test_acd_sim,tests.queue.test_ivr_acd_sim,tests.integration.test_demo

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from twisted.internet import task

from switchboard.app import build_agi, build_ami
from switchboard.config import Settings
from switchboard.cti.agi.channel import AgiChannel, Handler
from switchboard.cti.agi.errors import AgiHangup
from switchboard.ivr_flows.load import check_directory
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import DatabaseServices
from switchboard.queue.clock import ScaledClock
from switchboard.queue.config import QueueConfig
from switchboard.queue.hold import HoldOptions, QueueRequest
from switchboard.queue.service import AcdOptions, AcdService
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import Scenario
from switchboard.sim.service import SimulatedPbx
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine

__all__ = ["ENTRY_FLOW", "Site", "check_flows", "digit_ivr", "start_site"]

ENTRY_FLOW = "main-menu"  # the flow every call starts in, with ``flows_dir``
DIGIT_IVR = "acd-demo"  # the built-in digit menu's FastAGI script, without
MENU_PROMPT = "demo-choose-queue"  # "for sales press 1, for support press 2"
QUEUE_BY_DIGIT = {"1": "sales", "2": "support"}
STOP_WAIT_S = 5.0  # real seconds the last sessions get to end and store their records


def digit_ivr(acd: AcdService) -> Handler:
    """A minimal IVR: "1 sales, 2 support" (no digit: by caller number), then the ACD."""

    async def handle(channel: AgiChannel) -> None:
        try:
            await channel.answer()
            got = await channel.get_data(MENU_PROMPT, 3000, 1)
        except AgiHangup:
            return
        digit = got.digits[:1]
        fallback = "support" if channel.env.callerid[-1:] in "02468" else "sales"
        queue = QUEUE_BY_DIGIT.get(digit, fallback)
        await acd.hold(channel, QueueRequest(queue, ivr_ref=f"menu:{digit or '-'}"))

    return handle


@dataclass
class Site:
    """The running pieces. ``handlers`` is the FastAGI handler map (add to it);
    ``flows`` the IVR flows when the site runs them."""

    reactor: Any
    pbx: SimulatedPbx
    agi: Any
    ami: Any
    acd: AcdService
    clock: ScaledClock
    database: Database
    handlers: dict[str, Handler]
    work: Path
    flows: FlowHandlers | None = None

    async def stop(self) -> None:
        await self.pbx.stopService()  # hangs up whoever is left: their sessions end
        give_up = self.reactor.seconds() + STOP_WAIT_S
        while (self.acd.held_calls or self.agi.factory.active) and (
            self.reactor.seconds() < give_up
        ):
            await task.deferLater(self.reactor, 0.05, lambda: None)
        await self.acd.stopService()  # waits for every record to be written
        await self.ami.stopService()
        await self.agi.stopService()
        self.database.close()  # after the queued writes (IVR sessions too) are done


def check_flows(flows_dir: Path) -> None:
    """Raise ``ValueError`` (naming the first problems) unless ``flows_dir`` is usable."""
    flows, problems = check_directory(flows_dir)
    if flows is None or ENTRY_FLOW not in flows.flows:
        found = "; ".join(f"{p.file}:{p.line}: {p.message}" for p in problems[:3])
        raise ValueError(f"{flows_dir}: no usable {ENTRY_FLOW!r} flow ({found or 'missing'})")


async def start_site(
    reactor: Any,
    settings: Settings,
    config: QueueConfig,
    *,
    speed: float,
    seed: int,
    db_path: Path,
    work: Path,
    behaviours: dict[str, AgentBehaviour],
    flows_dir: Path | None = None,
    epoch: float | None = None,
    database_runner: Callable[[Callable[[], Any]], Any] | None = None,
) -> Site:
    """Start everything on 127.0.0.1 (ports chosen by the system); ``epoch``: the moment
    simulated time starts from (default: the simulator's). ``database_runner``: run the
    database work there instead of a thread (tests on a fake clock)."""
    if flows_dir is not None:
        check_flows(flows_dir)  # before anything starts
    url = make_url(f"sqlite:///{db_path}")
    upgrade_database(url)
    database = Database(  # one SQLite writer
        create_database_engine(url), reactor, threads=1, runner=database_runner
    )
    local = settings.model_copy(update={"agi": settings.agi.model_copy(update={"port": 0})})
    handlers: dict[str, Handler] = {}
    agi = build_agi(local, reactor, handlers)
    agi.startService()
    await agi.listening()
    secret = settings.ami.secret.get_secret_value()
    pbx = SimulatedPbx(
        reactor,
        Scenario(agents=behaviours, max_duration_s=10**9),
        seed=seed,
        speed=speed,
        ami_port=0,
        agi_target=("127.0.0.1", agi.port),
        recordings_dir=work,
        ami_users={settings.ami.username: secret},
        agi_script=DIGIT_IVR if flows_dir is None else ENTRY_FLOW,
        dialplan="acd",
        epoch=epoch,
    )
    await pbx.startService()
    ami_settings = settings.ami.model_copy(update={"host": "127.0.0.1", "port": pbx.ami_port})
    ami = build_ami(local.model_copy(update={"ami": ami_settings}), reactor)
    ami.startService()
    await ami.when_ready()
    clock = ScaledClock(reactor, speed, epoch=pbx.pbx.now())
    acd = AcdService(
        config,
        clock,  # type: ignore[arg-type]  # an IReactorTime (zope)
        database=database,
        ami=ami,
        options=AcdOptions(hold=HoldOptions(recording_dir=str(work / "monitor")), seed=seed),
    )
    flows = None
    if flows_dir is None:
        handlers[DIGIT_IVR] = digit_ivr(acd)
    else:
        services = DatabaseServices(database)
        flows = FlowHandlers(flows_dir, reactor, services, now=clock.seconds, acd=acd)
        handlers.update(flows)
    acd.startService()
    return Site(reactor, pbx, agi, ami, acd, clock, database, handlers, work, flows)
