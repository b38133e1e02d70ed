# -*- test-case-name: tests.sim.test_actions -*-
"""AMI actions on channels and recordings, answered as the captures show (no sockets)."""

from __future__ import annotations

from pathlib import Path

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.sim.conformance import parse_transcript
from switchboard.sim.replay import replay
from tests.sim._paths import captures
from tests.sim.test_ami import session


def _login_and(proto: object, transport: object, raw: bytes) -> list[Message]:
    proto.dataReceived(  # type: ignore[attr-defined]
        b"Action: Login\r\nUsername: u\r\nSecret: s3cret\r\nEvents: off\r\n\r\n" + raw
    )
    items = AmiParser().feed(transport.value())  # type: ignore[attr-defined]
    return [m for m in items if isinstance(m, Message)][1:]


def test_mixmonitor_family_status_devices_userevent_and_command() -> None:
    _clock, proto, transport = session()
    pbx = proto.handler.pbx
    one, two = pbx.new_local_pair("s", "switchboard-acd-ivr")
    pbx.device_state("Queue:sales_avail", "INUSE")
    pbx.device_state("Local/agent1001@switchboard-agents", "INUSE")  # not cached
    two.agi_data = "agi://127.0.0.1:4573/acd-hold,hold"
    pbx.newexten(two, "AGI", two.agi_data)
    chan = two.name.encode()
    got = _login_and(
        proto,
        transport,
        b"Action: MixMonitorMute\r\nActionID: m1\r\nChannel: " + chan + b"\r\n"
        b"Direction: both\r\nState: 1\r\n\r\n"
        b"Action: StopMixMonitor\r\nActionID: s1\r\nChannel: " + chan + b"\r\n\r\n"
        b"Action: MixMonitorMute\r\nActionID: m2\r\nChannel: Local/none-1;1\r\n\r\n"
        b"Action: Status\r\nActionID: st\r\n\r\n"
        b"Action: DeviceStateList\r\nActionID: dl\r\n\r\n"
        b"Action: Command\r\nActionID: c1\r\nCommand: queue show sales\r\n\r\n"
        b"Action: Command\r\nActionID: c2\r\nCommand: no such cli command\r\n\r\n"
        b"Action: Redirect\r\nActionID: r\r\nChannel: Local/x-1;2\r\nContext: a\r\n\r\n",
    )
    by_id: dict[str, list[Message]] = {}
    for m in got:
        by_id.setdefault(m.action_id or "", []).append(m)
    # Mute answers Success (no Message) even with no recording running.
    assert by_id["m1"][0].headers == (("Response", "Success"), ("ActionID", "m1"))
    assert by_id["s1"][0].get("Message") == "Could not stop monitoring channel"
    assert by_id["m2"][0].get("Message") == "No such channel"
    statuses = [m for m in by_id["st"] if m.event == "Status"]
    held = next(m for m in statuses if m.get("Channel") == two.name)
    assert (held.get("Application"), held.get("Data")) == ("AGI", two.agi_data)
    assert held.get("Privilege") == "Call"
    assert by_id["st"][-1].get("Items") == "2"
    devices = [m.get("Device") for m in by_id["dl"] if m.event == "DeviceStateChange"]
    # Only app_queue's cached states (seeded at load: avail + pause per member), never
    # the Local device, although it had a live DeviceStateChange.
    assert "Queue:sales_avail" in devices and len(devices) == 8
    assert all(d is not None and d.startswith("Queue:") for d in devices)
    assert by_id["c1"][0].get("Message") == "Command output follows"
    assert any(
        "Local/agent1001@switchboard-agents/n" in v for v in by_id["c1"][0].get_all("Output")
    )
    assert by_id["c2"][0].response == "Error"
    assert by_id["r"][0].get("Message") == "Channel does not exist: Local/x-1;2"
    assert one.name in pbx.channels


def test_callback_originate_reasons_and_channel_ids_match_the_capture(tmp_path: Path) -> None:
    base = captures() / "ami-callback"
    real = parse_transcript((base / "ami-callback.from-asterisk.raw").read_bytes())
    sim = parse_transcript(replay(base / "ami-callback.jsonl", spool_dir=tmp_path))

    def outcomes(messages: list[Message]) -> list[tuple[str | None, ...]]:
        return sorted(
            (
                m.get("ActionID"),
                m.get("Response"),
                m.get("Reason"),
                m.get("Uniqueid") if not (m.get("Uniqueid") or "")[:1].isdigit() else "id",
                m.get("Channel") if m.get("Response") == "Failure" else "",
            )
            for m in messages
            if m.event == "OriginateResponse"
        )

    # 4 answered, 3 no answer before Timeout (ChannelId names the failure), 5 busy, 8 congestion
    assert outcomes(sim) == outcomes(real)
