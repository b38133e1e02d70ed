"""The seat's websocket end to end in memory: the real Site, resource and autobahn on
both ends, iosim between them, a task.Clock for heartbeats and session checks."""

from __future__ import annotations

import pytest

from switchboard.web.ws.resource import SESSION_CHECK_S
from tests.web.ws.harness import ORIGIN, SeatRig


def pop(call_id: str) -> dict[str, object]:
    return {"v": 1, "type": "pop", "call_id": call_id}


def status_line(raw: bytes) -> str:
    return raw.split(b"\r\n", 1)[0].decode()


# ---- refused at the upgrade ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cookie", "origin", "reason"),
    [
        (None, ORIGIN, "no session cookie: log in at /login"),
        ("sb_session=forged", ORIGIN, "session unknown, expired or ended: log in again"),
        ("other=tok-a", ORIGIN, "no session cookie"),
        ("sb_session=tok-a", "http://evil.example", "origin http://evil.example is not allowed"),
        ("sb_session=tok-a", "http://127.0.0.1:9999", "is not allowed: open the seat from"),
        ("sb_session=tok-a", None, "no Origin header: open the seat from http://127.0.0.1:8080"),
    ],
    ids=[
        "no-cookie",
        "unknown-session",
        "other-cookie",
        "foreign-origin",
        "other-port",
        "no-origin",
    ],
)
def test_upgrade_refused_with_403_and_the_reason(cookie, origin, reason):
    rig = SeatRig()
    rig.log_in("tok-a", "a1")

    seat = rig.connect(cookie, origin=origin)

    assert status_line(seat.client.raw).startswith("HTTP/1.1 403 ")
    assert reason in status_line(seat.client.raw)
    assert not seat.client.opened and seat.client.messages == []
    assert rig.feed.subscribers("a1") == 0
    assert seat.server_transport.disconnected
    assert rig.clock.getDelayedCalls() == []


def test_user_without_a_seat_is_refused():
    rig = SeatRig()

    seat = rig.connect(rig.log_in("tok-sup", None))

    assert status_line(seat.client.raw) == (
        "HTTP/1.1 403 this user has no seat (no agent linked): ask an administrator to "
        "link an agent"
    )
    assert not seat.client.opened


def test_the_origin_check_ignores_case_and_a_trailing_slash():
    rig = SeatRig()

    seat = rig.connect(rig.log_in("tok-a", "a1"), origin="HTTP://127.0.0.1:8080/")

    assert seat.client.opened


# ---- snapshot, then deltas, only one's own ------------------------------------------------


def test_snapshot_then_own_deltas():
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")

    rig.feed.publish("a1", pop("c1"))
    rig.feed.publish("a1", {"v": 1, "type": "call", "call_id": "c1", "event": "answered"})
    seat.flush()

    assert seat.client.messages == [
        {"v": 1, "type": "snapshot", "agent_id": "a1", "n": 1},
        pop("c1"),
        {"v": 1, "type": "call", "call_id": "c1", "event": "answered"},
    ]


def test_every_tab_of_an_agent_gets_each_message():
    rig = SeatRig()
    tab1, tab2 = rig.open_seat("tok-a", "a1"), rig.open_seat("tok-b", "a1")

    rig.feed.publish("a1", pop("c1"))
    rig.feed.publish("a1", pop("c2"))
    for tab in (tab1, tab2):
        tab.flush()

    for tab in (tab1, tab2):
        assert tab.client.messages[1:] == [pop("c1"), pop("c2")]


def test_an_agent_receives_nothing_of_another_agents_calls():
    rig = SeatRig()
    first = rig.open_seat("tok-a", "a1")
    second = rig.open_seat("tok-b", "a2")

    rig.feed.publish("a1", pop("for-a1"))
    rig.feed.publish("a2", pop("for-a2"))
    first.flush()
    second.flush()

    assert first.client.types() == ["snapshot", "pop"]
    assert first.client.messages[0]["agent_id"] == "a1"
    assert first.client.messages[1] == pop("for-a1")
    assert second.client.messages[0]["agent_id"] == "a2"
    assert second.client.messages[1:] == [pop("for-a2")]


def test_deltas_that_race_the_snapshot_follow_it_in_order():
    rig = SeatRig()
    rig.feed.hold_snapshots = True  # the database is slow to build the snapshot
    seat = rig.open_seat("tok-a", "a1")

    rig.feed.publish("a1", pop("c1"))
    rig.feed.publish("a1", pop("c2"))
    seat.flush()
    assert seat.client.messages == []

    rig.feed.release()
    seat.flush()

    assert seat.client.types() == ["snapshot", "pop", "pop"]
    assert [m.get("call_id") for m in seat.client.messages[1:]] == ["c1", "c2"]


def test_a_failed_snapshot_closes_the_socket_so_the_page_reconnects():
    rig = SeatRig()
    rig.feed.fail_snapshots = True

    seat = rig.open_seat("tok-a", "a1")

    assert seat.client.close is not None
    assert seat.client.close[1] == 4002
    assert rig.feed.subscribers("a1") == 0


def test_closing_the_socket_unsubscribes_it():
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")
    assert rig.feed.subscribers("a1") == 1

    seat.client.sendClose(1000)
    seat.flush()

    assert seat.client.close == (True, 1000, None)
    assert rig.feed.subscribers("a1") == 0
    assert rig.resource.factory.sockets == set()
    assert rig.clock.getDelayedCalls() == []  # no heartbeat or session check left behind


# ---- client messages ---------------------------------------------------------------------


def test_ping_gets_pong():
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")

    seat.send(b'{"type":"ping"}')

    assert seat.client.messages[-1] == {"v": 1, "type": "pong"}


@pytest.mark.parametrize(
    ("payload", "binary"),
    [(b'{"type":"ready"}', False), (b"not json", False), (b"[1]", False), (b"\x00", True)],
    ids=["unknown-type", "not-json", "not-an-object", "binary"],
)
def test_anything_but_ping_gets_an_error_message_and_the_socket_stays(payload, binary):
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")

    seat.send(payload, binary=binary)
    rig.feed.publish("a1", pop("c1"))
    seat.flush()

    error = seat.client.messages[1]
    assert error["type"] == "error" and error["code"] == "unknown_message"
    assert '{"type":"ping"}' in error["message"]
    assert seat.client.messages[2] == pop("c1")


# ---- heartbeats ------------------------------------------------------------------------------


def test_a_live_peer_answers_the_heartbeat_and_stays():
    rig = SeatRig(heartbeat_s=15.0)
    seat = rig.open_seat("tok-a", "a1")

    for _ in range(10):
        rig.clock.advance(15.0)
        seat.flush()  # the client's autobahn answers each ping with a pong

    assert seat.client.close is None
    assert rig.feed.subscribers("a1") == 1


def test_a_dead_peer_is_dropped_after_a_heartbeat_without_pong():
    rig = SeatRig(heartbeat_s=15.0)
    seat = rig.open_seat("tok-a", "a1")

    rig.clock.advance(15.0)  # the ping is written; the peer reads nothing any more
    assert not seat.server_transport.disconnecting
    rig.clock.advance(14.9)
    assert not seat.server_transport.disconnecting
    rig.clock.advance(0.1)

    assert seat.server_transport.disconnecting
    seat.flush()
    assert rig.feed.subscribers("a1") == 0
    assert rig.resource.factory.sockets == set()
    assert rig.clock.getDelayedCalls() == []


# ---- session end -----------------------------------------------------------------------------


def test_logout_closes_the_socket_at_the_next_session_check():
    rig = SeatRig(heartbeat_s=15.0)
    seat = rig.open_seat("tok-a", "a1")

    del rig.sessions.users["tok-a"]  # logged out, expired or disabled
    rig.clock.advance(15.0)
    seat.flush()

    assert seat.client.close == (True, 4001, "session ended: log in again")
    assert rig.feed.subscribers("a1") == 0
    assert rig.clock.getDelayedCalls() == []


def test_a_valid_session_keeps_the_socket_open_across_checks():
    rig = SeatRig(heartbeat_s=15.0)
    seat = rig.open_seat("tok-a", "a1")

    for _ in range(4):
        rig.clock.advance(15.0)
        seat.flush()

    assert seat.client.close is None
    assert rig.sessions.lookups == 1 + 4


def test_sessions_are_read_again_once_a_minute_not_at_every_heartbeat():
    # Thousands of sockets each reading the session table every 15 s is load for nothing:
    # logout closes its sockets at once; the check is for expiry and disabled users.
    rig = SeatRig(heartbeat_s=15.0, session_check_s=SESSION_CHECK_S)
    seat = rig.open_seat("tok-a", "a1")
    del rig.sessions.users["tok-a"]

    for step in (15.0, 15.0, 15.0, 14.0):  # the heartbeats come and go (pongs flushed)
        rig.clock.advance(step)
        seat.flush()
    assert seat.client.close is None and rig.sessions.lookups == 1

    rig.clock.advance(1.0)
    seat.flush()
    assert seat.client.close is not None and seat.client.close[1] == 4001
    assert SESSION_CHECK_S == 60.0


def test_end_session_closes_only_that_sessions_sockets_at_once():
    rig = SeatRig()
    tab1 = rig.open_seat("tok-a", "a1")
    tab2 = rig.connect("sb_session=tok-a")
    other = rig.open_seat("tok-b", "a2")

    assert rig.resource.end_session("tok-a") == 2
    for seat in (tab1, tab2, other):
        seat.flush()

    assert tab1.client.close is not None and tab1.client.close[1] == 4001
    assert tab2.client.close is not None and tab2.client.close[1] == 4001
    assert other.client.close is None


# ---- slow clients ----------------------------------------------------------------------------


def test_a_paused_socket_holds_its_messages_and_writes_them_when_drained():
    rig = SeatRig(max_buffered_messages=3)
    seat = rig.open_seat("tok-a", "a1")

    seat.producer.pauseProducing()  # the transport's buffer is full: a slow peer
    for n in range(3):
        rig.feed.publish("a1", pop(f"c{n}"))
    seat.flush()
    assert seat.client.types() == ["snapshot"]

    seat.producer.resumeProducing()
    seat.flush()

    assert seat.client.messages[1:] == [pop("c0"), pop("c1"), pop("c2")]
    assert rig.feed.snapshots_built == {"a1": 1}


def test_overflow_drops_the_backlog_for_a_fresh_snapshot_once_drained():
    rig = SeatRig(max_buffered_messages=3)
    seat = rig.open_seat("tok-a", "a1")

    seat.producer.pauseProducing()
    for n in range(10):
        rig.feed.publish("a1", pop(f"old{n}"))
    seat.producer.resumeProducing()
    rig.feed.publish("a1", pop("new"))
    seat.flush()

    assert seat.client.messages == [
        {"v": 1, "type": "snapshot", "agent_id": "a1", "n": 1},
        {"v": 1, "type": "snapshot", "agent_id": "a1", "n": 2},
        pop("new"),
    ]


def test_a_slow_client_never_stalls_the_others():
    rig = SeatRig(max_buffered_messages=3)
    slow = rig.open_seat("tok-a", "a1")
    tab = rig.open_seat("tok-a2", "a1")  # the same agent, a second, fast tab
    other = rig.open_seat("tok-b", "a2")

    slow.producer.pauseProducing()
    for n in range(50):
        rig.feed.publish("a1", pop(f"a{n}"))
        rig.feed.publish("a2", pop(f"b{n}"))
    for seat in (slow, tab, other):
        seat.flush()

    assert slow.client.types() == ["snapshot"]
    assert len(tab.client.messages) == 1 + 50
    assert len(other.client.messages) == 1 + 50


def test_a_held_card_arrives_as_the_feed_gave_it_chinese_included():
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")
    card = {"v": 1, "type": "pop", "call_id": "c1", "number": "+86 10 1234", "name": "王芳"}

    seat.producer.pauseProducing()
    rig.feed.publish("a1", card)
    seat.producer.resumeProducing()
    seat.flush()

    assert seat.client.messages[-1] == card


def test_a_user_moved_to_another_agent_is_closed_at_the_next_session_check():
    rig = SeatRig(heartbeat_s=15.0)
    seat = rig.open_seat("tok-a", "a1")

    rig.log_in("tok-a", "a7")  # an administrator linked the user to another agent
    rig.clock.advance(15.0)
    seat.flush()

    assert seat.client.close is not None and seat.client.close[1] == 4001


def test_a_client_frame_over_4_kib_drops_the_connection():
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")

    seat.send(b'{"type":"ping","pad":"' + b"x" * 5000 + b'"}')

    assert seat.client.close is not None and seat.client.close[:2] == (False, 1006)
    assert rig.feed.subscribers("a1") == 0


def test_sessions_that_cannot_be_read_refuse_with_503_not_a_500():
    rig = SeatRig()
    cookie = rig.log_in("tok-a", "a1")
    rig.sessions.broken = True

    seat = rig.connect(cookie)

    assert status_line(seat.client.raw) == (
        "HTTP/1.1 503 sessions cannot be read just now: reload the page in a moment"
    )
    assert "unreachable" not in seat.client.raw.decode()


def test_a_peer_that_leaves_during_the_session_lookup_leaves_no_subscription():
    rig = SeatRig()
    cookie = rig.log_in("tok-a", "a1")
    rig.sessions.hold = True
    seat = rig.connect(cookie)

    seat.client.transport.loseConnection()  # gone before the upgrade is answered
    seat.flush()
    rig.sessions.held.pop().callback(None)
    seat.flush()

    assert rig.feed.subscribers("a1") == 0
    assert rig.resource.factory.sockets == set()
    assert rig.clock.getDelayedCalls() == []


def test_a_message_that_cannot_be_sent_is_skipped_without_breaking_the_feed():
    rig = SeatRig()
    seat = rig.open_seat("tok-a", "a1")

    rig.feed.publish("a1", {"v": 1, "type": "pop", "at": object()})  # not JSON-ready
    rig.feed.publish("a1", {"v": 1, "type": "pop", "pad": "x" * (1 << 20)})  # over 1 MiB
    rig.feed.publish("a1", pop("c1"))
    seat.flush()

    assert seat.client.messages[1:] == [pop("c1")]
    assert seat.client.close is None
