# -*- test-case-name: tests.sim.test_shutdown -*-
"""Stopping the simulated PBX mid-call hangs every call up and leaves no timer behind.

Everything runs on a ``MemoryReactorClock``: the AMI port is a fake port, an AMI session
is a ``StringTransport``, and the FastAGI server is the capture's ``main-menu`` script
over in-memory transports. One caller talks to an agent while a second one is inside
the FastAGI session when the service stops.
"""

from __future__ import annotations

from pathlib import Path

from twisted.internet.testing import MemoryReactorClock, StringTransport

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.sim.ami import AmiServerFactory
from switchboard.sim.replay import MainMenuScript, memory_connector
from switchboard.sim.service import Scenario, ScriptedCall, SimulatedPbx


def _advance(reactor: MemoryReactorClock, seconds: float, step: float = 0.01) -> None:
    for _ in range(round(seconds / step)):
        reactor.advance(step)


def test_stop_service_mid_call_hangs_up_and_leaves_no_timers(tmp_path: Path) -> None:
    reactor = MemoryReactorClock()
    scripts: list[MainMenuScript] = []

    def script() -> MainMenuScript:
        scripts.append(MainMenuScript())
        return scripts[-1]

    scenario = Scenario(
        calls=(
            ScriptedCall(at_s=0.5, number="5551003", name="Carol"),  # silent: sales
            ScriptedCall(at_s=9.0, number="5551005", name="Eve"),
        ),
        max_duration_s=600.0,
    )
    sim = SimulatedPbx(
        reactor,
        scenario,
        seed=2,
        agi_target=None,
        recordings_dir=tmp_path,
        ami_users={"u": "p"},
        agi_connector=memory_connector(reactor, script),
    )
    started = sim.startService()
    assert started.called
    factory = reactor.tcpServers[0][1]
    assert isinstance(factory, AmiServerFactory)
    assert reactor.tcpServers[0][3] == "127.0.0.1"
    ami = factory.buildProtocol(None)
    transport = StringTransport()
    ami.makeConnection(transport)
    ami.dataReceived(b"Action: Login\r\nUsername: u\r\nSecret: p\r\nEvents: on\r\n\r\n")

    # At 11 s Carol talks to an agent and Eve hears the menu prompt inside FastAGI.
    _advance(reactor, 11.0)
    assert any(c.bridge is not None for c in sim.pbx.channels.values())
    assert len(sim.dialplan.agi_sessions) == 1
    live = set(sim.pbx.channels)
    assert len(live) == 6  # Carol ;1/;2, agent ;1/;2, Eve ;1/;2

    stopped = sim.stopService()
    _advance(reactor, 2.0)
    assert stopped.called and stopped.result is None  # type: ignore[attr-defined]

    # No channel, FastAGI session, PBX timer or reactor timer is left.
    assert sim.pbx.channels == {}
    assert sim.dialplan.agi_sessions == set()
    assert sim.pbx.pending_timers() == 0
    assert reactor.getDelayedCalls() == []

    messages = [m for m in AmiParser().feed(transport.value()) if isinstance(m, Message)]
    events = [m for m in messages if m.event]
    hung = {m.get("Channel") for m in events if m.event == "Hangup"}
    assert live <= hung
    shutdown_requests = {
        m.get("Channel") for m in events if m.event == "SoftHangupRequest" and m.get("Cause") == "4"
    }
    assert shutdown_requests == live  # every live channel, as `core restart now` shows
    # The AMI session saw the shutdown and was closed.
    assert events[-1].event == "Shutdown"
    assert events[-1].get("Shutdown") == "Cleanly"
    assert transport.disconnecting
    # Eve's FastAGI session got HANGUP and EOF; the talking agent leg hung up normally.
    eve = next(s for s in scripts if s.env.get("agi_callerid") == "5551005")
    assert eve.hangup_seen
    assert eve.transport.closed  # type: ignore[attr-defined]
    assert not factory.sessions
