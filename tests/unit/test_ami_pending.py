"""The ActionID table: responses and event lists matched by ActionID, not by order."""

from __future__ import annotations

import pytest

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.ami.pending import EventList, PendingTable


def _msgs(data: bytes) -> list[Message]:
    return [m for m in AmiParser(expect_banner=False).feed(data) if isinstance(m, Message)]


LIST_STREAM = (
    b"Event: Newchannel\r\nChannel: x\r\n\r\n"
    b"Response: Success\r\nActionID: L\r\nEventList: start\r\nMessage: will follow\r\n\r\n"
    b"Event: CoreShowChannel\r\nActionID: L\r\nChannel: a\r\n\r\n"
    b"Event: Hangup\r\nChannel: y\r\n\r\n"
    b"Response: Success\r\nActionID: P\r\nPing: Pong\r\n\r\n"
    b"Event: CoreShowChannel\r\nActionID: L\r\nChannel: b\r\n\r\n"
    b"Event: CoreShowChannelsComplete\r\nActionID: L\r\nEventList: Complete\r\n"
    b"ListItems: 2\r\n\r\n"
)


def test_interleaved_events_and_list_gathering() -> None:
    table = PendingTable()
    table.register("L", gather=True)
    table.register("P")
    routed = [table.route(m) for m in _msgs(LIST_STREAM)]
    assert [r.consumed for r in routed] == [False, True, True, False, True, True, True]
    ping = routed[4].completion
    assert ping is not None and ping.result.get("Ping") == "Pong" and not ping.failed
    done = routed[6].completion
    assert done is not None and isinstance(done.result, EventList)
    assert [i.get("Channel") for i in done.result.items] == ["a", "b"]
    assert done.result.declared_items == 2
    assert len(table) == 0


def test_plain_send_of_a_list_action_resolves_on_response_and_drains_items() -> None:
    table = PendingTable()
    table.register("L")
    routed = [table.route(m) for m in _msgs(LIST_STREAM)]
    assert routed[1].completion is not None and routed[1].completion.result.response == "Success"
    assert routed[2].consumed and routed[2].completion is None
    assert routed[6].consumed and routed[6].completion is None
    assert "L" not in table


def test_error_response_to_a_list_is_a_failed_completion() -> None:
    table = PendingTable()
    table.register("D", gather=True)
    [m] = _msgs(b"Response: Error\r\nActionID: D\r\nMessage: Database entry not found\r\n\r\n")
    done = table.route(m).completion
    assert done is not None and done.failed and isinstance(done.result, EventList)


def test_events_after_a_plain_response_are_not_swallowed() -> None:
    table = PendingTable()
    table.register("O")
    resp, ev = _msgs(
        b"Response: Success\r\nActionID: O\r\n\r\n"
        b"Event: OriginateResponse\r\nActionID: O\r\nResponse: Success\r\n\r\n"
    )
    assert table.route(resp).completion is not None
    assert table.route(ev).consumed is False


def test_abandoned_action_swallows_its_late_answer() -> None:
    table = PendingTable()
    table.register("T", gather=True)
    table.abandon("T")
    assert "T" not in table and len(table) == 0
    routed = [table.route(m) for m in _msgs(LIST_STREAM.replace(b"ActionID: L", b"ActionID: T"))]
    assert all(r.completion is None for r in routed)
    assert [r.consumed for r in routed] == [False, True, True, False, False, True, True]


def test_clear_returns_awaited_ids_and_duplicates_are_refused() -> None:
    table = PendingTable()
    table.register("A")
    with pytest.raises(ValueError):
        table.register("A")
    assert table.clear() == ["A"]
    assert len(table) == 0
