# -*- test-case-name: tests.sim.test_restart_e2e -*-
"""The real AMI client rides out a simulated ``core restart now``, on a SimNet.

The client is logged in with a caller held in a FastAGI session (the capture's
``acd-hold`` script, variant ``hold``). A second connection sends ``core restart now``.
The client sees the calls torn down, ``Event: Shutdown`` and the close; it retries with
back-off (jitter injected as 0), is refused with ``Asterisk is shutting down`` while the
old process winds down, logs in to the new one, and its ``on_resynced`` callback
rebuilds the channel list with ``send_list``. Subscriptions made before the restart get
the events of a call placed after it. Client, PBX and FastAGI script share one fake
clock and in-memory connections (a clock second is a simulated second); the restart's
refusal window (``BOOT_S``) is long enough for several of the client's retries.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from twisted.internet import defer
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.protocol import Factory
from twisted.trial.unittest import SynchronousTestCase

from switchboard.config.model import AmiSettings
from switchboard.cti.ami import EventList, Message, actions
from switchboard.cti.ami.service import AmiClient
from switchboard.sim._restart import RestartTiming
from switchboard.sim.replay_connections import HoldScript
from switchboard.sim.service import Scenario, ScriptedCall, SimulatedPbx
from switchboard.testing.simnet import SimNet

SECRET = "sim-secret"
BOOT_S = 16.0  # simulated s of refused logins: several client retries meet it
LIMIT_S = 120.0  # simulated s any one step may take


class RestartTest(SynchronousTestCase):
    def _spool(self) -> Path:
        folder = tempfile.mkdtemp(prefix="switchboard-sim-restart-")
        self.addCleanup(shutil.rmtree, folder, True)
        return Path(folder)

    def test_client_reconnects_after_core_restart_and_resyncs(self) -> None:
        net = SimNet()
        spool = self._spool()
        scripts: list[HoldScript] = []

        def script() -> HoldScript:
            scripts.append(HoldScript(spool))
            return scripts[-1]

        agi_port = net.wait(
            TCP4ServerEndpoint(net, 0, interface="127.0.0.1").listen(Factory.forProtocol(script))
        )
        self.addCleanup(agi_port.stopListening)
        sim = SimulatedPbx(
            net,
            Scenario(max_duration_s=3600.0),
            seed=5,
            agi_target=("127.0.0.1", agi_port.getHost().port),
            agi_script="acd-hold",
            dialplan="acd",
            recordings_dir=spool,
            ami_users={"switchboard": SECRET},
            restart_timing=RestartTiming(boot_s=BOOT_S),
        )
        net.wait(sim.startService())
        self.addCleanup(lambda: net.wait(sim.stopService()))
        settings = AmiSettings(
            host="127.0.0.1",
            port=sim.ami_port,
            auth="md5",
            secret=SECRET,
            reconnect_initial_delay_s=0.5,
            reconnect_max_delay_s=2.0,
        )
        client = AmiClient(settings, net, jitter=lambda: 0.0)
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
        self.addCleanup(lambda: net.wait(client.stopService()))
        net.wait(client.when_ready(fail_after_failures=1))
        self.assertEqual(len(resyncs), 1)

        # A caller held by the FastAGI script (MOH while it idles).
        sim.place(ScriptedCall(at_s=0.0, number="5559001", name="Rita Reconnect"))
        net.run_until(
            lambda: any(m.event == "MusicOnHoldStart" for m in events), LIMIT_S, "caller held"
        )
        listed: EventList = net.wait(client.send_list(actions.core_show_channels()))
        self.assertEqual(len(listed.items), 2)
        old = sim.handler

        # A second connection restarts the PBX; its Command never gets a response.
        other = AmiClient(
            AmiSettings(host="127.0.0.1", port=sim.ami_port, secret=SECRET, events="off"),
            net,
            jitter=lambda: 0.0,
        )
        other.startService()
        net.wait(other.when_ready(fail_after_failures=1))
        unanswered = other.send(actions.command("core restart now"))
        unanswered.addErrback(lambda _: None)  # fails when the connection closes
        net.wait(other.stopService())  # it does not retry: every refused login is `client`'s

        # The new process is up and the client has logged in to it again.
        net.run_until(lambda: sim.restarts == 1 and len(resyncs) == 2, LIMIT_S, "logged in again")
        names = [m.event for m in events]
        shutdown = names.index("Shutdown")
        torn = [(m.event, m.get("Cause")) for m in events[:shutdown] if m.event == "Hangup"]
        self.assertEqual(torn[-2:], [("Hangup", "0"), ("Hangup", "0")])
        causes = {m.get("Cause") for m in events if m.event == "SoftHangupRequest"}
        self.assertIn("4", causes)
        self.assertEqual(events[shutdown].get("Restart"), "True")
        self.assertGreaterEqual(old.refused_logins, 2)  # "Asterisk is shutting down"
        self.assertEqual([s.hangups for s in scripts], [2])
        channels, status = net.wait(resyncs[-1])
        self.assertEqual((len(channels.items), channels.declared_items), (0, 0))
        self.assertEqual((len(status.items), status.response.get("Response")), (0, "Success"))

        # Subscriptions made before the restart see a call placed after it.
        seen = len(events)
        sim.place(ScriptedCall(at_s=0.0, number="5559002", name="Second Caller"))
        net.run_until(
            lambda: any(m.event == "MusicOnHoldStart" for m in events[seen:]),
            LIMIT_S,
            "the second caller held",
        )
        fresh = next(m for m in events[seen:] if m.event == "Newchannel")
        self.assertTrue((fresh.get("Channel") or "").endswith("-00000000;1"))
        listed = net.wait(client.send_list(actions.core_show_channels()))
        self.assertEqual(len(listed.items), 2)
