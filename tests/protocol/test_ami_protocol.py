"""The thin AMI protocol over StringTransport and Clock: correlation, timeouts, keepalive."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from switchboard.cti.ami import actions
from switchboard.cti.ami.errors import ActionTimeout, AmiActionFailed, AmiDisconnected
from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.ami.protocol import AmiProtocol

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


class Harness:
    def __init__(self, max_message_bytes: int = 1_048_576) -> None:
        self.clock = Clock()
        self.events: list[Message] = []
        self.proto = AmiProtocol(
            self.clock,
            next_action_id=actions.ActionIdGenerator("t-"),
            on_event=self.events.append,
            action_timeout_s=5.0,
            max_message_bytes=max_message_bytes,
        )
        self.transport = StringTransport()
        self.proto.makeConnection(self.transport)
        self.proto.dataReceived(BANNER)

    def sent(self) -> list[Message]:
        data = self.transport.value()
        self.transport.clear()
        return AmiParser(expect_banner=False).feed(data)


@pytest.fixture
def h() -> Iterator[Harness]:
    harness = Harness()
    yield harness
    assert harness.clock.getDelayedCalls() == []  # no timer leaks


case = SynchronousTestCase()


def test_banner_and_response_correlated_with_interleaved_events(h: Harness) -> None:
    assert case.successResultOf(h.proto.when_banner()).text == "Asterisk Call Manager/11.0.0"
    d1 = h.proto.send(actions.ping())
    d2 = h.proto.send(actions.getvar("X"))
    assert [m.action_id for m in h.sent()] == ["t-1", "t-2"]
    # Asterisk answers the second first, with an unrelated event in between.
    h.proto.dataReceived(
        b"Response: Success\r\nActionID: t-2\r\nVariable: X\r\nValue: 1\r\n\r\n"
        b"Event: Newchannel\r\nChannel: a\r\n\r\nEvent: Hangup\r\nChannel: a\r\n\r\n"
    )
    case.assertNoResult(d1)
    assert case.successResultOf(d2).get("Value") == "1"
    assert [e.event for e in h.events] == ["Newchannel", "Hangup"]  # order kept
    h.proto.dataReceived(b"Response: Success\r\nActionID: t-1\r\nPing: Pong\r\n\r\n")
    assert case.successResultOf(d1).get("Ping") == "Pong"


def test_error_response_is_a_named_failure(h: Harness) -> None:
    d = h.proto.send(actions.hangup("Local/none"))
    h.proto.dataReceived(b"Response: Error\r\nActionID: t-1\r\nMessage: No such channel\r\n\r\n")
    failure = case.failureResultOf(d, AmiActionFailed)
    assert failure.value.message == "No such channel"
    assert failure.value.response.action_id == "t-1"


def test_list_gathered_into_one_result(h: Harness) -> None:
    d = h.proto.send(actions.status(), gather=True)
    h.proto.dataReceived(
        b"Response: Success\r\nActionID: t-1\r\nEventList: start\r\n\r\n"
        b"Event: Status\r\nActionID: t-1\r\nChannel: a\r\n\r\n"
        b"Event: Newstate\r\nChannel: q\r\n\r\n"
        b"Event: StatusComplete\r\nActionID: t-1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n"
    )
    result = case.successResultOf(d)
    assert isinstance(result, EventList) and result.declared_items == len(result.items) == 1
    assert [e.event for e in h.events] == ["Newstate"]


def test_action_timeout_then_late_answer_is_ignored(h: Harness) -> None:
    d = h.proto.send(actions.ping(), timeout_s=2.0)
    h.clock.advance(1.9)
    case.assertNoResult(d)
    h.clock.advance(0.1)
    err = case.failureResultOf(d, ActionTimeout).value
    assert (err.action_id, err.timeout_s) == ("t-1", 2.0)
    h.proto.dataReceived(b"Response: Success\r\nActionID: t-1\r\n\r\n")  # too late: dropped
    assert h.events == []


def test_disconnect_fails_everything_pending(h: Harness) -> None:
    d1 = h.proto.send(actions.ping())
    d2 = h.proto.send(actions.core_show_channels(), gather=True)
    h.proto.connectionLost(Failure(ConnectionError("gone")))
    case.failureResultOf(d1, AmiDisconnected)
    case.failureResultOf(d2, AmiDisconnected)
    case.failureResultOf(h.proto.send(actions.ping()), AmiDisconnected)
    assert case.successResultOf(h.proto.closed) is None


def test_keepalive_pings_and_a_missed_pong_drops_the_link(h: Harness) -> None:
    h.proto.start_keepalive(20.0)
    h.clock.advance(20.0)
    [ping] = h.sent()
    assert ping.action == "Ping"
    h.proto.dataReceived(f"Response: Success\r\nActionID: {ping.action_id}\r\n\r\n".encode())
    h.clock.advance(20.0)
    assert [m.action for m in h.sent()] == ["Ping"]
    assert not h.transport.disconnecting
    h.clock.advance(20.0)  # no Pong within the interval
    assert h.transport.disconnecting
    h.proto.connectionLost(Failure(ConnectionError("aborted")))


def test_oversized_message_cuts_the_peer_off() -> None:
    h = Harness(max_message_bytes=2048)
    h.proto.dataReceived(b"Event: Flood\r\nX: " + b"x" * 3000)
    assert h.transport.disconnecting
    h.proto.dataReceived(b"\r\n\r\nEvent: Late\r\n\r\n")
    assert h.events == []  # nothing delivered once we are cutting off
    h.proto.connectionLost(Failure(ConnectionError("aborted")))


def test_header_injection_fails_the_send_and_writes_nothing(h: Harness) -> None:
    d = h.proto.send(actions.setvar("V", "a\r\nAction: Hangup"))
    case.failureResultOf(d, ValueError)
    assert h.transport.value() == b""
