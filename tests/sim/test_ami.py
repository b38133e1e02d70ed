# -*- test-case-name: tests.sim.test_ami -*-
"""AMI server answers as Asterisk 22 does (StringTransport + Clock, no sockets)."""

from __future__ import annotations

import hashlib
import random

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransportWithDisconnection

from switchboard.cti.ami.frames import AmiParser, Banner, Message
from switchboard.sim._actions import ActionHandler
from switchboard.sim._dialplan import Dialplan
from switchboard.sim.ami import AmiServerProtocol
from switchboard.sim.pbx import Pbx, PbxConfig


def session() -> tuple[Clock, AmiServerProtocol, StringTransportWithDisconnection]:
    clock = Clock()
    pbx = Pbx(clock, PbxConfig(ami_users={"u": "s3cret"}))
    proto = AmiServerProtocol(ActionHandler(pbx, Dialplan(pbx, random.Random(1), None)))
    transport = StringTransportWithDisconnection()
    transport.protocol = proto
    proto.makeConnection(transport)
    return clock, proto, transport


def read(transport: StringTransportWithDisconnection) -> list[object]:
    items = AmiParser().feed(transport.value())
    transport.clear()
    return items


def test_banner_permission_denied_and_bad_login_closes_after_a_second() -> None:
    clock, proto, transport = session()
    assert transport.value() == b"Asterisk Call Manager/11.0.0\r\n"
    proto.dataReceived(b"Action: Status\r\nActionID: a1\r\n\r\n")
    items = read(transport)
    assert items[0] == Banner("Asterisk Call Manager/11.0.0")
    assert items[1] == Message(
        [("Response", "Error"), ("ActionID", "a1"), ("Message", "Permission denied")]
    )
    proto.dataReceived(
        b"Action: Login\r\nActionID: a2\r\nUsername: u\r\nSecret: no\r\n\r\n"
        b"Action: Ping\r\nActionID: a3\r\n\r\n"
    )
    assert transport.value() == b""  # nothing before ~1 s
    clock.advance(1.0)
    assert AmiParser(expect_banner=False).feed(transport.value()) == [
        Message([("Response", "Error"), ("ActionID", "a2"), ("Message", "Authentication failed")])
    ]
    assert not transport.connected  # the Ping got no reply; the socket is closed


def test_md5_login_ping_unknown_missing_and_logoff() -> None:
    clock, proto, transport = session()
    proto.dataReceived(b"Action: Challenge\r\nActionID: c\r\nAuthType: MD5\r\n\r\n")
    challenge = read(transport)[1].get("Challenge")  # type: ignore[union-attr]
    key = hashlib.md5(f"{challenge}s3cret".encode()).hexdigest()
    proto.dataReceived(
        f"Action: Login\r\nActionID: l\r\nAuthType: MD5\r\nUsername: u\r\n"
        f"Key: {key}\r\nEvents: off\r\n\r\n".encode()
    )
    proto.dataReceived(
        b"Action: Ping\r\n\r\nAction: FrobnicateWidgets\r\nActionID: f\r\n\r\n"
        b"ActionID: none\r\n\r\nAction: Logoff\r\nActionID: o\r\n\r\n"
    )
    msgs = [m for m in AmiParser(expect_banner=False).feed(transport.value())]
    assert isinstance(msgs[0], Message) and msgs[0].get("Message") == "Authentication accepted"
    ping = msgs[1]
    assert isinstance(ping, Message) and ping.action_id is None and ping.get("Ping") == "Pong"
    assert msgs[2].get("Message") == (  # type: ignore[union-attr]
        "Invalid/unknown command: FrobnicateWidgets. Use Action: ListCommands to show "
        "available commands."
    )
    assert msgs[3].get("Message") == "Missing action in request"  # type: ignore[union-attr]
    assert msgs[4].response == "Goodbye"  # type: ignore[union-attr]
    assert not transport.connected
    assert clock.getDelayedCalls() == []
