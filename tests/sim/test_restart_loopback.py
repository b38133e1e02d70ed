# -*- test-case-name: tests.sim.test_restart_loopback -*-
"""The real AMI client rides out a simulated ``core restart now`` over loopback sockets.

The client is logged in with a caller held in a FastAGI session (the capture's
``acd-hold`` script, variant ``hold``). A second connection sends ``core restart now``.
The client sees the calls torn down, ``Event: Shutdown`` and the close; it retries with
back-off (jitter injected as 0), is refused with ``Asterisk is shutting down`` while the
old process winds down, logs in to the new one, and its ``on_resynced`` callback
rebuilds the channel list with ``send_list``. Subscriptions made before the restart get
the events of a call placed after it. Simulated time runs fast; the restart's
refusal window is stretched (``BOOT_S``) so that the client's retries meet it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.protocol import Factory
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from switchboard.config.model import AmiSettings
from switchboard.cti.ami import EventList, Message, actions
from switchboard.cti.ami.service import AmiClient
from switchboard.sim._restart import RestartTiming
from switchboard.sim.replay_connections import HoldScript
from switchboard.sim.service import Scenario, ScriptedCall, SimulatedPbx

SPEED = 40.0
SECRET = "sim-secret"
BOOT_S = 16.0  # simulated s: ~0.4 s of refusals at SPEED, several client retries


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor


def _until(reactor: Any, check: Any, limit_s: float = 5.0) -> defer.Deferred[None]:
    """Poll ``check()`` every 10 ms; fail after ``limit_s`` (bounded waits only)."""

    async def wait() -> None:
        for _ in range(int(limit_s / 0.01)):
            if check():
                return
            await deferLater(reactor, 0.01, lambda: None)
        raise AssertionError(f"condition not met within {limit_s}s: {check}")

    return defer.Deferred.fromCoroutine(wait())


class RestartOverLoopbackTest(TestCase):
    timeout = 20

    def _spool(self) -> Path:
        folder = tempfile.mkdtemp(prefix="switchboard-sim-restart-")
        self.addCleanup(shutil.rmtree, folder, True)
        return Path(folder)

    @defer.inlineCallbacks
    def test_client_reconnects_after_core_restart_and_resyncs(self) -> defer.Generator:
        reactor = _reactor()
        spool = self._spool()
        scripts: list[HoldScript] = []

        def script() -> HoldScript:
            scripts.append(HoldScript(spool))
            return scripts[-1]

        agi_port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
            Factory.forProtocol(script)
        )
        self.addCleanup(agi_port.stopListening)
        sim = SimulatedPbx(
            reactor,
            Scenario(max_duration_s=3600.0),
            seed=5,
            speed=SPEED,
            agi_target=("127.0.0.1", agi_port.getHost().port),
            agi_script="acd-hold",
            dialplan="acd",
            recordings_dir=spool,
            ami_users={"switchboard": SECRET},
            restart_timing=RestartTiming(boot_s=BOOT_S),
        )
        yield sim.startService()
        self.addCleanup(sim.stopService)
        settings = AmiSettings(
            host="127.0.0.1",
            port=sim.ami_port,
            auth="md5",
            secret=SECRET,
            reconnect_initial_delay_s=0.05,
            reconnect_max_delay_s=0.2,
        )
        client = AmiClient(settings, reactor, jitter=lambda: 0.0)
        events: list[Message] = []
        client.subscribe("*", events.append)
        resyncs: list[defer.Deferred[tuple[EventList, EventList]]] = []

        def resync() -> None:
            # What the call model does after a (re)login: rebuild from lists.
            both = defer.gatherResults(
                [
                    client.send_list(actions.core_show_channels()),
                    client.send_list(actions.status()),
                ]
            )
            resyncs.append(both.addCallback(tuple))  # type: ignore[arg-type]

        client.on_resynced(resync)
        client.startService()
        self.addCleanup(client.stopService)
        yield client.when_ready(fail_after_failures=1)
        self.assertEqual(len(resyncs), 1)

        # A caller held by the FastAGI script (MOH while it idles).
        sim.place(ScriptedCall(at_s=0.0, number="5559001", name="Rita Reconnect"))
        yield _until(reactor, lambda: any(m.event == "MusicOnHoldStart" for m in events))
        listed: EventList = yield client.send_list(actions.core_show_channels())
        self.assertEqual(len(listed.items), 2)
        old = sim.handler

        # A second connection restarts the PBX; its Command never gets a response.
        other = AmiClient(
            AmiSettings(host="127.0.0.1", port=sim.ami_port, secret=SECRET, events="off"),
            reactor,
            jitter=lambda: 0.0,
        )
        other.startService()
        yield other.when_ready(fail_after_failures=1)
        unanswered = other.send(actions.command("core restart now"))
        unanswered.addErrback(lambda _: None)  # fails when the connection closes
        yield other.stopService()  # it does not retry: every refused login is `client`'s

        # The new process is up and the client has logged in to it again.
        yield _until(reactor, lambda: sim.restarts == 1 and len(resyncs) == 2)
        names = [m.event for m in events]
        shutdown = names.index("Shutdown")
        torn = [(m.event, m.get("Cause")) for m in events[:shutdown] if m.event == "Hangup"]
        self.assertEqual(torn[-2:], [("Hangup", "0"), ("Hangup", "0")])
        causes = {m.get("Cause") for m in events if m.event == "SoftHangupRequest"}
        self.assertIn("4", causes)
        self.assertEqual(events[shutdown].get("Restart"), "True")
        self.assertGreaterEqual(old.refused_logins, 2)  # "Asterisk is shutting down"
        self.assertEqual([s.hangups for s in scripts], [2])
        channels, status = yield resyncs[-1]
        self.assertEqual((len(channels.items), channels.declared_items), (0, 0))
        self.assertEqual((len(status.items), status.response.get("Response")), (0, "Success"))

        # Subscriptions made before the restart see a call placed after it.
        seen = len(events)
        sim.place(ScriptedCall(at_s=0.0, number="5559002", name="Second Caller"))
        yield _until(
            reactor,
            lambda: any(m.event == "MusicOnHoldStart" for m in events[seen:]),
        )
        fresh = next(m for m in events[seen:] if m.event == "Newchannel")
        self.assertTrue((fresh.get("Channel") or "").endswith("-00000000;1"))
        listed = yield client.send_list(actions.core_show_channels())
        self.assertEqual(len(listed.items), 2)
