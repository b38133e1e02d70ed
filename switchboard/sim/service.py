# -*- test-case-name: tests.sim.test_loopback -*-
"""``SimulatedPbx``: the simulator as a Twisted service on 127.0.0.1 (tests, demo, CLI).

Start one with N agents and a stream of scripted callers against a FastAGI server::

    scenario = Scenario(random_calls=20, max_duration_s=600)
    pbx = SimulatedPbx(reactor, scenario, seed=7, speed=10.0, ami_port=0,
                       agi_target=("127.0.0.1", agi.port), queues=agent_queues(4))
    await pbx.startService()
    pbx.ami_port  # the bound AMI port

Every call's AGI request is ``agi://<host>:<port>/<agi_script>``; with
``dialplan="acd"`` calls run ``switchboard-acd-ivr`` (the FastAGI session holds the
caller and dials agents itself) instead of ``switchboard-ivr`` (app_queue after the AGI);
``dialplan="inbound"`` runs docs/asterisk.md's ``switchboard-inbound`` (``Queue()`` on
the ``SWITCHBOARD_QUEUE`` the IVR set).
With ``survey_script="csat"``, a caller whose agent hangs up first stays on (``Queue()``
option ``g``) for ``AGI(agi://<host>:<port>/csat)``, the post-call survey.

``core restart now`` (an AMI ``Command`` from any session, or :meth:`SimulatedPbx.restart`)
restarts the simulated process on the same port as ``ami-reconnect`` shows: calls torn
down, ``Event: Shutdown``, connections closed, logins refused until a fresh PBX is up.
Scripted calls not yet placed are not placed by the new process.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import structlog
from twisted.application.service import Service
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint, connectProtocol
from twisted.internet.interfaces import IListeningPort, IReactorTCP, IReactorTime
from twisted.internet.protocol import Protocol

from switchboard.sim._actions import ActionHandler
from switchboard.sim._dialplan import Dialplan, OriginateRequest
from switchboard.sim._restart import Restarter, RestartTiming
from switchboard.sim._shutdown import hang_up_everything
from switchboard.sim.ami import AmiServerFactory
from switchboard.sim.pbx import DEFAULT_QUEUES, Member, Pbx, PbxConfig, QueueConfig
from switchboard.sim.scenario import Scenario, ScriptedCall

__all__ = ["Scenario", "ScriptedCall", "SimulatedPbx", "agent_queues"]

log = structlog.get_logger(__name__)

# Where placed calls start, by ``dialplan``: the captured test PBX's IVR then app_queue
# ("queue"), the ACD holding the caller in FastAGI ("acd"), or docs/asterisk.md's
# dialplan, where Queue() follows the IVR's SWITCHBOARD_QUEUE ("inbound").
IVR_CONTEXTS = {
    "queue": "switchboard-ivr",
    "acd": "switchboard-acd-ivr",
    "inbound": "switchboard-inbound",
}


def agent_queues(n: int, queues: tuple[str, ...] = ("sales", "support")) -> tuple[QueueConfig, ...]:
    """``n`` agents per queue: ``agent1001..`` in the first, ``agent2001..`` in the next."""
    return tuple(
        QueueConfig(
            name,
            tuple(
                Member(
                    f"Local/agent{q + 1}{i + 1:03d}@switchboard-agents/n",
                    f"Agent {q + 1}{i + 1:03d}",
                )
                for i in range(n)
            ),
        )
        for q, name in enumerate(queues)
    )


class SimulatedPbx(Service):
    """AMI on 127.0.0.1:``ami_port`` (0 = any free port); FastAGI calls to ``agi_target``.

    ``epoch``: the wall-clock moment (epoch seconds) simulated time starts from.
    """

    def __init__(
        self,
        reactor: Any,
        scenario: Scenario,
        seed: int = 1,
        speed: float = 1.0,
        ami_port: int = 0,
        agi_target: tuple[str, int] | None = ("127.0.0.1", 4573),
        recordings_dir: Path = Path("recordings"),
        ami_users: dict[str, str] | None = None,
        *,
        agi_script: str = "main-menu",
        queues: tuple[QueueConfig, ...] = DEFAULT_QUEUES,
        dialplan: str = "queue",
        agi_connector: Callable[[Protocol], Deferred[object]] | None = None,
        shutdown_grace_s: float = 1.0,
        survey_script: str = "",
        restart_timing: RestartTiming | None = None,
        epoch: float | None = None,
    ) -> None:
        self._reactor = reactor
        self.scenario = scenario
        self.rng = random.Random(scenario.seed if scenario.seed is not None else seed)
        host, port = agi_target or ("127.0.0.1", 4573)
        config = PbxConfig(
            queues=queues,
            agi_url=f"agi://{host}:{port}/{agi_script}",
            spool_dir=recordings_dir,
            ami_users=ami_users or {"switchboard": "switchboard"},
            agents=dict(scenario.agents),
        )
        self._config, self._speed, self._survey_script = config, speed, survey_script
        self._agi = agi_connector or (self._connect if agi_target else None)
        self.pbx, self.dialplan = self._boot(epoch)
        self.shutdown_grace_s = shutdown_grace_s
        self.restart_timing = restart_timing or RestartTiming()
        self._factory: AmiServerFactory[ActionHandler] | None = None
        self._restarter: Restarter | None = None
        self.ivr_context = IVR_CONTEXTS.get(dialplan, "switchboard-ivr")
        self._agi_target = agi_target
        self._ami_port = ami_port
        self._port: IListeningPort | None = None
        self._timers: list[Any] = []
        self.placed = 0

    @property
    def ami_port(self) -> int:
        """The bound AMI port (after ``startService`` has fired)."""
        assert self._port is not None, "not started"
        host = self._port.getHost()
        assert isinstance(host, (IPv4Address, IPv6Address)), host
        return host.port

    def _boot(self, epoch: float | None) -> tuple[Pbx, Dialplan]:
        """A fresh PBX process: no channels, globals or cached state; ids from zero."""
        clock: IReactorTime = self._reactor
        pbx = Pbx(
            clock,
            self._config,
            speed=self._speed,
            talk_time=lambda lo, hi: float(self.rng.randint(int(lo), int(hi))),
            **({} if epoch is None else {"epoch": epoch}),  # type: ignore[arg-type]
        )
        dialplan = Dialplan(pbx, self.rng, self._agi)
        dialplan.survey_script = self._survey_script
        return pbx, dialplan

    def _reboot(self) -> ActionHandler:
        self.pbx, self.dialplan = self._boot(self.pbx.now())
        return ActionHandler(self.pbx, self.dialplan)

    def restart(self) -> None:
        """``core restart now``, as an AMI ``Command`` from any session does it:
        calls torn down, ``Event: Shutdown``, connections closed, logins refused with
        ``Asterisk is shutting down`` until the fresh process is up on the same port
        (timings in :class:`RestartTiming`, simulated seconds)."""
        assert self._restarter is not None, "not started"
        self._restarter.restart()

    @property
    def handler(self) -> ActionHandler:
        """The running process's AMI action handler (replaced at each restart)."""
        assert self._factory is not None, "not started"
        return self._factory.handler

    @property
    def restarts(self) -> int:
        """How many restarts have completed."""
        return self._restarter.restarts if self._restarter is not None else 0

    def _connect(self, proto: Protocol) -> Deferred[object]:
        assert self._agi_target is not None
        tcp: IReactorTCP = self._reactor
        endpoint = TCP4ClientEndpoint(tcp, self._agi_target[0], self._agi_target[1], timeout=5)
        return connectProtocol(endpoint, proto)

    def startService(self) -> Deferred[None]:  # type: ignore[override]
        super().startService()
        factory = self._factory = AmiServerFactory(ActionHandler(self.pbx, self.dialplan))
        self._restarter = Restarter(
            self._reactor, factory, self._reboot, speed=self._speed, timing=self.restart_timing
        )
        endpoint = TCP4ServerEndpoint(self._reactor, self._ami_port, interface="127.0.0.1")
        d = endpoint.listen(factory)

        def listening(port: IListeningPort) -> None:
            self._port = port
            log.info("sim_started", ami_port=self.ami_port, calls=len(self.scenario.calls))
            for call in self.scenario.all_calls(self.rng):
                if call.at_s <= self.scenario.max_duration_s:
                    self._timers.append(self.pbx.call_later(call.at_s, partial(self.place, call)))
            self._timers.append(self.pbx.call_later(self.scenario.max_duration_s, self._stop_calls))

        d.addCallback(listening)
        return d

    def place(self, call: ScriptedCall) -> Deferred[tuple[str, object]]:
        """Originate one scripted call into the IVR (as the captures' driver did)."""
        self.placed += 1
        variables = {
            "dtmf": [
                ("CALLER_DIGITS", call.digits),
                ("CALLER_DTMF_DELAY", str(call.delay_s)),
                ("CALLER_DIGITS2", call.more_digits),
                ("CALLER_DTMF_DELAY2", "1"),
            ],
            "abandon": [("CALLER_ABANDON_AFTER", str(call.abandon_after_s))],
        }.get(call.behaviour, [("CALLER_NOTE", "none")])
        log.info("sim_call_placed", number=call.number, behaviour=call.behaviour)
        return self.dialplan.originate(
            OriginateRequest(  # type: ignore[return-value]
                channel=f"Local/s@{self.ivr_context}",
                context="switchboard-caller",
                exten=call.behaviour,
                caller_num=call.number,
                caller_name=call.name,
                variables=variables,
                script=call,
            )
        )

    def _stop_calls(self) -> None:
        log.info("sim_max_duration_reached", channels=len(self.pbx.channels))
        for chan in list(self.pbx.channels.values()):
            if not chan.soft_hangup:
                self.pbx.hangup_request(chan)

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        """Hang up every live call (FastAGI sessions get ``HANGUP`` and are closed),
        send ``Event: Shutdown``, close the AMI sessions and stop listening.

        Fires once nothing of the PBX is left on the clock (at most
        ``shutdown_grace_s`` clock seconds later), so Ctrl-C mid-call stops cleanly.
        """
        super().stopService()
        for timer in self._timers:
            if timer.active():
                timer.cancel()
        self._timers.clear()
        if self._restarter is not None:
            self._restarter.cancel()
        return Deferred.fromCoroutine(self._shut_down())

    async def _shut_down(self) -> None:
        await hang_up_everything(self.pbx, self.dialplan, self.shutdown_grace_s)
        if self._factory is not None:
            self._factory.shut_down()
        if self._port is not None:
            port, self._port = self._port, None
            await maybeDeferred(port.stopListening)
        log.info("sim_stopped", placed=self.placed)
