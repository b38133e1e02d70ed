"""The composition root: every service is built here, from ``Settings``, and nowhere else.

Reading this module is reading the table of contents of a running switchboard: the
AMI client, the live call model on it, the ACD (when queues are configured), the tracker
of Asterisk's own queues (without a queue file, or for its ``app_queue`` queues), the IVR
flows served as FastAGI handlers, the FastAGI server, and the database.
"""

# test-case-name: tests.integration.test_app

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog
from twisted.application.service import MultiService
from twisted.internet.defer import Deferred

from switchboard.build_parts import build_database, build_flows
from switchboard.callrecord import CallRecordService, build_callrecord
from switchboard.config import Settings
from switchboard.control.service import ControlService
from switchboard.crm.contact import build_contact_tracker
from switchboard.cti.agi.channel import Handler
from switchboard.cti.agi.server import AgiServerService
from switchboard.cti.ami.service import AmiClient
from switchboard.cti.calls import CallTracker
from switchboard.hub import CALL, FACT, Hub
from switchboard.ivr_flows.errors import FlowError
from switchboard.ivr_flows.in_use import builtin_handlers
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ops import Health, Metrics, OpsSources
from switchboard.ops.metrics import tap_log_events
from switchboard.prompts.asterisk import PromptCheck
from switchboard.prompts.inventory import PromptInventory
from switchboard.queue.config.queue_file import QueueConfig, QueueConfigError, load_queue_config
from switchboard.queue.core.model import Agent, Queue
from switchboard.queue.core.stats import LiveStats
from switchboard.queue.shell.appqueue_control import AppQueueAgentControl
from switchboard.queue.shell.appqueue_service import AppQueueService
from switchboard.queue.shell.call_control import (
    AcdCallControl,
    AppQueueCallControl,
    CallControl,
    MixedCallControl,
)
from switchboard.queue.shell.control import AcdAgentControl, AgentControl
from switchboard.queue.shell.hold import HoldOptions
from switchboard.queue.shell.mixed_control import MixedAgentControl
from switchboard.queue.shell.service import AcdOptions, AcdService
from switchboard.queue.shell.watcher import QueueFileWatcher
from switchboard.recorder import Naming, RecorderService, build_recorder, build_retention
from switchboard.recorder.browser_audio import BrowserCopies
from switchboard.recorder.paths import PathMap
from switchboard.recorder.playback import RecordingPlayback
from switchboard.recorder.seat_link import SeatRecording
from switchboard.seat import SeatService, build_seat
from switchboard.store import Database, database_url, upgrade_database
from switchboard.supervise.monitor import Monitors
from switchboard.wallboard import WallboardService, build_wallboard

if TYPE_CHECKING:
    from switchboard.web import WebService

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class App:
    """The running pieces, for whoever needs to reach one (the CLI, tests, the demo)."""

    root: MultiService
    ami: AmiClient
    agi: AgiServerService
    flows: FlowHandlers
    database: Database
    hub: Hub
    calls: CallTracker
    acd: AcdService | None = None
    prompt_check: PromptCheck | None = None
    control: ControlService | None = None
    app_queue: AppQueueService | None = None
    agent_control: AgentControl | None = None
    stats: LiveStats | None = None  # both kinds of queue, side by side
    web: WebService | None = None
    seat: SeatService | None = None
    ops: Ops | None = None  # /healthz and /metrics
    wallboard: WallboardService | None = None
    recorder: RecorderService | None = None
    callrecord: CallRecordService | None = None


def build_ami(settings: Settings, reactor: Any) -> AmiClient:
    ami = AmiClient(settings.ami, reactor)
    ami.setName("ami")
    return ami


def build_agi(
    settings: Settings, reactor: Any, handlers: Mapping[str, Handler] | None = None
) -> AgiServerService:
    agi = AgiServerService(
        settings.agi,
        reactor,
        builtin_handlers(settings.flows) if handlers is None else handlers,
        ami_host=settings.ami.host,
    )
    agi.setName("agi")
    return agi


def build_acd(
    settings: Settings, clock: Any, database: Database, ami: AmiClient, hub: Hub
) -> AcdService | None:
    """switchboard's own ACD, when ``[queues] file`` describes queues and agents.

    Without it, a flow's ``queue`` step leaves the routing to the dialplan's ``Queue()``.
    """
    if settings.queues.file is None:
        return None
    config = load_queue_config(settings.queues.file)
    if not any(q.routing == "switchboard" for q in config.queues):
        return None
    zone = ZoneInfo(settings.queues.timezone)
    recording_dir = settings.queues.recording_dir
    if not recording_dir.is_dir():  # fine when Asterisk runs on another machine
        log.warning(
            "recording_dir_not_on_this_machine",
            dir=str(recording_dir),
            hint="it must exist, writable by Asterisk, where Asterisk runs",
        )
    hold = HoldOptions(
        recording_dir=str(recording_dir),
        recording_name=settings.queues.recording_name,
        timezone=zone,
    )
    options = AcdOptions(hold=hold, timezone=zone, seed=settings.queues.seed)
    acd = AcdService(
        config,
        clock,
        database=database,
        ami=ami,
        options=options,
        hub=hub,
    )
    acd.setName("acd")
    return acd


def build_app_queue(
    settings: Settings,
    clock: Any,
    database: Database,
    ami: AmiClient,
    hub: Hub,
    stats: LiveStats | None = None,
) -> AppQueueService | None:
    """Asterisk's own queues tracked from AMI: every queue AMI shows when there is no
    ``[queues] file``, else the file's ``routing: app_queue`` queues (None if it has none).
    ``stats``: the ACD's, so that both kinds of queue are counted in one set of figures."""
    queues: tuple[Queue, ...] | None = None
    agents: tuple[Agent, ...] = ()
    if settings.queues.file is not None:
        config = load_queue_config(settings.queues.file).routed_by("app_queue")
        if not config.queues:
            return None
        queues, agents = config.queues, config.agents
    tracker = AppQueueService(
        ami,
        clock,
        hub,
        database=database,
        queues=queues,
        agents=agents,
        timezone=ZoneInfo(settings.queues.timezone),
        stats=stats,
    )
    tracker.setName("app-queue")
    return tracker


def build_queue_watcher(settings: Settings, reactor: Any, acd: AcdService) -> QueueFileWatcher:
    """Hot reload of ``[queues] file``: a broken edit is logged and the old config serves."""
    assert settings.queues.file is not None
    watcher = QueueFileWatcher(
        settings.queues.file, acd, reactor, poll_interval_s=settings.queues.poll_interval_s
    )
    watcher.setName("queues-watcher")
    return watcher


def build_agent_control(
    settings: Settings,
    clock: Any,
    database: Database,
    ami: AmiClient,
    acd: AcdService | None,
    app_queue: AppQueueService | None = None,
) -> tuple[AgentControl, AppQueueAgentControl | None]:
    """Who logs agents in: the ACD for its queues; app_queue, through AMI, for Asterisk's
    (dynamic members, re-added after an Asterisk restart from the stored state); both,
    agent by agent, when the queue file mixes them. The second value is the app_queue
    side (a service to start, fed the hub's facts), if there is one."""
    reasons = settings.queues.pause_reasons
    if acd is not None and app_queue is None:
        return AcdAgentControl(acd, reasons), None
    config = QueueConfig(queues=(), agents=())
    if settings.queues.file is not None:  # its agents are app_queue's members
        config = load_queue_config(settings.queues.file)
    members = AppQueueAgentControl(ami, config.routed_by("app_queue"), clock, database, reasons)
    members.setName("appqueue-agents")
    if acd is None:
        return members, members
    return MixedAgentControl(AcdAgentControl(acd, reasons), members, config), members


def build_control(
    settings: Settings, reactor: Any, agents: AgentControl | None
) -> ControlService | None:
    """The loopback control endpoint (``switchboard agents ...``)."""
    if not settings.control.enabled:
        return None
    token = settings.control.token
    control = ControlService(
        agents,
        reactor,
        bind=settings.control.bind,
        port=settings.control.port,
        token=token.get_secret_value() if token is not None else None,
    )
    control.setName("control")
    return control


def build_prompt_check(
    ami: AmiClient, flows: FlowHandlers, inventory: PromptInventory
) -> PromptCheck:
    """Ask Asterisk which prompt files exist after each AMI login and each flows reload;
    the flows then skip the missing ones instead of failing on them."""
    check = PromptCheck(ami, lambda: flows.registry.flows.prompts, inventory)
    ami.on_resynced(check.request)
    flows.registry.on_loaded.append(lambda _flows: check.request() if ami.connected else None)
    return check


def build_web_tier(
    settings: Settings,
    reactor: Any,
    database: Database,
    *,
    seat: SeatService | None = None,
    rest: Mapping[str, Any] | None = None,
    sockets: list[Any] | None = None,
    wallboard: WallboardService | None = None,
    recordings: RecordingPlayback | None = None,
    clock: Any = None,
) -> WebService | None:
    """The web tier (login, the seat's pages, its API and its websocket) unless
    ``[web] enabled = false``; ``seat``: the seat service whose actions and feed it serves;
    ``rest``: the REST API's back-ends (:class:`switchboard.web.api.RestBackends` fields);
    ``sockets``: gets the seat websocket resource made (its open sockets are a metric);
    ``wallboard``: the wallboard service whose page and socket it serves; ``clock``: the
    time tickets are due on (the ACD's; the reactor unless given).

    Sessions and login limits run on the reactor's time, never a demo's faster clock: a
    session lasts its lifetime in real hours."""
    if not settings.web.enabled:
        return None
    from switchboard.web import build_web  # klein, jinja2, argon2: only when served
    from switchboard.web.api import RestBackends
    from switchboard.web.api.crm_routes import crm_backends
    from switchboard.web.customer_pages import customer_routes
    from switchboard.web.reports_page import reports_routes
    from switchboard.web.tickets_pages import ticket_routes
    from switchboard.web.tickets_seat import seat_ticket_routes
    from switchboard.web.wallboard_ws.page import wallboard_routes as wallboard_page
    from switchboard.web.ws import seat_resource

    def seat_socket(sessions: Any) -> Any:
        assert seat is not None
        made = seat_resource(seat.feed, sessions, allowed_origin=settings.web.origin, clock=reactor)
        if sockets is not None:
            sockets.append(made)
        return made

    extra = [seat_ticket_routes(None if seat is None else seat.tickets)]
    if wallboard is not None:
        extra.append(wallboard_page(wallboard.feed, reactor))
    policy = seat.tickets.policy if seat is not None and seat.tickets is not None else None
    if policy is not None:  # else the seat has logged why: [crm]'s calendar
        extra.append(ticket_routes(database, policy, (clock or reactor).seconds))
    queue_names = (rest or {}).get("queue_config", dict)
    extra.append(reports_routes(settings.reports, lambda: sorted(queue_names())))
    extra.append(
        customer_routes(database, seat.actions.access if seat else None, (clock or reactor).seconds)
    )
    return build_web(
        settings.web,
        reactor,
        database,
        seat=None if seat is None else seat.actions,
        ws_resource_for=None if seat is None else seat_socket,
        rest=None
        if rest is None
        else RestBackends(
            database, **rest, crm=crm_backends(settings, seat.actions.access if seat else None)
        ),
        extra_routes=extra,
        recordings=recordings,
        site_labels={
            "disposition.": settings.seat.disposition_labels,
            "pause_reason.": settings.queues.pause_reason_labels,
        },
    )


def build_playback(
    settings: Settings, database: Database, reactor: Any, recorder: RecorderService | None
) -> RecordingPlayback:
    """Who may hear which recording, on the web tier; the files served only from the
    ACD's recording folder and the ``[recorder] path_map`` folders, as seen here."""
    paths = PathMap(settings.recorder.path_map)
    roots = (paths.local(str(settings.queues.recording_dir)), *paths.roots())
    return RecordingPlayback(
        database,
        paths,
        roots,
        reactor.seconds,
        agent_may_play=settings.recorder.agent_may_play,
        recorder=recorder,
        copies=BrowserCopies(),  # wav49, gsm … converted for the player
    )


@dataclass(frozen=True)
class Ops:
    health: Health
    metrics: Metrics


def build_ops(
    database: Database,
    reactor: Any,
    ami: AmiClient,
    agi: AgiServerService,
    stats: LiveStats | None,
    clock: Any,
    sockets: list[Any],
) -> Ops:
    """What /healthz and /metrics read: AMI, FastAGI, the database (on the reactor's
    time: latency is real time), the queues' live figures (on the ACD's clock)."""

    def agi_listening() -> bool:
        try:
            return agi.port > 0
        except RuntimeError:  # not bound yet, or stopped
            return False

    sources = OpsSources(
        database,
        reactor,
        ami_connected=lambda: ami.connected,
        agi_listening=agi_listening,
        agi_active=lambda: len(agi.factory.active),
        queues=lambda: stats.queues(clock.seconds()) if stats is not None else (),
        websocket_clients=lambda: sum(len(r.factory.sockets) for r in sockets),
    )
    return Ops(Health(sources), Metrics(sources))


def queue_config(
    acd: AcdService | None, app_queue: AppQueueService | None
) -> tuple[list[Queue], list[Agent]]:
    """The queues and agents of both routing modes as they are now (the wallboard's)."""
    queues: list[Queue] = list(acd.router.queues.values()) if acd else []
    agents: list[Agent] = list(acd.config.agents) if acd else []
    if app_queue is not None:
        queues += app_queue.tracker.queues.values()
        agents += app_queue.tracker.agents()
    return queues, agents


def build(
    settings: Settings,
    reactor: Any,
    *,
    handlers: Mapping[str, Handler] | None = None,
    clock: Any = None,
    database_runner: Callable[[Callable[[], Any]], Deferred[Any]] | None = None,
) -> App:
    """Wire every service from settings. Nothing starts until ``root.startService()``.

    ``handlers`` replaces the flows (tests, the demo's digit menu); by default every flow
    is served. ``clock`` is the time the ACD and the flows run on (an ``IReactorTime``;
    by default the reactor): the demo hands in its simulated PBX's faster clock.
    ``database_runner``: see :func:`build_database` (tests on a fake clock).
    """
    clock = reactor if clock is None else clock
    root = MultiService()
    hub = Hub()  # publishers get it here; so do subscribers (the seat, the wallboard next)
    database = build_database(settings, reactor, runner=database_runner)
    ami = build_ami(settings, reactor)
    ami.setServiceParent(root)
    # The live call model; on the ACD's clock so its times compare with the ACD's facts.
    calls = CallTracker(ami, clock, lambda change: hub.publish(CALL, change))
    calls.setName("calls")
    calls.setServiceParent(root)
    acd = build_acd(settings, clock, database, ami, hub)
    if acd is not None:
        acd.setServiceParent(root)
        build_queue_watcher(settings, reactor, acd).setServiceParent(root)
    app_queue = build_app_queue(settings, clock, database, ami, hub, acd.stats if acd else None)
    if app_queue is not None:
        app_queue.setServiceParent(root)
    inventory = PromptInventory()
    flows = build_flows(settings, reactor, database, acd, now=clock.seconds, prompts=inventory)
    flows.setServiceParent(root)
    prompt_check = build_prompt_check(ami, flows, inventory)
    agi = build_agi(settings, reactor, flows if handlers is None else handlers)
    agi.setServiceParent(root)
    agent_control, members = build_agent_control(settings, clock, database, ami, acd, app_queue)
    if members is not None:
        members.setServiceParent(root)
        hub.subscribe(FACT, members.on_fact)  # live states and wrap-up from the tracker
    control = build_control(settings, reactor, agent_control)
    if control is not None:
        control.setServiceParent(root)
    # Recordings: ended calls' files checked and indexed, from the hub and AMI (file
    # checks run where the database work runs when a test gives a runner).
    recorder = build_recorder(
        settings.recorder,
        reactor,
        clock,
        database,
        hub,
        ami,
        run_check=database_runner,
        naming=Naming(
            str(settings.queues.recording_dir),
            settings.queues.recording_name,
            ZoneInfo(settings.queues.timezone),
        ),
    )
    if recorder is not None:
        recorder.setServiceParent(root)
    retention = build_retention(settings.recorder, settings.queues.timezone, clock, database)
    if retention is not None:  # each night, off the reactor thread
        retention.setServiceParent(root)
    # The seat: its feed hears the hub; its actions drive agent control and the recorder.
    seat = build_seat(
        settings,
        clock,
        database,
        hub,
        agent_control,
        recording=None if recorder is None else SeatRecording(recorder),
    )
    seat.setServiceParent(root)
    build_contact_tracker(settings.crm, database, hub).setServiceParent(root)  # last contact
    # One durable row per call and per leg, from the hub's call and fact topics.
    callrecord = build_callrecord(reactor, clock, database, hub)
    callrecord.setServiceParent(root)
    stats = acd.stats if acd else app_queue.stats if app_queue else None
    rest: dict[str, Any] = {
        "now": clock.seconds,
        "reports": settings.reports,
        "agents": agent_control,
        "stats": stats,
        "queue_config": lambda: {
            **(app_queue.tracker.queues if app_queue else {}),
            **(acd.router.queues if acd else {}),
        },
    }
    sockets: list[Any] = []
    ops = build_ops(database, reactor, ami, agi, stats, clock, sockets)
    hub.subscribe(FACT, ops.metrics.on_fact)
    monitors = Monitors(ami, calls.model.live_calls, database, clock.seconds)
    monitors.start()  # ChanSpyStart/Stop close each listen/whisper/barge in the log
    rest.update(health=ops.health, metrics=ops.metrics, monitors=monitors)
    rest["recording_of"] = lambda call_id: getattr(calls.model.call(call_id), "recording", None)
    rest["calls"] = build_call_control(ami, acd, app_queue)  # supervisors' priority and move
    wallboard = build_wallboard(
        settings, clock, database, hub, lambda: queue_config(acd, app_queue)
    )
    wallboard.setServiceParent(root)
    playback = build_playback(settings, database, reactor, recorder)
    playback.copies.setName("recording-copies")  # removed when switchboard stops
    playback.copies.setServiceParent(root)
    web = build_web_tier(
        settings,
        reactor,
        database,
        seat=seat,
        rest=rest,
        sockets=sockets,
        wallboard=wallboard,
        recordings=playback,
        clock=clock,
    )
    if web is not None:
        web.setServiceParent(root)
    return App(
        root=root,
        ami=ami,
        agi=agi,
        flows=flows,
        database=database,
        hub=hub,
        calls=calls,
        acd=acd,
        prompt_check=prompt_check,
        control=control,
        app_queue=app_queue,
        agent_control=agent_control,
        stats=stats,
        web=web,
        seat=seat,
        ops=ops,
        wallboard=wallboard,
        recorder=recorder,
        callrecord=callrecord,
    )


def migrate_database(settings: Settings) -> None:
    """Bring the schema up to date before :func:`build` (``serve`` and the demo do)."""
    url = database_url(settings.database)
    upgrade_database(url)
    log.info("database_ready", url=url.render_as_string(hide_password=True))


def run_until_stopped(settings: Settings, reactor: Any) -> int:
    """Migrate the schema, start everything, run the reactor until SIGINT/SIGTERM."""
    log_events = tap_log_events()  # before any logger caches its chain: see LogEventTap
    migrate_database(settings)
    try:
        app = build(settings, reactor)
    except (QueueConfigError, FlowError) as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 2
    if app.ops is not None:
        log_events.metrics = app.ops.metrics  # FastAGI refusals, IVR flow errors
    exit_code = [0]

    def listen_failed(failure: Any) -> None:
        exit_code[0] = 1
        log.error("startup_failed", error=failure.getErrorMessage())
        reactor.stop()

    def start() -> None:
        app.root.startService()
        app.agi.listening().addErrback(listen_failed)
        log.info("switchboard_started", agi_port=settings.agi.port, ami_host=settings.ami.host)

    reactor.callWhenRunning(start)
    reactor.addSystemEventTrigger("before", "shutdown", app.root.stopService)
    reactor.addSystemEventTrigger("after", "shutdown", app.database.close)
    reactor.run()
    log.info("switchboard_stopped")
    return exit_code[0]


def build_call_control(
    ami: Any, acd: AcdService | None, app_queue: AppQueueService | None
) -> CallControl | None:
    """Waiting callers' priority and queue, in the ACD's queues, app_queue's, or both."""
    on_acd = AcdCallControl(acd) if acd is not None else None
    on_app_queue = AppQueueCallControl(ami, app_queue.tracker) if app_queue is not None else None
    if on_acd is not None and on_app_queue is not None:
        return MixedCallControl(on_acd, on_app_queue)
    return on_acd or on_app_queue
