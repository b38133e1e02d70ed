# -*- test-case-name: tests.sim.test_acd_redirect -*-
"""A caller held in the ``switchboard-acd-ivr`` AGI follows an AMI Redirect.

As on the ``switchboard-ivr`` path: the FastAGI session sees ``HANGUP`` (the running
command ends, music on hold stops) and the channel runs the new context,
``switchboard-transfer,<queue>``: ``Set`` then ``Queue()``, where an agent answers.
"""

from __future__ import annotations

from pathlib import Path

from switchboard.sim.conformance import parse_transcript
from switchboard.sim.replay_connections import ClientConnection, HoldScript, replay_connections

LOGIN = b"Action: Login\r\nUsername: switchboard\r\nSecret: s\r\nEvents: on\r\n\r\n"
ORIGINATE = (
    b"Action: Originate\r\nActionID: hold\r\nChannel: Local/s@switchboard-acd-ivr\r\n"
    b"Context: switchboard-caller\r\nExten: silent\r\nPriority: 1\r\n"
    b'CallerID: "Rita Redirect" <5559010>\r\nAsync: true\r\nVariable: ACD_VARIANT=hold\r\n\r\n'
)
REDIRECT = (
    b"Action: Redirect\r\nActionID: move\r\nChannel: Local/s@switchboard-acd-ivr-00000000;2\r\n"
    b"Context: switchboard-transfer\r\nExten: sales\r\nPriority: 1\r\n\r\n"
)


def test_redirect_out_of_the_acd_agi_follows_the_new_context(tmp_path: Path) -> None:
    scripts: list[HoldScript] = []

    def script() -> HoldScript:
        scripts.append(HoldScript(tmp_path))
        return scripts[-1]

    conn = ClientConnection(
        "client", 0.0, ((0.1, LOGIN, 0), (0.2, ORIGINATE, 1), (3.0, REDIRECT, 2))
    )
    out = replay_connections(
        [conn], spool_dir=tmp_path, agi_script=script, secret="s", tail_s=30.0, step_s=0.01
    )
    events = [m for m in parse_transcript(out.sent["client"]) if m.event]
    held = "Local/s@switchboard-acd-ivr-00000000;2"
    mine = [m for m in events if m.get("Channel") == held]
    names = [m.event for m in mine]
    assert [m.response for m in parse_transcript(out.sent["client"]) if m.action_id == "move"] == [
        "Success"
    ]
    assert scripts[0].hangups >= 1  # the FastAGI session was told the caller left it
    stop = names.index("MusicOnHoldStop")
    join = next(m for m in events if m.event == "QueueCallerJoin")
    assert join.get("Channel") == held and join.get("Queue") == "sales"
    assert stop < names.index("QueueCallerJoin")
    assert "AgentConnect" in [m.event for m in events]
    # Not the ACD's own end of call ("ACD AGI done"): the transfer context ran instead.
    noops = [m.get("AppData") or "" for m in mine if m.event == "Newexten"]
    assert not any(d.startswith("ACD AGI done") for d in noops)
    assert ("Set", "SWITCHBOARD_QUEUE=sales") in [
        (m.get("Application"), m.get("AppData")) for m in mine if m.event == "Newexten"
    ]
    assert names[-1] == "Hangup"
