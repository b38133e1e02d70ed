"""Call records written from the hub on SQLite and PostgreSQL: one row per call with its
legs, as the call happens, and right after a restart or a crash in the middle of calls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import URL
from twisted.internet.task import Clock

from switchboard.queue.core.decisions import (
    CallAnswered,
    CallbackAttemptEnded,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.model import CallOutcome
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from tests.callrecord.helpers import T0, Desk, channel, counting_runner, event, hangup, listed
from tests.recorder.helpers import now_runner

CALLER = ("PJSIP/trunk-00000001", "1.1", "1.1")
AGENT = ("PJSIP/1001-00000002", "1.2", "1.1")


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    upgrade_database(database_url)
    db = Database(create_database_engine(database_url), None, runner=now_runner)
    yield db
    db.engine.dispose()


def _arrives(desk: Desk, call: tuple[str, str, str] = CALLER, number: str = "13800138000") -> None:
    name, uid, linked = call
    desk.ami(
        event(
            "Newchannel",
            Channel=name,
            Uniqueid=uid,
            Linkedid=linked,
            ChannelStateDesc="Ring",
            CallerIDNum=number,
            CallerIDName="Li Wei",
            Exten="4008001234",
        ),
        event(
            "VarSet",
            Channel=name,
            Uniqueid=uid,
            Linkedid=linked,
            Variable="SWITCHBOARD_CALLID",
            Value=uid,
        ),
        event("Newstate", Channel=name, Uniqueid=uid, Linkedid=linked, ChannelStateDesc="Up"),
    )


def _agent_answers(desk: Desk) -> None:
    desk.ami(channel(*AGENT, state="Ringing"))
    dial = {"Channel": CALLER[0], "Uniqueid": "1.1", "Linkedid": "1.1", "DestChannel": AGENT[0]}
    desk.ami(event("DialBegin", **dial))
    desk.at(30.0)
    desk.ami(event("DialEnd", DialStatus="ANSWER", **dial), channel(*AGENT, kind="Newstate"))


def _answered_call(desk: Desk) -> None:
    _arrives(desk)
    desk.at(10.0)
    desk.facts(
        CallQueued("1.1", "sales", T0 + 10, T0 + 10, caller_number="13800138000", ivr_ref="1.1"),
        CallOffered("1.1", "sales", "1002", T0 + 11),
    )
    desk.at(26.0)
    desk.facts(
        OfferEnded("1.1", "1002", T0 + 26, "no_answer"),
        CallOffered("1.1", "sales", "1001", T0 + 27),
    )
    _agent_answers(desk)
    desk.facts(
        OfferEnded("1.1", "1001", T0 + 30, "answered"),
        CallAnswered("1.1", "sales", "1001", T0 + 30, 20.0),
    )


def test_an_answered_call_is_one_row_with_its_legs_written_as_it_happens(
    database: Database,
) -> None:
    desk = Desk(database)
    _answered_call(desk)
    live = desk.record("1.1")
    assert live["open"] and live["answered_at"] == T0 + 30 and live["outcome"] == ""
    desk.at(60.0)
    hold = {"Channel": AGENT[0], "Uniqueid": "1.2", "Linkedid": "1.1"}
    desk.ami(event("Hold", MusicClass="default", **hold))
    desk.at(75.0)
    desk.ami(event("Unhold", **hold))
    desk.at(120.0)
    desk.ami(hangup(*AGENT), hangup(*CALLER))
    desk.facts(CallFinished("1.1", "sales", T0 + 120, CallOutcome.ANSWERED, "1001"))
    desk.at(130.0)
    desk.facts(CallHandled("1.1", "sales", "1001", T0 + 130, 90.0, 10.0))
    record = desk.record("1.1")
    assert {
        k: record[k]
        for k in (
            "direction",
            "caller_number",
            "caller_name",
            "dialled_number",
            "started_at",
            "answered_at",
            "ended_at",
            "agent_id",
            "agent_device",
            "talk_s",
            "hold_s",
            "hold_count",
            "wrap_s",
            "transfers",
            "outcome",
            "end_reason",
        )
    } == {
        "direction": "inbound",
        "caller_number": "13800138000",
        "caller_name": "Li Wei",
        "dialled_number": "4008001234",
        "started_at": T0,
        "answered_at": T0 + 30,
        "ended_at": T0 + 120,
        "agent_id": "1001",
        "agent_device": "PJSIP/1001",
        "talk_s": 90.0,
        "hold_s": 15.0,
        "hold_count": 1,
        "wrap_s": 10.0,
        "transfers": 0,
        "outcome": "answered",
        "end_reason": "hangup",
    }
    assert record["queue"]["first"] == record["queue"]["last"] == "sales"
    assert (record["queue"]["wait_s"], record["queue"]["outcome"]) == (20.0, "answered")
    assert (record["offers"]["count"], record["offers"]["missed"]) == (2, 1)
    assert [
        (leg["role"], leg["started_at"], leg["answered_at"], leg["ended_at"], leg["cause"])
        for leg in record["legs"]
    ] == [
        ("caller", T0, T0, T0 + 120, 16),
        ("agent", T0 + 26, T0 + 30, T0 + 120, 16),
    ]
    assert [r.call_id for r in desk.rows()] == ["1.1"]


def test_a_call_that_left_the_queue_or_the_ivr_or_chose_a_callback_says_so(
    database: Database,
) -> None:
    desk = Desk(database)
    calls = {uid: (f"PJSIP/trunk-0{uid[-1]}", uid, uid) for uid in ("3.1", "4.1", "5.1", "6.1")}
    for call in calls.values():
        _arrives(desk, call)
    desk.at(10.0)
    desk.facts(
        CallQueued("3.1", "sales", T0 + 10, T0 + 10),
        QueueLeft("3.1", "sales", T0 + 40, "abandoned", 30.0),
        CallFinished("3.1", "sales", T0 + 40, CallOutcome.ABANDONED),
        CallQueued("5.1", "support", T0 + 10, T0 + 10),
        QueueLeft("5.1", "support", T0 + 20, "callback", 10.0),
    )
    desk.at(40.0)
    for call in calls.values():
        desk.ami(hangup(*call))
    desk.facts(
        CallbackAttemptEnded("5.1", 1, "1001", T0 + 300, "answered"),
        CallFinished("5.1", "support", T0 + 300, CallOutcome.CALLED_BACK, "1001"),
    )
    # 4.1 ran the IVR only; 6.1 too, but hangs up before the IVR said who it is.
    outcomes = {r.call_id: (r.outcome, r.queue_outcome, r.callback_attempts) for r in desk.rows()}
    assert outcomes == {
        "3.1": ("abandoned", "abandoned", 0),
        "4.1": ("ended_in_ivr", "", 0),
        "5.1": ("callback", "called_back", 1),
        "6.1": ("ended_in_ivr", "", 0),
    }
    assert desk.record("3.1")["queue"]["wait_s"] == 30.0


def test_a_call_that_never_reached_the_ivr_or_a_queue_failed(database: Database) -> None:
    desk = Desk(database)
    out = ("PJSIP/1001-00000009", "8.1", "8.1")
    desk.ami(channel(*out, state="Ring"))
    desk.at(5.0)
    desk.ami(hangup(*out, cause="17"))
    record = desk.record("8.1")
    assert (record["outcome"], record["direction"], record["hangup"]["cause"]) == (
        "failed",
        "other",
        17,
    )


def test_facts_about_a_call_not_yet_seen_on_ami_wait_for_it_and_never_make_a_row(
    database: Database,
) -> None:
    desk = Desk(database)
    desk.facts(CallQueued("1.1", "sales", T0, T0))  # before the AMI side of the call
    desk.facts(CallQueued("9.9", "sales", T0, T0))  # a call AMI will never show
    assert desk.rows() == []
    desk.at(1.0)
    _arrives(desk)
    desk.at(2.0)
    assert desk.record("1.1")["queue"]["first"] == "sales"
    desk.at(400.0)  # longer than the service's fact_wait_s: 9.9 is given up
    assert [r.call_id for r in desk.rows()] == ["1.1"]
    desk.stop()


def test_one_turns_payloads_are_one_transaction(database_url: URL) -> None:
    upgrade_database(database_url)
    runs: list[int] = []
    database = Database(create_database_engine(database_url), None, runner=counting_runner(runs))
    desk = Desk(database)
    _answered_call(desk)  # several events and facts per clock step
    desk.written()
    steps = 4  # the clock moved to 0, 10, 26 and 30 s: one batch each
    assert len(runs) == steps
    database.engine.dispose()


def test_after_a_restart_live_calls_go_on_and_the_others_close_at_the_stop(
    database: Database,
) -> None:
    desk = Desk(database)
    _answered_call(desk)
    other = ("PJSIP/trunk-00000007", "7.1", "7.1")
    _arrives(desk, other)
    desk.at(50.0)
    desk.restart()  # both calls live at the stop
    desk.at(70.0)  # 7.1 hung up while switchboard was down
    # The new model finds 1.1's channels (their ages from Duration), not 7.1's.
    desk.resync(listed(*CALLER, duration="00:01:10"), listed(*AGENT, duration="00:00:40"))
    closed = desk.record("7.1")
    assert (closed["outcome"], closed["end_reason"], closed["ended_at"]) == (
        "ended_in_ivr",
        "switchboard_stopped",
        T0 + 50,
    )
    going_on = desk.record("1.1")
    assert going_on["open"] and going_on["end_reason"] == ""
    desk.at(100.0)
    desk.ami(hangup(*AGENT), hangup(*CALLER))
    record = desk.record("1.1")
    # What the first run knew is kept: its start, answer, queue, offers.
    assert (record["started_at"], record["answered_at"], record["talk_s"]) == (T0, T0 + 30, 70.0)
    assert (record["offers"]["count"], record["queue"]["first"]) == (2, "sales")
    assert record["agent_device"] == "PJSIP/1001"  # the new model never saw the dial
    assert (record["outcome"], record["end_reason"]) == ("answered", "hangup")
    assert [leg["started_at"] for leg in record["legs"]] == [T0, T0 + 26]
    assert len(desk.rows()) == 2


def test_after_a_crash_the_rows_left_open_close_at_the_last_heartbeat(
    database: Database,
) -> None:
    desk = Desk(database)
    _arrives(desk)
    for offset in (60.0, 120.0, 130.0):  # heartbeats at 60 s and 120 s after the start
        desk.at(offset)
    desk.crash()
    desk.at(200.0)
    desk.resync()  # nothing live any more
    record = desk.record("1.1")
    assert (record["outcome"], record["end_reason"], record["ended_at"]) == (
        "ended_in_ivr",
        "unclean_stop",
        T0 + 120,
    )
    assert [leg["ended_at"] for leg in record["legs"]] == [T0 + 120]


def test_a_call_that_vanished_in_an_ami_outage_closes_at_the_resync(
    database: Database,
) -> None:
    desk = Desk(database, Clock())
    desk.clock.advance(T0)
    _arrives(desk)
    desk.at(40.0)
    desk.resync()
    record = desk.record("1.1")
    assert (record["end_reason"], record["ended_at"]) == ("vanished during AMI outage", T0 + 40)


def test_the_migration_matches_the_model(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import switchboard.callrecord.models  # noqa: F401
    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in diff if "call_record" in repr(d) or "call_leg" in repr(d)] == []
