"""The per-socket outbox: what a seat socket writes now, holds, or drops for a snapshot."""

from __future__ import annotations

import pytest

from switchboard.web.ws.outbox import Outbox

SNAP = {"type": "snapshot"}


def msg(n: int) -> dict[str, object]:
    return {"type": "state", "n": n}


def drain(box: Outbox) -> list[dict[str, object]]:
    out = []
    while (m := box.next_to_write()) is not None:
        out.append(m)
    return out


def open_box(limit: int = 3) -> Outbox:
    box = Outbox(limit)
    assert box.snapshot_arrived(SNAP)
    assert drain(box) == [SNAP]
    return box


def test_a_new_socket_holds_deltas_until_its_snapshot_then_writes_both_in_order():
    box = Outbox(3)

    assert not box.push(msg(1))
    assert drain(box) == []
    assert box.snapshot_arrived(SNAP)

    assert drain(box) == [SNAP, msg(1)]
    assert box.push(msg(2))  # open and drained: written at once


def test_paused_holds_up_to_the_limit_and_resume_releases_them():
    box = open_box(limit=3)
    box.pause()

    assert [box.push(msg(n)) for n in range(3)] == [False] * 3
    assert box.held == 3 and drain(box) == []

    assert not box.resume()
    assert drain(box) == [msg(0), msg(1), msg(2)]


def test_one_past_the_limit_drops_the_backlog_and_asks_for_a_snapshot_when_drained():
    box = open_box(limit=3)
    box.pause()
    for n in range(4):
        box.push(msg(n))

    assert box.stale and box.held == 0 and box.overflows == 1
    assert not box.push(msg(9))  # nothing more is kept for a stale socket
    assert box.resume()  # fetch a fresh snapshot now
    assert not box.push(msg(10))  # held: it must follow that snapshot
    assert box.snapshot_arrived({"type": "snapshot", "fresh": True})
    assert drain(box) == [{"type": "snapshot", "fresh": True}, msg(10)]


def test_overflow_while_the_snapshot_is_built_fetches_another():
    box = Outbox(2)
    for n in range(3):
        box.push(msg(n))

    assert not box.snapshot_arrived(SNAP)  # it may predate the dropped deltas
    assert box.syncing and not box.stale
    box.push(msg(7))
    assert box.snapshot_arrived(SNAP)
    assert drain(box) == [SNAP, msg(7)]


def test_a_snapshot_arriving_while_paused_waits_for_the_drain():
    box = Outbox(3)
    box.pause()

    assert box.snapshot_arrived(SNAP)
    assert drain(box) == []
    box.resume()
    assert drain(box) == [SNAP]


def test_a_pause_between_writes_stops_the_drain_where_it_is():
    box = open_box()
    box.pause()
    box.push(msg(1))
    box.push(msg(2))
    box.resume()

    assert box.next_to_write() == msg(1)
    box.pause()  # the write of msg(1) filled the transport again
    assert box.next_to_write() is None
    box.resume()
    assert drain(box) == [msg(2)]


def test_a_limit_below_one_is_refused_naming_the_setting():
    with pytest.raises(ValueError, match="max_buffered_messages must be at least 1, not 0"):
        Outbox(0)
