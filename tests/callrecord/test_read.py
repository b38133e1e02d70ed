"""A call record read back with what the other areas stored about the call, whichever id
they named it by (its Linkedid or its queue id): the customer history and the reports
read calls this way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import URL
from sqlalchemy.orm import Session

from switchboard.callrecord import call_record_json, list_call_records
from switchboard.callrecord.read import MAX_PAGE
from switchboard.config import CrmSettings
from switchboard.crm.tickets import TicketPolicy, open_ticket
from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.core.decisions import CallAnswered, CallOffered, CallQueued, OfferEnded
from switchboard.queue.store.records import record_facts
from switchboard.recorder.models import Recording
from switchboard.seat.models import SeatDisposition
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from tests.callrecord.helpers import T0, Desk, channel, event, hangup
from tests.recorder.helpers import now_runner

# The caller's channel 2.1 and the IVR's 2.2 (the queue's id of the call), as in the
# example dialplan's Local pair.
ONE = ("Local/s@switchboard-inbound-00000000;1", "2.1", "2.1")
TWO = ("Local/s@switchboard-inbound-00000000;2", "2.2", "2.1")


def _at(offset: float) -> datetime:
    return datetime.fromtimestamp(T0 + offset, UTC)


@pytest.fixture
def desk(database_url: URL) -> Iterator[Desk]:
    upgrade_database(database_url)
    db = Database(create_database_engine(database_url), None, runner=now_runner)
    yield Desk(db)
    db.engine.dispose()


def _call(desk: Desk) -> None:
    desk.ami(channel(*ONE, num="13800138000"), channel(*TWO, num="13800138000"))
    desk.ami(
        event(
            "VarSet",
            Channel=TWO[0],
            Uniqueid="2.2",
            Linkedid="2.1",
            Variable="__SWITCHBOARD_CALLID",
            Value="2.2",
        )
    )
    desk.at(10.0)
    facts = (
        CallQueued("2.2", "support", T0 + 10, T0 + 10, ivr_ref="2.2"),
        CallOffered("2.2", "support", "2001", T0 + 11),
        OfferEnded("2.2", "2001", T0 + 12, "answered"),
        CallAnswered("2.2", "support", "2001", T0 + 12, 2.0),
    )
    desk.facts(*facts)
    with Session(desk.database.engine) as session, session.begin():
        record_facts(session, facts)  # as the router's store does, in both modes
    desk.at(60.0)
    desk.ami(hangup(*TWO), hangup(*ONE))


def _others(session: Session) -> None:
    session.add_all(
        [
            IvrSession(
                call_id="2.2",
                flow="main-menu",
                started_at=_at(0),
                ended_at=_at(10),
                outcome="queued",
                last_step="to_support",
                digits="2",
            ),
            SeatDisposition(
                call_id="2.2",
                agent_id="2001",
                queue="support",
                code="resolved",
                note="first",
                at=_at(61),
            ),
            SeatDisposition(
                call_id="2.2",
                agent_id="2001",
                queue="support",
                code="follow_up",
                note="corrected",
                at=_at(65),
            ),
            CsatResponse(call_id="2.2", agent="2001", queue="support", score=5),
            Recording(
                call_id="2.2",
                linked_id="2.1",
                started_at=_at(12),
                path="/rec/2.2.wav",
                status="ok",
                duration_s=48.0,
                indexed_at=_at(70),
                legal_hold=False,
            ),
            Recording(
                call_id="9.9",
                linked_id="9.9",
                started_at=_at(12),
                path="/rec/9.9.wav",
                status="ok",
                indexed_at=_at(70),
                legal_hold=False,
            ),
        ]
    )
    policy = TicketPolicy.from_settings(CrmSettings())
    category = next(iter(policy.categories))
    open_ticket(
        session,
        policy,
        actor="2001",
        now=T0 + 70,
        type="complaint",
        category=category,
        priority=policy.priorities[0],
        subject="late parcel",
        call_id="2.2",
    )


def test_a_call_reads_back_with_its_disposition_ticket_recording_csat_and_ivr(
    desk: Desk,
) -> None:
    _call(desk)
    with Session(desk.database.engine) as session, session.begin():
        _others(session)
    desk.written()
    with Session(desk.database.engine) as session:
        by_linkedid = call_record_json(session, "2.1")
        by_queue_id = call_record_json(session, "2.2")
        assert call_record_json(session, "nope") is None
    assert by_linkedid == by_queue_id
    record = by_linkedid
    assert record is not None
    assert (record["call_id"], record["queue_call_id"], record["outcome"]) == (
        "2.1",
        "2.2",
        "answered",
    )
    assert record["ivr"]["flow"] == "main-menu"
    assert [s["last_step"] for s in record["ivr"]["sessions"]] == ["to_support"]
    assert record["disposition"]["code"] == "follow_up"  # the newest counts
    assert record["csat"]["score"] == 5
    assert [r["path"] for r in record["recordings"]] == ["/rec/2.2.wav"]
    assert [(t["subject"], t["type"]) for t in record["tickets"]] == [("late parcel", "complaint")]
    assert [(v["queue"], v["agent_id"]) for v in record["queue"]["visits"]] == [("support", "2001")]
    assert [o["result"] for o in record["offers"]["list"]] == ["answered"]
    assert {leg["role"] for leg in record["legs"]} == {"caller"}


def test_the_list_filters_and_pages_newest_first(desk: Desk) -> None:
    _call(desk)
    desk.at(100.0)
    later = ("PJSIP/trunk-0000000a", "3.1", "3.1")
    desk.ami(channel(*later, num="5550100"))
    desk.written()
    with Session(desk.database.engine) as session:
        every = [r["call_id"] for r in list_call_records(session)]
        support = [r["call_id"] for r in list_call_records(session, queue="support")]
        window = [r["call_id"] for r in list_call_records(session, since=T0 + 50, until=T0 + 200)]
        live = [r["call_id"] for r in list_call_records(session, open_only=True)]
        by_agent = [r["call_id"] for r in list_call_records(session, agent_id="2001")]
        page = [r["call_id"] for r in list_call_records(session, limit=1, offset=1)]
        with pytest.raises(ValueError, match=f"limit must be 1..{MAX_PAGE}"):
            list_call_records(session, limit=MAX_PAGE + 1)
    assert every == ["3.1", "2.1"]
    assert (support, window, live, by_agent, page) == (["2.1"], ["3.1"], ["3.1"], ["2.1"], ["2.1"])
