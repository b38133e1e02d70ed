# -*- test-case-name: tests.seat.test_feed -*-
"""The seat's feed as an agent sees it: the pop while the phone rings (before the database
answers), then the customer, the IVR digits with their labels, history; the call's phases;
state; today's figures; and never another agent's calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL
from sqlalchemy.orm import Session
from twisted.internet.defer import ensureDeferred
from twisted.internet.task import Clock

from switchboard.crm.directory import add_customer
from switchboard.hub import FACT, OFFERED, Hub, Offered
from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    Fact,
    OfferEnded,
)
from switchboard.queue.core.model import AgentState, CallOutcome
from switchboard.queue.shell.clock import ScaledClock
from switchboard.queue.store.records import record_facts
from switchboard.seat.access import CustomerAccess
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.models import SeatDisposition
from switchboard.store.db import Database
from tests.seat.helpers import NOON, SETTINGS, HeldWork, Seat, make_seat, migrated, write

S = AgentState
NUMBER = "+86 138-0013-8000"


@pytest.fixture
def runner() -> HeldWork:
    return HeldWork()


@pytest.fixture
def database(database_url: URL, runner: HeldWork) -> Iterator[Database]:
    yield from migrated(database_url, runner)


@pytest.fixture
def seat(database: Database, runner: HeldWork) -> Seat:
    return make_seat(database, runner)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def publish(seat: Seat, *facts: Fact) -> None:
    for fact in facts:
        seat.hub.publish(FACT, fact)


def offer(
    seat: Seat,
    call_id: str = "c1",
    agent_id: str = "1001",
    *,
    number: str = NUMBER,
    queue: str = "sales",
    ivr_ref: str = "ivr-c1",
    waited_s: float = 18.0,
    language: str = "cmn",
    tier: int = 2,
) -> None:
    """What the ACD publishes when it offers a queued call to an agent."""
    now = seat.clock.seconds()
    publish(
        seat,
        CallQueued(
            call_id,
            queue,
            now - waited_s,
            now - waited_s,
            caller_number=number,
            ivr_ref=ivr_ref,
            language=language,
            customer_tier=tier,
        ),
        CallOffered(call_id, queue, agent_id, now),
        AgentStateChanged(agent_id, now, S.RESERVED, S.READY),
    )
    seat.hub.publish(
        OFFERED,
        Offered(call_id, agent_id, f"PJSIP/{agent_id}", queue, now, number, ivr_ref),
    )
    seat.clock.advance(0)  # the feed starts the card's lookups once the pops are written


def _customer_with_history(session: Session) -> int:
    """张伟, VIP 2, found by phone and by account; two earlier calls, one rated."""
    customer = add_customer(
        session,
        "张伟",
        {"phone": "13800138000", "account": "6222 0212 3456 7890"},
        vip_level=2,
        language="cmn",
    )
    earlier = NOON - 86400 * 3
    for n, (call_id, at) in enumerate((("old1", earlier), ("old2", earlier + 3600))):
        record_facts(
            session,
            [
                CallQueued(call_id, "support", at, at, caller_number="13800138000"),
                CallAnswered(call_id, "support", "1002", at + 5, 5.0),
                CallFinished(call_id, "support", at + 65, CallOutcome.ANSWERED, "1002"),
            ],
        )
        session.add(
            SeatDisposition(
                call_id=call_id,
                agent_id="1002",
                queue="support",
                code=("resolved", "complaint")[n],
                note=f"note {n}",
                at=_at(at + 70),
            )
        )
    session.add(CsatResponse(call_id="old2", agent="1002", queue="support", score=4))
    session.add(
        IvrSession(
            call_id="ivr-c1",
            caller_number="13800138000",
            flow="main-menu",
            started_at=_at(NOON - 60),
            ended_at=_at(NOON - 20),
            outcome="queued",
            language="cmn",
            queue="sales",
            digits="1162220212345678900",
            customer_id=customer.id,
            variables={"account": "6222021234567890", "menu_choice": "1"},
            trace=[
                {"t_ms": 0, "flow": "main-menu", "step": "choose_language", "event": "entered"},
                {
                    "t_ms": 900,
                    "flow": "main-menu",
                    "step": "choose_language",
                    "event": "chose",
                    "data": {"digit": "1", "language": "cmn"},
                },
                {"t_ms": 1000, "flow": "main-menu", "step": "menu", "event": "entered"},
                {
                    "t_ms": 2000,
                    "flow": "main-menu",
                    "step": "menu",
                    "event": "chose",
                    "data": {"digit": "1", "next": "self_service"},
                },
                {"t_ms": 2100, "flow": "balance", "step": "account", "event": "entered"},
                {
                    "t_ms": 9000,
                    "flow": "balance",
                    "step": "account",
                    "event": "collected",
                    "data": {"var": "account", "length": 16},
                },
            ],
        )
    )
    session.flush()
    return customer.id


def test_the_pop_reaches_the_agent_before_the_database_answers(seat: Seat) -> None:
    customer_id = write(seat.database, _customer_with_history)
    agent = seat.sink("1001")
    seat.runner.auto = False  # the database is slow

    offer(seat)

    # Ringing: the number, queue, wait, language and VIP tier are on screen at once.
    pop = agent.of("pop")
    assert len(pop) == 1
    card = pop[0]["call"]
    assert pop[0]["v"] == 1
    assert (card["number"], card["queue"], card["phase"]) == (NUMBER, "sales", "ringing")
    assert (card["waited_s"], card["language"], card["vip"]) == (18.0, "cmn", 2)
    assert card["customer"] is None and card["complete"] is False
    assert agent.of("pop_update") == []

    seat.runner.release()  # the database answers

    [update] = agent.of("pop_update")
    assert update["call_id"] == "c1"
    assert update["customer"]["id"] == customer_id
    assert update["customer"]["name"] == "张伟"
    assert update["unknown_caller"] is False


def test_the_pop_update_has_the_customer_vip_ivr_digits_with_labels_and_history(
    seat: Seat,
) -> None:
    write(seat.database, _customer_with_history)
    agent = seat.sink("1001")

    offer(seat, tier=0)  # app_queue knows no tier: the customer record says VIP 2

    [update] = agent.of("pop_update")
    assert update["vip"] == 2
    identifiers = {i["kind"]: i for i in update["customer"]["identifiers"]}
    assert identifiers["account"]["masked"] == "************7890"
    ivr = update["ivr"]
    assert [
        (i["label"], i.get("digits"), i.get("value"), i.get("masked")) for i in ivr["inputs"]
    ] == [
        ("language", "1", "cmn", None),
        ("menu", "1", "self_service", None),
        ("account", None, None, "************7890"),  # the full value stays on the server
    ]
    assert "6222021234567890" not in json.dumps(update)
    assert [p["step"] for p in ivr["path"]] == ["choose_language", "menu", "account"]
    assert [(c["call_id"], c["disposition"]["code"]) for c in update["last_calls"]] == [
        ("old2", "complaint"),
        ("old1", "resolved"),
    ]
    assert update["csat"]["score"] == 4
    assert update["tickets"] == []
    snapshot = _snapshot(seat, "1001")
    assert snapshot["call"]["complete"] is True
    assert snapshot["call"]["customer"]["name"] == "张伟"


def test_an_unknown_caller_gets_a_new_customer_form_with_the_number(seat: Seat) -> None:
    agent = seat.sink("1001")

    offer(seat, number="13911112222", ivr_ref="")

    [update] = agent.of("pop_update")
    assert update["customer"] is None and update["unknown_caller"] is True
    assert update["new_customer"] == {"phone": "13911112222"}
    assert update["last_calls"] == [] and update["csat"] is None and update["ivr"] is None


def test_an_agent_never_receives_another_agents_calls_or_state(seat: Seat) -> None:
    write(seat.database, _customer_with_history)
    first, second = seat.sink("1001"), seat.sink("1002")

    offer(seat, "c1", "1001")
    publish(seat, CallAnswered("c1", "sales", "1001", NOON + 3, 21.0))

    assert first.types() == ["state", "pop", "pop_update", "call"]
    assert second == []
    offer(seat, "c2", "1002", number="13911112222", ivr_ref="")
    assert [m["call"]["call_id"] for m in second.of("pop")] == ["c2"]
    assert [m["call"]["call_id"] for m in first.of("pop")] == ["c1"]


def test_a_call_goes_from_ringing_to_answered_ended_wrap_up_and_done(seat: Seat) -> None:
    agent = seat.sink("1001")
    offer(seat, number="13911112222", ivr_ref="")
    publish(
        seat,
        OfferEnded("c1", "1001", NOON + 3, "answered"),
        CallAnswered("c1", "sales", "1001", NOON + 3, 21.0),
        AgentStateChanged("1001", NOON + 3, S.ON_CALL, S.RESERVED),
        CallFinished("c1", "sales", NOON + 90, CallOutcome.ANSWERED, "1001"),
        AgentStateChanged("1001", NOON + 90, S.WRAP_UP, S.ON_CALL),
    )
    assert _snapshot(seat, "1001")["call"]["phase"] == "wrap_up"
    publish(
        seat,
        CallHandled("c1", "sales", "1001", NOON + 100, 87.0, 10.0),
        AgentStateChanged("1001", NOON + 100, S.READY, S.WRAP_UP),
    )

    events = [(m["event"], m["call"]["phase"]) for m in agent.of("call")]
    assert events == [
        ("answered", "answered"),
        ("ended", "ended"),
        ("wrap_up", "wrap_up"),
        ("done", "done"),
    ]
    assert [m["state"] for m in agent.of("state")] == [
        "reserved",
        "on_call",
        "wrap_up",
        "ready",
    ]
    assert _snapshot(seat, "1001")["call"] is None


def test_a_missed_offer_closes_the_card_and_counts(seat: Seat) -> None:
    agent = seat.sink("1001")
    offer(seat, number="13911112222", ivr_ref="")
    publish(seat, OfferEnded("c1", "1001", NOON + 15, "no_answer"))

    [missed] = agent.of("call")
    assert (missed["event"], missed["result"]) == ("missed", "no_answer")
    assert agent.of("figures")[-1]["missed_offers"] == 1
    assert _snapshot(seat, "1001")["call"] is None


def test_a_slow_database_never_fills_a_card_that_is_gone(seat: Seat) -> None:
    agent = seat.sink("1001")
    seat.runner.auto = False
    offer(seat, number="13911112222", ivr_ref="")
    publish(seat, OfferEnded("c1", "1001", NOON + 15, "no_answer"))
    seat.runner.release()

    assert agent.of("pop_update") == []


def test_a_database_failure_leaves_the_number_and_says_so(seat: Seat) -> None:
    agent = seat.sink("1001")
    seat.runner.auto = False
    offer(seat, number="13911112222", ivr_ref="")

    def broken(_session: Any) -> None:
        raise RuntimeError("database gone")

    [(_work, done)] = seat.runner.waiting
    seat.runner.waiting = [(lambda: broken(None), done)]
    seat.runner.release()

    [update] = agent.of("pop_update")
    assert "could not be read" in update["error"]
    assert agent.of("pop")[0]["call"]["number"] == "13911112222"


def _snapshot(seat: Seat, agent_id: str) -> dict[str, Any]:
    result: list[dict[str, Any]] = []
    ensureDeferred(seat.feed.snapshot(agent_id)).addCallback(result.append)
    assert result, "the snapshot did not complete"
    return result[0]


def test_the_snapshot_has_state_from_agent_control_pause_reasons_and_dispositions(
    seat: Seat,
) -> None:
    seat.control.states["1001"] = S.NOT_READY
    snapshot = _snapshot(seat, "1001")

    assert snapshot["type"] == "snapshot" and snapshot["v"] == 1
    assert snapshot["state"]["state"] == "not_ready"
    assert snapshot["call"] is None
    assert snapshot["pause_reasons"] == ["break", "lunch"]
    assert snapshot["dispositions"]["by_queue"] == {"support": ["resolved", "escalated"]}
    assert "resolved" in snapshot["dispositions"]["default"]
    assert snapshot["figures"]["calls_handled"] == 0


def test_todays_figures_join_the_stored_records_and_the_live_facts(seat: Seat) -> None:
    today, yesterday = NOON - 3600 * 5, NOON - 86400

    def earlier(session: Session) -> None:
        for at, call_id in ((yesterday, "y1"), (today, "t1")):
            record_facts(
                session,
                [
                    CallQueued(call_id, "sales", at, at),
                    CallOffered(call_id, "sales", "1001", at + 1),
                    OfferEnded(call_id, "1001", at + 2, "answered"),
                    CallAnswered(call_id, "sales", "1001", at + 2, 2.0),
                    CallFinished(call_id, "sales", at + 102, CallOutcome.ANSWERED, "1001"),
                    CallHandled(call_id, "sales", "1001", at + 122, 100.0, 20.0),
                    CallQueued(call_id + "x", "sales", at + 200, at + 200),
                    CallOffered(call_id + "x", "sales", "1001", at + 201),
                    OfferEnded(call_id + "x", "1001", at + 216, "no_answer"),
                    AgentStateChanged("1001", at + 1000, S.NOT_READY, S.READY, "lunch"),
                    AgentStateChanged("1001", at + 2800, S.READY, S.NOT_READY),
                ],
            )

    write(seat.database, earlier)
    agent = seat.sink("1001")
    publish(
        seat,
        CallHandled("c9", "sales", "1001", NOON + 10, 60.0, 20.0),
        AgentStateChanged("1001", NOON + 100, S.NOT_READY, S.READY, "break"),
        AgentStateChanged("1001", NOON + 160, S.READY, S.NOT_READY),
    )
    seat.clock.advance(200)

    figures = _snapshot(seat, "1001")["figures"]
    assert figures["day"] == "2026-11-24"  # in Asia/Shanghai
    assert figures["calls_handled"] == 2
    assert figures["aht_s"] == 100.0  # (120 + 80) / 2
    assert figures["missed_offers"] == 1
    assert figures["not_ready_s"] == {"break": 60.0, "lunch": 1800.0}
    # Each change of a figure is pushed as it happens.
    assert [f["calls_handled"] for f in agent.of("figures")] == [2, 2]


def test_a_broken_sink_never_keeps_the_agents_other_sockets_from_their_pop(seat: Seat) -> None:
    def broken(_message: dict[str, Any]) -> None:
        raise RuntimeError("socket gone")

    seat.feed.subscribe("1001", broken)
    other = seat.sink("1001")
    offer(seat, number="13911112222", ivr_ref="")
    assert other.types() == ["state", "pop", "pop_update"]


def test_wrap_up_says_how_long_it_lasts_when_the_queue_says_so(
    database: Database, runner: HeldWork
) -> None:
    seat = make_seat(database, runner, wrap_up_s={"sales": 30.0})
    agent = seat.sink("1001")
    offer(seat, number="13911112222", ivr_ref="")
    publish(
        seat,
        CallAnswered("c1", "sales", "1001", NOON + 3, 21.0),
        CallFinished("c1", "sales", NOON + 90, CallOutcome.ANSWERED, "1001"),
        AgentStateChanged("1001", NOON + 90, S.WRAP_UP, S.ON_CALL),
    )

    [wrap_up] = [m for m in agent.of("call") if m["event"] == "wrap_up"]
    assert (wrap_up["wrap_up_s"], wrap_up["at"]) == (30.0, NOON + 90)
    # A page that connects during the wrap-up learns it from the snapshot's card.
    assert _snapshot(seat, "1001")["call"]["wrap_up_s"] == 30.0


def test_wrap_up_of_a_queue_of_unknown_length_says_null(seat: Seat) -> None:
    agent = seat.sink("1001")
    offer(seat, number="13911112222", ivr_ref="")
    publish(
        seat,
        CallAnswered("c1", "sales", "1001", NOON + 3, 21.0),
        AgentStateChanged("1001", NOON + 90, S.WRAP_UP, S.ON_CALL),
    )
    [wrap_up] = [m for m in agent.of("call") if m["event"] == "wrap_up"]
    assert wrap_up["wrap_up_s"] is None


def test_a_bursts_lookups_start_after_its_pops_one_shared_database_job_at_a_time(
    seat: Seat, runner: HeldWork
) -> None:
    runner.auto = False
    sinks = [seat.sink(f"20{n:02}") for n in range(30)]
    for n in range(30):
        seat.hub.publish(
            OFFERED, Offered(f"b{n}", f"20{n:02}", "PJSIP/x", "sales", NOON, "13911112222", "")
        )

    # Every pop is out, and no lookup has started yet: nothing competes with the writes.
    assert all(len(sink.of("pop")) == 1 for sink in sinks)
    assert runner.waiting == []
    seat.clock.advance(0)
    assert len(runner.waiting) == 1  # 25 lookups in one database job, one job at a time

    runner.release()
    assert [len(sink.of("pop_update")) for sink in sinks] == [1] * 25 + [0] * 5
    assert len(runner.waiting) == 1  # the other 5, once the first job is done
    runner.release()
    assert all(len(sink.of("pop_update")) == 1 for sink in sinks)


def test_a_failed_lookup_job_does_not_hold_up_the_next(seat: Seat, runner: HeldWork) -> None:
    runner.auto = False
    sinks = [seat.sink(f"20{n:02}") for n in range(30)]
    for n in range(30):
        seat.hub.publish(
            OFFERED, Offered(f"b{n}", f"20{n:02}", "PJSIP/x", "sales", NOON, "13911112222", "")
        )
    seat.clock.advance(0)

    _work, done = runner.waiting.pop()
    done.errback(RuntimeError("database unreachable"))

    assert all("could not be read" in sink.of("pop_update")[0]["error"] for sink in sinks[:25])
    runner.release()  # the next job went ahead
    assert all(sink.of("pop_update")[0]["customer"] is None for sink in sinks[25:])


def test_the_pop_update_lists_the_customers_open_tickets(seat: Seat) -> None:
    from switchboard.config import CrmSettings
    from switchboard.crm.tickets import TicketPolicy, open_ticket, update_ticket

    policy = TicketPolicy.from_settings(CrmSettings())

    def customer_with_tickets(session: Session) -> None:
        customer_id = _customer_with_history(session)
        for subject in ("漏水", "发票"):
            ticket = open_ticket(
                session,
                policy,
                actor="1002",
                now=NOON - 86400 * 3,
                type="complaint",
                category="quality",
                priority="normal",
                subject=subject,
                customer_id=customer_id,
            )
        update_ticket(
            session, policy, ticket["id"], actor="1002", now=NOON - 3600, status="resolved"
        )

    write(seat.database, customer_with_tickets)
    agent = seat.sink("1001")

    offer(seat)

    [update] = agent.of("pop_update")
    assert [(t["subject"], t["status"], t["overdue"]) for t in update["tickets"]] == [
        ("漏水", "open", True)  # 16 business hours, opened three days ago
    ]


def test_the_snapshot_and_every_message_carry_the_seats_clock(seat: Seat) -> None:
    # The page counts `since` and `at` against this `now`, never the browser's clock.
    agent = seat.sink("1001")
    seat.clock.advance(7)
    offer(seat, number="13911112222", ivr_ref="")
    seat.clock.advance(3)
    publish(seat, CallAnswered("c1", "sales", "1001", NOON + 10, 21.0))

    [pop] = agent.of("pop")
    [answered] = agent.of("call")
    [state] = agent.of("state")
    assert (pop["now"], state["now"], answered["now"]) == (NOON + 7, NOON + 7, NOON + 10)
    assert {m["rate"] for m in (pop, state, answered)} == {1.0}
    seat.clock.advance(5)
    assert (_snapshot(seat, "1001")["now"], _snapshot(seat, "1001")["rate"]) == (NOON + 15, 1.0)


def test_a_faster_clock_says_its_rate(database: Database) -> None:
    real = Clock()
    demo = ScaledClock(real, speed=60.0, epoch=NOON)  # the demo's: a fixed date, 60x
    hub = Hub()
    feed = LiveSeatFeed(
        hub, demo, database, SETTINGS, timezone=ZoneInfo("Asia/Shanghai"),
        pause_reasons=("break",), access=CustomerAccess(),
    )  # fmt: skip
    feed.start()
    received: list[dict[str, Any]] = []
    feed.subscribe("1001", received.append)
    real.advance(2)  # two real seconds: two minutes of the demo's
    hub.publish(FACT, AgentStateChanged("1001", NOON + 120, S.READY, S.LOGGED_OUT))

    [state] = [m for m in received if m["type"] == "state"]
    assert (state["now"], state["rate"], state["since"]) == (NOON + 120, 60.0, NOON + 120)


def test_a_reload_in_wrap_up_shows_the_same_wait_as_the_live_card(seat: Seat) -> None:
    agent = seat.sink("1001")
    offer(seat, number="13911112222", ivr_ref="", waited_s=0.0)  # ready agent: offered at once
    publish(
        seat,
        CallAnswered("c1", "sales", "1001", NOON + 10, 10.0),  # it rang 10 s
        CallFinished("c1", "sales", NOON + 90, CallOutcome.ANSWERED, "1001"),
        AgentStateChanged("1001", NOON + 90, S.WRAP_UP, S.ON_CALL),
    )

    [answered] = [m for m in agent.of("call") if m["event"] == "answered"]
    assert answered["call"]["waited_s"] == 10.0
    assert _snapshot(seat, "1001")["call"]["waited_s"] == 10.0
