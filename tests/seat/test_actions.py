# -*- test-case-name: tests.seat.test_actions -*-
"""What an agent does from the seat: state through agent control, a disposition and note
saved on the call record, and customer records opened only when they are the agent's."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import URL, select
from sqlalchemy.orm import Session
from twisted.internet.defer import ensureDeferred
from twisted.python.failure import Failure

from switchboard.crm.directory import add_customer
from switchboard.hub import DISPOSITION, DispositionSaved
from switchboard.queue.core.decisions import CallAnswered, CallOffered, CallQueued
from switchboard.queue.shell.control import AgentControlError
from switchboard.queue.store.records import record_facts
from switchboard.seat.models import SeatDisposition
from switchboard.seat.ports import SeatActionError
from switchboard.store.db import Database
from tests.seat.helpers import NOON, HeldWork, Seat, make_seat, migrated, user, write
from tests.seat.test_feed import offer

T = TypeVar("T")
WANG, LI = user("1001", "wang"), user("1002", "li")


@pytest.fixture
def runner() -> HeldWork:
    return HeldWork()


@pytest.fixture
def database(database_url: URL, runner: HeldWork) -> Iterator[Database]:
    yield from migrated(database_url, runner)


@pytest.fixture
def seat(database: Database, runner: HeldWork) -> Seat:
    return make_seat(database, runner)


def run(work: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result (the database runs at once: it completes in this call)."""
    results: list[Any] = []
    ensureDeferred(work).addBoth(results.append)
    assert results, "the action did not complete"
    if isinstance(results[0], Failure):
        results[0].raiseException()
    return results[0]  # type: ignore[no-any-return]


def refused(work: Coroutine[Any, Any, Any]) -> SeatActionError:
    with pytest.raises(SeatActionError) as caught:
        run(work)
    return caught.value


def _answered_call(call_id: str, queue: str, agent_id: str) -> Any:
    def write_call(session: Session) -> None:
        record_facts(
            session,
            [
                CallQueued(call_id, queue, NOON, NOON, caller_number="13911112222"),
                CallOffered(call_id, queue, agent_id, NOON + 1),
                CallAnswered(call_id, queue, agent_id, NOON + 3, 3.0),
            ],
        )

    return write_call


# -- state ----------------------------------------------------------------------------------
def test_state_changes_go_through_agent_control_and_return_the_state(seat: Seat) -> None:
    assert run(seat.actions.log_in(WANG))["state"] == "not_ready"
    assert run(seat.actions.ready(WANG))["state"] == "ready"
    paused = run(seat.actions.pause(WANG, "lunch"))
    assert (paused["type"], paused["state"], paused["reason"]) == ("state", "not_ready", "lunch")
    assert run(seat.actions.finish_wrapup(WANG))["state"] == "ready"
    assert run(seat.actions.log_out(WANG))["state"] == "logged_out"
    assert seat.control.commands == [
        ("log_in", "1001"),
        ("ready", "1001"),
        ("pause", "lunch", "1001"),
        ("finish_wrapup", "1001"),
        ("log_out", "1001"),
    ]


def test_a_refused_command_keeps_agent_controls_reason(seat: Seat) -> None:
    seat.control.refuse = AgentControlError(
        "bad_request", "unknown pause reason 'nap'; use one of: break, lunch", valid=("break",)
    )
    error = refused(seat.actions.pause(WANG, "nap"))
    assert (error.code, error.field) == ("bad_request", "reason")
    assert "break, lunch" in error.message
    seat.control.refuse = AgentControlError("refused", "agent 1001 is logged out")
    assert refused(seat.actions.ready(WANG)).code == "conflict"


def test_a_user_without_a_seat_is_refused(seat: Seat) -> None:
    error = refused(seat.actions.ready(user(None, "boss")))
    assert error.code == "forbidden" and "no agent seat" in error.message
    assert seat.control.commands == []


# -- dispositions ---------------------------------------------------------------------------
def test_a_disposition_and_note_are_saved_on_the_call_record(seat: Seat) -> None:
    write(seat.database, _answered_call("c1", "support", "1001"))
    seat.clock.advance(120)
    told: list[DispositionSaved] = []
    seat.hub.subscribe(DISPOSITION, told.append)

    saved = run(seat.actions.save_disposition(WANG, "c1", "escalated", "客户要求回电"))

    assert (saved["type"], saved["code"]) == ("disposition", "escalated")
    with Session(seat.database.engine) as session:
        rows = session.scalars(select(SeatDisposition)).all()
        assert [(r.call_id, r.agent_id, r.queue, r.code, r.note) for r in rows] == [
            ("c1", "1001", "support", "escalated", "客户要求回电")
        ]
    # The other areas (the recorder files the call's recording under it) hear of it.
    assert told == [DispositionSaved("c1", "1001", "support", "escalated", seat.clock.seconds())]


def test_a_refused_disposition_tells_the_hub_nothing(seat: Seat) -> None:
    write(seat.database, _answered_call("c1", "support", "1001"))
    told: list[DispositionSaved] = []
    seat.hub.subscribe(DISPOSITION, told.append)
    refused(seat.actions.save_disposition(WANG, "c1", "complaint", ""))
    assert told == []


def test_an_unknown_code_is_refused_with_the_queues_codes(seat: Seat) -> None:
    write(seat.database, _answered_call("c1", "support", "1001"))
    error = refused(seat.actions.save_disposition(WANG, "c1", "complaint", ""))
    assert (error.code, error.field) == ("bad_request", "code")
    assert "resolved, escalated" in error.message  # support's own list


def test_a_disposition_on_another_agents_or_an_unknown_call_is_refused(seat: Seat) -> None:
    write(seat.database, _answered_call("c1", "sales", "1001"))
    assert refused(seat.actions.save_disposition(LI, "c1", "resolved", "")).code == "forbidden"
    missing = refused(seat.actions.save_disposition(WANG, "nope", "resolved", ""))
    assert (missing.code, missing.field) == ("not_found", "call_id")
    long = refused(seat.actions.save_disposition(WANG, "c1", "resolved", "x" * 2001))
    assert long.field == "note"


# -- customers ------------------------------------------------------------------------------
def _customer(session: Session) -> int:
    return add_customer(session, "张伟", {"phone": "13800138000", "plate": "粤B12345"}).id


def test_a_customer_not_offered_nor_searched_is_forbidden(seat: Seat) -> None:
    customer_id = write(seat.database, _customer)
    error = refused(seat.actions.customer(WANG, customer_id))
    assert error.code == "forbidden" and "search for them" in error.message


def test_a_customer_offered_to_an_agent_is_theirs_to_open_and_no_one_elses(seat: Seat) -> None:
    customer_id = write(seat.database, _customer)
    offer(seat, "c1", "1001", number="13800138000", ivr_ref="")

    assert run(seat.actions.customer(WANG, customer_id))["name"] == "张伟"
    assert refused(seat.actions.customer(LI, customer_id)).code == "forbidden"


def test_a_search_by_any_identifier_opens_the_record_for_that_agent(seat: Seat) -> None:
    customer_id = write(seat.database, _customer)

    found = run(seat.actions.search_customers(LI, "粤b 12345"))

    assert [c["id"] for c in found] == [customer_id]
    assert run(seat.actions.customer(LI, customer_id))["id"] == customer_id
    assert run(seat.actions.search_customers(LI, "+86 138-0013-8000"))[0]["id"] == customer_id
    assert refused(seat.actions.search_customers(LI, "  ")).field == "q"


def test_a_customer_created_from_the_number_is_the_creators(seat: Seat) -> None:
    created = run(seat.actions.create_customer(WANG, {"name": "李娜", "phone": "139 1111 2222"}))

    assert [(i["kind"], i["value"]) for i in created["identifiers"]] == [("phone", "13911112222")]
    assert run(seat.actions.customer(WANG, created["id"]))["name"] == "李娜"
    again = refused(seat.actions.create_customer(LI, {"name": "L", "phone": "13911112222"}))
    assert again.code == "conflict"
    odd = refused(seat.actions.create_customer(WANG, {"name": "X", "vip_level": "9"}))
    assert (odd.code, odd.field) == ("bad_request", "vip_level")
    assert refused(seat.actions.create_customer(WANG, {"name": "X"})).field == "phone"


def test_the_seat_finds_customers_by_pinyin_initials_and_last_digits(seat: Seat) -> None:
    customer_id = write(seat.database, _customer)

    assert [c["id"] for c in run(seat.actions.search_customers(LI, "zw"))] == [customer_id]
    assert [c["id"] for c in run(seat.actions.search_customers(LI, "8000"))] == [customer_id]
    assert run(seat.actions.search_customers(LI, "' OR 1=1 --")) == []
    assert run(seat.actions.customer(LI, customer_id))["name"] == "张伟"
