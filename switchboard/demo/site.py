"""One simulated call centre on loopback: the simulated PBX, and what ``serve`` runs.

:func:`start_site` is "settings + the simulated PBX + :func:`switchboard.app.build`": it
starts the simulated Asterisk, derives the site's settings from the given ones (AMI at the
simulator, FastAGI on a free port, SQLite, the queue file, the flows) and builds the
services from them exactly as ``switchboard serve`` does. Only time differs: the PBX runs
``speed`` times faster from ``epoch``, and the ACD and the flows (business hours) read a
:class:`ScaledClock` of it, so stored IVR sessions and ACD visits share one timeline.

Simulated callers ring the simulated Asterisk (``switchboard-acd-ivr``: the FastAGI session
holds the caller). With ``flows_dir`` the site serves that directory's ``main-menu`` flow,
whose ``queue`` step hands the caller to the ACD; without it a small digit menu
(:func:`digit_ivr`, "1 sales, 2 support") does.

With ``routing="app_queue"`` the simulator's app_queue routes instead: calls run
docs/asterisk.md's ``switchboard-inbound`` (the flow sets ``SWITCHBOARD_QUEUE``, the
dialplan runs ``Queue()``), the queue file's agents are the queues' members, and
switchboard's app_queue tracker (the queue file's queues are ``routing: app_queue``)
publishes the same facts on the hub and stores the same call records.
"""

# test-case-name: tests.queue.test_acd_sim,tests.queue.test_ivr_acd_sim,tests.integration.test_demo

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twisted.internet import task
from twisted.internet.defer import Deferred, fail
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.protocol import Protocol

from switchboard.app import App, build, migrate_database
from switchboard.config import Settings
from switchboard.cti.agi.channel import AgiChannel, Handler
from switchboard.cti.agi.errors import AgiHangup
from switchboard.ivr_flows.load import check_directory
from switchboard.queue.config.queue_file import QueueConfig, load_queue_config
from switchboard.queue.shell.appqueue_service import AppQueueService
from switchboard.queue.shell.clock import ScaledClock
from switchboard.queue.shell.hold import QueueRequest
from switchboard.queue.shell.service import AcdService
from switchboard.sim.pbx import DEFAULT_QUEUES, AgentBehaviour, Member
from switchboard.sim.pbx import QueueConfig as SimQueue
from switchboard.sim.scenario import Scenario
from switchboard.sim.service import SimulatedPbx

__all__ = [
    "ENTRY_FLOW",
    "EXAMPLE_FLOWS",
    "EXAMPLE_QUEUES",
    "ROUTINGS",
    "Site",
    "check_flows",
    "digit_ivr",
    "site_settings",
    "start_site",
]

EXAMPLE_QUEUES = Path(__file__).parents[1] / "queue" / "examples" / "queues.yaml"
EXAMPLE_FLOWS = Path(__file__).parents[1] / "ivr_flows" / "examples"
ENTRY_FLOW = "main-menu"  # the flow every call starts in, with ``flows_dir``
DIGIT_IVR = "acd-demo"  # the built-in digit menu's FastAGI script, without
MENU_PROMPT = "demo-choose-queue"  # "for sales press 1, for support press 2"
QUEUE_BY_DIGIT = {"1": "sales", "2": "support"}
ROUTINGS = ("switchboard", "app_queue")  # who routes the site's queues
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
    """The simulated PBX and the :class:`App` that ``app.build`` made of ``settings``."""

    reactor: Any
    pbx: SimulatedPbx
    app: App
    settings: Settings
    clock: ScaledClock
    work: Path
    # What a restart builds again with: the apps so far (the PBX's FastAGI connects to the
    # newest), the database runner, and whether the digit menu stands in for the flows.
    apps: list[App] = field(default_factory=list)
    database_runner: Callable[[Callable[[], Any]], Deferred[Any]] | None = None
    digit_menu: bool = False

    async def restart_app(self, down_s: float = 0.0) -> App:
        """Stop switchboard and start it again ``down_s`` reactor seconds later, from the
        same settings and database, while the simulated PBX goes on: calls in progress
        stay up in Asterisk; callers held in FastAGI lose their session."""
        await self.app.root.stopService()
        await task.deferLater(self.reactor, down_s, lambda: None)
        handlers: dict[str, Handler] = {}
        self.app = build(
            self.settings,
            self.reactor,
            clock=self.clock,
            handlers=handlers if self.digit_menu else None,
            database_runner=self.database_runner,
        )
        if self.digit_menu:
            handlers[DIGIT_IVR] = digit_ivr(self.acd)
        self.apps.append(self.app)
        self.app.root.startService()
        await self.app.agi.listening()
        await self.app.ami.when_ready()
        return self.app

    @property
    def acd(self) -> AcdService:
        assert self.app.acd is not None, "this site's queues are routed by app_queue"
        return self.app.acd

    @property
    def router(self) -> AcdService | AppQueueService:
        """Whoever produces the queue facts: the ACD, or the app_queue tracker."""
        router = self.app.acd or self.app.app_queue
        assert router is not None  # a site always has a queue file
        return router

    def held_calls(self) -> int:
        """Callers the ACD holds in FastAGI (app_queue holds its own)."""
        return self.app.acd.held_calls if self.app.acd is not None else 0

    @property
    def ami(self) -> Any:
        return self.app.ami

    @property
    def agi(self) -> Any:
        return self.app.agi

    @property
    def database(self) -> Any:
        return self.app.database

    async def stop(self) -> None:
        await self.pbx.stopService()  # hangs up whoever is left: their sessions end
        give_up = self.reactor.seconds() + STOP_WAIT_S
        while (self.held_calls() or self.agi.factory.active) and (self.reactor.seconds() < give_up):
            await task.deferLater(self.reactor, 0.05, lambda: None)
        await self.app.root.stopService()  # the ACD's waits for every record to be written
        self.database.close()  # after the queued writes (IVR sessions too) are done


def check_flows(flows_dir: Path) -> None:
    """Raise ``ValueError`` (naming the first problems) unless ``flows_dir`` is usable."""
    flows, problems = check_directory(flows_dir)
    if flows is None or ENTRY_FLOW not in flows.flows:
        found = "; ".join(f"{p.file}:{p.line}: {p.message}" for p in problems[:3])
        raise ValueError(f"{flows_dir}: no usable {ENTRY_FLOW!r} flow ({found or 'missing'})")


def app_queue_members(config: QueueConfig, people: Collection[str] = ()) -> tuple[SimQueue, ...]:
    """The simulator's app_queue queues for ``config``: its agents as static members,
    except ``people`` (agent ids), who join with the seat's log-in (``QueueAdd``)."""
    return tuple(
        SimQueue(
            q.name,
            tuple(
                Member(a.device, a.name)
                for a in config.agents
                if q.name in a.queues and a.id not in people
            ),
            timeout_s=q.ring_timeout_s,
            wrapup_s=q.wrap_up_s,
            service_level_s=int(q.service_level_s),
        )
        for q in config.queues
    )


def site_settings(
    settings: Settings,
    *,
    ami_port: int,
    queues_file: Path,
    db_path: Path,
    work: Path,
    seed: int,
    flows_dir: Path | None = None,
) -> Settings:
    """``settings`` pointed at the simulated PBX: everything on 127.0.0.1, FastAGI on a
    free port, one SQLite writer, recordings under ``work``."""
    s = settings
    return s.model_copy(
        update={
            "ami": s.ami.model_copy(update={"host": "127.0.0.1", "port": ami_port}),
            "agi": s.agi.model_copy(update={"bind": "127.0.0.1", "port": 0}),
            "database": s.database.model_copy(
                update={"url": f"sqlite:///{db_path}", "password": None, "pool_threads": 1}
            ),
            "flows": s.flows.model_copy(update={"dir": flows_dir or s.flows.dir}),
            "queues": s.queues.model_copy(
                update={"file": queues_file, "seed": seed, "recording_dir": work / "monitor"}
            ),
        }
    )


async def start_site(
    reactor: Any,
    settings: Settings,
    queues_file: Path,
    *,
    speed: float,
    seed: int,
    db_path: Path,
    work: Path,
    behaviours: dict[str, AgentBehaviour],
    flows_dir: Path | None = None,
    epoch: float | None = None,
    database_runner: Callable[[Callable[[], Any]], Deferred[Any]] | None = None,
    routing: str = "switchboard",
    people: Collection[str] = (),
    survey_script: str = "",
) -> Site:
    """Start the simulated PBX, then ``app.build`` of the site's settings, on 127.0.0.1
    (ports chosen by the system); ``epoch``: the moment simulated time starts from
    (default: the simulator's). ``database_runner``: run the database work there instead
    of a thread (tests on a fake clock). ``routing``: who routes the queues (one of
    :data:`ROUTINGS`; the queue file's queues must say the same, and app_queue needs
    ``flows_dir``: the flow's ``queue`` step is what hands the caller to ``Queue()``).
    ``people``: agent ids a person logs in from the seat (app_queue: not the queues'
    static members). ``survey_script``: the FastAGI script a caller whose agent hung up
    first is sent to (``csat``), as docs/asterisk.md's dialplans do."""
    if routing not in ROUTINGS:
        raise ValueError(f"routing {routing!r}: use one of {', '.join(ROUTINGS)}")
    if routing == "app_queue" and flows_dir is None:
        raise ValueError("routing app_queue needs flows_dir (the flow queues the caller)")
    if flows_dir is not None:
        check_flows(flows_dir)  # before anything starts
    by_app_queue = routing == "app_queue"
    queues = load_queue_config(queues_file)
    if any(q.routing != routing for q in queues.queues):
        raise ValueError(f"{queues_file}: every queue must say routing: {routing}")
    built: list[App] = []  # the FastAGI port is known once the app listens
    pbx = SimulatedPbx(
        reactor,
        Scenario(agents=behaviours, max_duration_s=10**9),
        seed=seed,
        speed=speed,
        ami_port=0,
        agi_target=None,
        agi_connector=_connect_to(reactor, lambda: built[-1].agi.port),
        recordings_dir=work,
        ami_users={settings.ami.username: settings.ami.secret.get_secret_value()},
        agi_script=DIGIT_IVR if flows_dir is None else ENTRY_FLOW,
        dialplan="inbound" if by_app_queue else "acd",
        epoch=epoch,
        queues=app_queue_members(queues, people) if by_app_queue else DEFAULT_QUEUES,
        survey_script=survey_script,
    )
    await pbx.startService()
    local = site_settings(
        settings,
        ami_port=pbx.ami_port,
        queues_file=queues_file,
        db_path=db_path,
        work=work,
        seed=seed,
        flows_dir=flows_dir,
    )
    migrate_database(local)
    local.queues.recording_dir.mkdir(exist_ok=True)  # the simulated Asterisk's spool
    clock = ScaledClock(reactor, speed, epoch=pbx.pbx.now())
    handlers: dict[str, Handler] = {}
    app = build(
        local,
        reactor,
        clock=clock,
        handlers=handlers if flows_dir is None else None,
        database_runner=database_runner,
    )
    built.append(app)
    if flows_dir is None:
        assert app.acd is not None, "a site always has a queue file"
        handlers[DIGIT_IVR] = digit_ivr(app.acd)
    app.root.startService()
    await app.agi.listening()
    await app.ami.when_ready()
    return Site(reactor, pbx, app, local, clock, work, built, database_runner, flows_dir is None)


def _connect_to(reactor: Any, port: Callable[[], int]) -> Callable[[Protocol], Deferred[Any]]:
    """The simulator's FastAGI connector, to a port only known once the app listens."""

    def connect(proto: Protocol) -> Deferred[Any]:
        try:
            where = port()
        except RuntimeError:  # switchboard stopped (a restart): the port refuses
            return fail(ConnectionRefusedError("switchboard is not listening"))
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", where, timeout=5)
        return connectProtocol(endpoint, proto)

    return connect
