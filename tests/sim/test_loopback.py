# -*- test-case-name: tests.sim.test_loopback -*-
"""The simulated PBX over real loopback sockets, driven by switchboard's own clients.

The real :class:`AmiClient` logs in to the simulator's AMI server, and the real
:class:`AgiServerService` running the built-in ``main-menu`` serves the simulator's
FastAGI calls: one caller goes IVR → queue → agent → hang-up end to end. Simulated
time runs fast (``SPEED``), so a call of ~20 simulated seconds takes well under one
real second. The sockets are the point here (layer ``socket``); the other end-to-end
tests run on a fake clock (``switchboard.testing.simnet``). Nothing polls: every wait
is on an event, bounded by trial's ``timeout``.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.internet.protocol import ProcessProtocol
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase

from switchboard.config.model import AgiSettings, AmiSettings
from switchboard.cti.agi.builtin import BUILTIN_HANDLERS
from switchboard.cti.agi.server import AgiServerService
from switchboard.cti.ami import EventList, Message, actions
from switchboard.cti.ami.service import AmiClient
from switchboard.sim.service import Scenario, ScriptedCall, SimulatedPbx

SPEED = 40.0
SECRET = "sim-secret"
AMI_PORT = re.compile(rb"ami_port\W+(\d+)")  # in a JSON or a console log line


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor


class _TempPaths:
    """trial's mktemp() writes below the working directory; keep test files in /tmp."""

    def temp_path(self) -> str:
        folder = tempfile.mkdtemp(prefix="switchboard-sim-test-")
        self.addCleanup(shutil.rmtree, folder, True)  # type: ignore[attr-defined]
        return str(Path(folder) / "x")

    @defer.inlineCallbacks
    def listening_agi(self, reactor: Any) -> defer.Generator:
        """The built-in FastAGI script on a free loopback port, stopped after the test."""
        agi = AgiServerService(AgiSettings(bind="127.0.0.1", port=0), reactor, BUILTIN_HANDLERS)
        agi.startService()
        self.addCleanup(agi.stopService)  # type: ignore[attr-defined]
        yield agi.listening()
        return agi


class EndToEndTest(_TempPaths, TestCase):
    timeout = 20

    @defer.inlineCallbacks
    def test_ivr_queue_agent_hangup_over_loopback(self) -> defer.Generator:
        reactor = _reactor()
        agi = yield self.listening_agi(reactor)
        # Caller 5551002 presses 2 (support); the scenario starts 1 simulated s after start.
        scenario = Scenario(
            calls=(
                ScriptedCall(
                    at_s=1.0,
                    number="5551002",
                    name="Bob Customer",
                    behaviour="dtmf",
                    digits="2",
                    delay_s=1.0,
                    more_digits="#",
                ),
            ),
            max_duration_s=120.0,
        )
        sim = SimulatedPbx(
            reactor,
            scenario,
            seed=3,
            speed=SPEED,
            ami_port=0,
            agi_target=("127.0.0.1", agi.port),
            recordings_dir=Path(self.temp_path()),
            ami_users={"switchboard": SECRET},
        )
        yield sim.startService()
        self.addCleanup(sim.stopService)
        client = AmiClient(
            AmiSettings(host="127.0.0.1", port=sim.ami_port, auth="md5", secret=SECRET), reactor
        )
        events: list[Message] = []
        done: defer.Deferred[None] = defer.Deferred()

        def on_event(m: Message) -> None:
            events.append(m)
            if (
                m.event == "Hangup"
                and m.get("Channel", "").endswith(";1")
                and (m.get("Context") == "switchboard-caller")
                and not done.called
            ):
                done.callback(None)

        client.subscribe("*", on_event)
        client.startService()
        self.addCleanup(client.stopService)
        yield client.when_ready(fail_after_failures=1)
        pong = yield client.send(actions.ping())
        self.assertEqual(pong.get("Ping"), "Pong")
        yield done
        names = [m.event for m in events]
        for expected in (
            "Newchannel",
            "AGIExecStart",
            "QueueCallerJoin",
            "AgentCalled",
            "AgentConnect",
            "BridgeEnter",
            "AgentComplete",
            "Hangup",
        ):
            self.assertIn(expected, names)
        agi_sets = [
            m.get("Value")
            for m in events
            if m.event == "VarSet" and m.get("Variable") == "SWITCHBOARD_QUEUE"
        ]
        self.assertEqual(agi_sets, ["support"])
        status = [
            m.get("Value")
            for m in events
            if m.event == "VarSet" and m.get("Variable") == "AGISTATUS"
        ]
        self.assertEqual(status, ["SUCCESS"])
        joined = next(m for m in events if m.event == "QueueCallerJoin")
        self.assertEqual(joined.get("Queue"), "support")
        # Events arrive unchanged: every header the simulator produced, in its order.
        connect = next(m for m in events if m.event == "AgentConnect")
        self.assertEqual(connect.headers[1], ("Privilege", "agent,all"))
        queues = yield client.send_list(actions.queue_summary())
        self.assertIsInstance(queues, EventList)
        self.assertEqual(queues.declared_items, 2)


class _Collect(ProcessProtocol):
    """The process's output; ``listening`` fires with the AMI port once it logs it."""

    def __init__(self) -> None:
        self.out = b""
        self.ended: defer.Deferred[int] = defer.Deferred()
        self.listening: defer.Deferred[int] = defer.Deferred()

    def outReceived(self, data: bytes) -> None:
        self.out += data
        for line in self.out.splitlines():
            found = AMI_PORT.search(line)
            if b"sim_listening" in line and found and not self.listening.called:
                self.listening.callback(int(found.group(1)))

    def errReceived(self, data: bytes) -> None:
        self.outReceived(data)

    def processEnded(self, reason: Failure) -> None:
        self.ended.callback(getattr(reason.value, "exitCode", None) or 0)


class CommandLineTest(_TempPaths, TestCase):
    timeout = 30

    @defer.inlineCallbacks
    def test_switchboard_sim_starts_accepts_a_login_and_stops(self) -> defer.Generator:
        reactor = _reactor()
        ready = Path(self.temp_path())
        proto = _Collect()
        argv = [
            sys.executable,
            "-m",
            "switchboard.sim",
            "--ami-port",
            "0",
            "--port-file",
            str(ready),
            "--agi",
            "127.0.0.1:1",
            "--speed",
            "1",
            "--max-duration",
            "600",  # it would stop by itself after 10 minutes; SIGTERM stops it first
            "--calls",
            "0",
            "--secret",
            SECRET,
            "--recordings",
            self.temp_path(),
        ]
        transport = reactor.spawnProcess(proto, sys.executable, argv, env=None)
        self.addCleanup(lambda: proto.ended.called or transport.signalProcess("KILL"))
        port = yield proto.listening
        client = AmiClient(
            AmiSettings(host="127.0.0.1", port=port, auth="plain", secret=SECRET), reactor
        )
        client.startService()
        yield client.when_ready(fail_after_failures=1)
        pong = yield client.send(actions.ping())
        self.assertEqual(pong.get("Ping"), "Pong")
        yield client.stopService()
        transport.signalProcess("TERM")  # as an operator or a service manager stops it
        code = yield proto.ended
        self.assertEqual(code, 0, proto.out.decode(errors="replace"))
        self.assertEqual(ready.read_text(), str(port))  # for scripts that start it
