"""The call book alone (no database): which row each payload changes, and how."""

from __future__ import annotations

from switchboard.callrecord.book import CallBook, parent_of
from switchboard.callrecord.ops import LegWrite, Reconcile, RecordWrite
from switchboard.cti.calls import Call, CallsResynced, CallStarted, ChannelView, IvrSession
from switchboard.queue.core.decisions import CallAnswered, CallTransferred, OfferEnded, QueueLeft


def _started(call_id: str, *channels: ChannelView, ivr: str | None = None) -> CallStarted:
    return CallStarted(
        Call(call_id, started_at=1.0, ivr=IvrSession(session=ivr), channels=channels), 1.0
    )


def test_facts_named_by_the_ivrs_id_go_to_the_linkedids_row() -> None:
    book = CallBook()
    book.on_call(
        _started(
            "5.1",
            ChannelView("Local/s@in-01;1", "5.1", "Up"),
            ChannelView("Local/s@in-01;2", "5.2", "Up"),
            ivr="5.2",
        )
    )
    (write,) = book.on_fact(QueueLeft("5.2", "sales", 20.0, "moved", 10.0, to_queue="vip"))
    assert isinstance(write, RecordWrite)
    assert (write.call_id, write.queue_call_id, write.creates) == ("5.1", "5.2", False)
    assert dict(write.add) == {"queue_wait_s": 10.0}  # a move is an overflow, not a transfer
    assert dict(write.last) == {"queue_outcome": "moved", "last_queue": "vip"}
    # A fact about a call the book never saw: the store finds it by that id, or waits.
    (unknown,) = book.on_fact(OfferEnded("7.7", "1001", 3.0, "no_answer"))
    assert isinstance(unknown, RecordWrite)
    assert (unknown.call_id, unknown.queue_call_id, dict(unknown.add)) == (
        "",
        "7.7",
        {"missed_offers": 1},
    )


def test_a_transfer_counts_once_from_its_fact_and_a_callback_answer_is_not_the_callers() -> None:
    book = CallBook()
    first = book.on_fact(CallAnswered("6.1", "sales", "1001", 10.0, 4.0))
    moved = book.on_fact(CallTransferred("6.1", "sales", "1001", 60.0, "blind", "2000@vip"))
    # Transferred into another queue and answered there: the same transfer, not a second.
    again = book.on_fact(CallAnswered("6.1", "vip", "1002", 90.0, 5.0))
    callback = book.on_fact(CallAnswered("6.1", "vip", "1003", 900.0, 0.0, callback=True))
    assert [dict(w.add) for w in first + moved + again if isinstance(w, RecordWrite)] == [
        {"queue_wait_s": 4.0},
        {"transfers": 1},
        {"queue_wait_s": 5.0},
    ]
    (cb,) = callback
    assert isinstance(cb, RecordWrite) and "answered_at" not in cb.first and not cb.add


def test_a_callback_attempt_is_its_own_call_that_names_the_call_it_calls_back() -> None:
    assert parent_of("1795485600.17-cb2") == "1795485600.17"
    assert parent_of("1795485600.17") == ""
    book = CallBook()
    ops = book.on_call(
        _started("1795485600.17-cb1", ChannelView("PJSIP/1001-05", "1795485600.17-cb1", "Up"))
    )
    record = ops[0]
    assert isinstance(record, RecordWrite)
    assert record.first["parent_call_id"] == "1795485600.17"
    assert record.last["direction"] == "callback"
    assert [type(op) for op in ops[1:]] == [LegWrite]


def test_a_resync_closes_what_this_run_followed_as_vanished_and_the_rest_as_left_open() -> None:
    book = CallBook()
    book.on_call(_started("8.1", ChannelView("PJSIP/trunk-08", "8.1", "Up")))
    (reconcile,) = book.on_call(CallsResynced((), 50.0))
    assert reconcile == Reconcile(
        frozenset(), frozenset({"8.1"}), 50.0, "vanished during AMI outage"
    )
