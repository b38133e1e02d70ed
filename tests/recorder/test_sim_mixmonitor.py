"""The simulated PBX answers the AMI ``MixMonitor`` action as Asterisk 22 does.

The headers and answers are Asterisk's ``manager_mixmonitor`` (``apps/app_mixmonitor.c``:
``astman_get_header`` of Channel, File, Options, Command; ``Response: Success`` with the
ActionID and no Message; errors ``No channel specified``, ``No such channel``). The events
after it are those the captures show for the application (``agi-exec-dial``: a
``MIXMONITOR_FILENAME`` VarSet, then ``MixMonitorStart``); with ``b`` the file holds only
bridged audio (``agi-exec-dial``), so a recording started during the talk holds what came
after the start.
"""

from __future__ import annotations

import wave
from pathlib import Path

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.recorder.filecheck import check_file
from tests.sim.test_ami import session


def test_the_action_starts_a_recording_with_asterisks_answer_and_events(tmp_path: Path) -> None:
    clock, proto, transport = session()
    dialplan = proto.handler.dialplan  # type: ignore[attr-defined]
    pbx = dialplan.pbx
    _one, two = pbx.new_local_pair("s", "switchboard-ivr")
    path = tmp_path / "2026" / "11" / "24" / f"sales-1001-{two.uniqueid}.wav"
    chan = two.name.encode()
    clock.advance(18)  # 18 s into a talk of 30 s, the agent asks for a recording
    proto.dataReceived(
        b"Action: Login\r\nUsername: u\r\nSecret: s3cret\r\n\r\n"
        b"Action: MixMonitor\r\nActionID: m1\r\nChannel: " + chan + b"\r\n"
        b"File: " + str(path).encode() + b"\r\nOptions: b\r\n\r\n"
        b"Action: MixMonitor\r\nActionID: m2\r\nFile: /tmp/x.wav\r\n\r\n"
        b"Action: MixMonitor\r\nActionID: m3\r\nChannel: Local/none-1;2\r\n\r\n"
    )
    clock.advance(0)
    got = [m for m in AmiParser().feed(transport.value()) if isinstance(m, Message)]
    by_id = {m.action_id: m for m in got if m.response}
    assert by_id["m1"].headers == (("Response", "Success"), ("ActionID", "m1"))
    assert by_id["m2"].get("Message") == "No channel specified"
    assert by_id["m3"].get("Message") == "No such channel"
    events = [(m.event, m.get("Variable"), m.get("Value")) for m in got if m.event]
    start = events.index(("MixMonitorStart", None, None))
    assert ("VarSet", "MIXMONITOR_FILENAME", str(path)) in events[:start]
    clock.advance(12)
    two.variables["__bridged_s"] = "30"  # the bridge ends with the call
    dialplan.finish_recording(two)
    with wave.open(str(path)) as audio:
        assert audio.getnframes() / audio.getframerate() == 12.0


def test_a_wav49_recording_is_written_under_dot_wav_as_asterisk_does(tmp_path: Path) -> None:
    clock, proto, _transport = session()
    dialplan = proto.handler.dialplan  # type: ignore[attr-defined]
    _one, two = dialplan.pbx.new_local_pair("s", "switchboard-ivr")
    asked = tmp_path / "sales-1001.wav49"
    proto.dataReceived(
        b"Action: Login\r\nUsername: u\r\nSecret: s3cret\r\n\r\n"
        b"Action: MixMonitor\r\nActionID: m1\r\nChannel: " + two.name.encode() + b"\r\n"
        b"File: " + str(asked).encode() + b"\r\nOptions: b\r\n\r\n"
    )
    clock.advance(0)
    assert two.variables["MIXMONITOR_FILENAME"] == str(asked)  # the name as given
    clock.advance(6)
    two.variables["__bridged_s"] = "6"
    dialplan.finish_recording(two)
    assert not asked.exists()
    check = check_file(tmp_path / "sales-1001.WAV")  # main/file.c: wav49 is written .WAV
    assert (check.status, check.format, check.duration_s) == ("ok", "wav49", 6.0)
