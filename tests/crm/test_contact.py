"""The last-contact subscriber on a hub, on SQLite and PostgreSQL: which customer a call
belongs to (the IVR's identification first, then the number, a merge followed), when their
last contact moves (answer, end; never back), and silence once stopped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import URL
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings
from switchboard.crm.contact import LastContact, build_contact_tracker
from switchboard.crm.directory import add_customer
from switchboard.crm.merge import merge_customers
from switchboard.crm.models import Customer
from switchboard.hub import FACT, OFFERED, Hub, Offered
from switchboard.ivr_flows.records import IvrSession
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallbackScheduled,
    CallFinished,
    CallQueued,
)
from switchboard.queue.core.model import CallOutcome
from switchboard.store.db import Database
from tests.recorder.helpers import migrated

T0 = 1795521600.0  # 2026-11-24 12:00 UTC


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    yield from migrated(database_url)


@pytest.fixture
def hub() -> Hub:
    return Hub()


@pytest.fixture
def tracker(hub: Hub, database: Database) -> Iterator[LastContact]:
    service = build_contact_tracker(CrmSettings(), database, hub)
    service.startService()
    yield service
    if service.running:
        service.stopService()


def _add(database: Database, name: str, phone: str, **identifiers: str) -> int:
    with Session(database.engine) as session, session.begin():
        return add_customer(session, name, {"phone": phone, **identifiers}).id


def _last(database: Database, customer_id: int) -> float | None:
    with Session(database.engine) as session:
        value = session.get(Customer, customer_id).last_contact_at  # type: ignore[union-attr]
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _call(hub: Hub, call_id: str, number: str, ivr_ref: str = "", *, talk_s: float = 60) -> None:
    hub.publish(FACT, CallQueued(call_id, "sales", T0, T0, caller_number=number, ivr_ref=ivr_ref))
    hub.publish(FACT, CallAnswered(call_id, "sales", "1001", T0 + 10, 10.0))


def _end(hub: Hub, call_id: str, at: float, outcome: CallOutcome = CallOutcome.ANSWERED) -> None:
    hub.publish(FACT, CallFinished(call_id, "sales", at, outcome, "1001"))


@pytest.mark.usefixtures("tracker")
def test_answer_then_end_move_the_callers_last_contact(hub: Hub, database: Database) -> None:
    zhang = _add(database, "张伟", "13800138000")
    li = _add(database, "李雷", "13900139000")
    _call(hub, "c1", "+86 138 0013 8000")  # normalised as the CRM stores it
    assert _last(database, zhang) == T0 + 10
    _end(hub, "c1", T0 + 70)
    assert _last(database, zhang) == T0 + 70
    assert _last(database, li) is None


@pytest.mark.usefixtures("tracker")
def test_the_ivrs_identification_wins_over_the_number(hub: Hub, database: Database) -> None:
    owner = _add(database, "张伟", "13800138000")
    identified = _add(database, "王芳", "13700137000", account="A-7")
    with Session(database.engine) as session, session.begin():
        session.add(
            IvrSession(
                call_id="ivr:1",
                flow="main",
                outcome="queued",
                started_at=datetime.fromtimestamp(T0 - 30, UTC),
                customer_id=identified,  # she gave her account number from his phone
            )
        )
    _call(hub, "c1", "13800138000", ivr_ref="ivr:1")
    assert (_last(database, identified), _last(database, owner)) == (T0 + 10, None)


@pytest.mark.usefixtures("tracker")
def test_a_merged_callers_contact_goes_to_the_surviving_record(
    hub: Hub, database: Database
) -> None:
    survivor = _add(database, "张伟", "13800138000")
    duplicate = _add(database, "张伟", "13900139000")
    with Session(database.engine) as session, session.begin():
        merge_customers(session, survivor, duplicate, actor="boss", now=T0 - 100)
    _call(hub, "c1", "13900139000")
    assert (_last(database, survivor), _last(database, duplicate)) == (T0 + 10, None)


@pytest.mark.usefixtures("tracker")
def test_the_last_contact_never_moves_back(hub: Hub, database: Database) -> None:
    zhang = _add(database, "张伟", "13800138000")
    with Session(database.engine) as session, session.begin():
        session.get(Customer, zhang).last_contact_at = datetime.fromtimestamp(T0 + 500, UTC)  # type: ignore[union-attr]
    _call(hub, "c1", "13800138000")
    assert _last(database, zhang) == T0 + 500


@pytest.mark.usefixtures("tracker")
def test_a_pop_and_a_callback_carry_the_number_too(hub: Hub, database: Database) -> None:
    zhang = _add(database, "张伟", "13800138000")
    li = _add(database, "李雷", "13900139000")
    hub.publish(OFFERED, Offered("c1", "1001", "PJSIP/1001", "sales", T0, "13800138000"))
    hub.publish(FACT, CallAnswered("c1", "sales", "1001", T0 + 5, 5.0))
    assert _last(database, zhang) == T0 + 5
    hub.publish(FACT, CallbackScheduled("cb1", "sales", "13900139000", T0, T0, T0 + 3600, T0))
    _end(hub, "cb1", T0 + 900, CallOutcome.CALLED_BACK)
    assert _last(database, li) == T0 + 900


@pytest.mark.usefixtures("tracker")
def test_an_abandoned_call_is_a_contact_and_an_unknown_caller_nothing(
    hub: Hub, database: Database
) -> None:
    zhang = _add(database, "张伟", "13800138000")
    hub.publish(FACT, CallQueued("c1", "sales", T0, T0, caller_number="13800138000"))
    _end(hub, "c1", T0 + 40, CallOutcome.ABANDONED)
    assert _last(database, zhang) == T0 + 40
    hub.publish(FACT, CallQueued("c2", "sales", T0, T0, caller_number="5550000"))
    _end(hub, "c2", T0 + 50)  # nobody owns the number: no error, no change
    hub.publish(FACT, CallAnswered("c3", "sales", "1001", T0 + 60, 1.0))  # never queued here
    assert _last(database, zhang) == T0 + 40


def test_stopped_it_listens_no_more(hub: Hub, database: Database, tracker: LastContact) -> None:
    zhang = _add(database, "张伟", "13800138000")
    tracker.stopService()
    _call(hub, "c1", "13800138000")
    assert _last(database, zhang) is None
