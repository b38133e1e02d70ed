# -*- test-case-name: tests.seat.test_both_modes -*-
"""The same caller pops the same card whoever routes the call: switchboard's ACD, or
Asterisk's app_queue followed from AMI. The demo's site on SimNet (example flows and
queues, fake clock), one sales agent, one known VIP caller who picks English and the
operator; the seat listens to the hub only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.config import SeatSettings
from switchboard.crm.directory import add_customer
from switchboard.queue.core.decisions import CallHandled
from switchboard.seat.access import CustomerAccess
from switchboard.seat.actions import LiveSeatActions
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.models import SeatDisposition
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.example_site import one_agent_site
from tests.seat.helpers import Sink, user

NUMBER = "5550101"
ENGLISH = KeyPress("3", 0.5, "choose-language")
OPERATOR = KeyPress("0", 0.5, "main-menu")  # the example menu's 0: the sales queue


def _run(work: Path, routing: str) -> dict[str, Sink]:
    """Agent 1001 answers after 1 s and talks 30 s; agent 1002's seat listens too."""
    run = one_agent_site(work, routing)
    app = run.site.app
    access = CustomerAccess()
    with Session(app.database.engine) as session, session.begin():
        add_customer(session, "Zhang Wei", {"phone": NUMBER}, vip_level=1, language="en")
    feed = LiveSeatFeed(
        app.hub,
        run.site.clock,
        app.database,
        SeatSettings(),
        timezone=ZoneInfo("UTC"),
        pause_reasons=("break",),
        access=access,
        agents=app.agent_control,
    )
    feed.start()
    sinks = {agent: Sink() for agent in ("1001", "1002")}
    for agent, sink in sinks.items():
        feed.subscribe(agent, sink.append)
    if routing == "switchboard":  # app_queue's agents are its queues' static members
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(
        ScriptedCall(at_s=0.0, number=NUMBER, name="Zhang Wei", keys=(ENGLISH, OPERATOR))
    )
    run.until(lambda: sinks["1001"].of("pop"), "the pop")
    answered = [f for f in run.facts if type(f).__name__ == "CallAnswered"]
    assert answered == [], "the pop came after the answer"
    run.until(lambda: any(isinstance(f, CallHandled) for f in run.facts), "the call handled")
    run.until(lambda: not run.site.pbx.pbx.channels, "every channel gone")
    # The agent sets a disposition on the call they were offered; the record keeps it.
    [pop] = sinks["1001"].of("pop")
    actions = LiveSeatActions(
        app.agent_control, app.database, SeatSettings(), run.site.clock, access
    )  # type: ignore[arg-type]
    run.wait(
        actions.save_disposition(user("1001"), pop["call"]["call_id"], "resolved", "ok"), "saved"
    )
    with Session(app.database.engine) as session:
        rows = session.scalars(select(SeatDisposition)).all()
        assert [(r.call_id, r.agent_id, r.queue, r.code) for r in rows] == [
            (pop["call"]["call_id"], "1001", "sales", "resolved")
        ], routing
    feed.stop()
    run.stop()
    return sinks


@pytest.fixture(scope="module")
def seats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Sink]]:
    work = tmp_path_factory.mktemp("seat-modes")
    return {routing: _run(work / routing, routing) for routing in ("switchboard", "app_queue")}


def _card(sink: Sink) -> dict[str, Any]:
    """What the agent has on screen once the database answered (before the answer)."""
    [pop] = sink.of("pop")
    [update] = sink.of("pop_update")
    card = {**pop["call"], **{k: v for k, v in update.items() if k not in ("v", "type")}}
    return {
        "number": card["number"],
        "queue": card["queue"],
        "vip": card["vip"],
        "language": card["language"],
        "customer": card["customer"]["name"],
        "ivr": [(i["label"], i["digits"], i["value"]) for i in card["ivr"]["inputs"]],
    }


def test_both_modes_pop_the_same_card_before_the_answer(
    seats: dict[str, dict[str, Sink]],
) -> None:
    acd, app_queue = _card(seats["switchboard"]["1001"]), _card(seats["app_queue"]["1001"])
    assert acd == app_queue
    assert acd == {
        "number": NUMBER,
        "queue": "sales",
        "vip": 1,
        "language": "en",
        "customer": "Zhang Wei",
        "ivr": [("language", "3", "en"), ("menu", "0", "operator")],
    }


def test_both_modes_tell_the_call_through_to_done(seats: dict[str, dict[str, Sink]]) -> None:
    for routing, sinks in seats.items():
        events = [m["event"] for m in sinks["1001"].of("call")]
        assert events[0] == "answered" and events[-1] == "done", (routing, events)
        assert "ended" in events, (routing, events)


def test_the_other_agent_hears_nothing_of_it(seats: dict[str, dict[str, Sink]]) -> None:
    for routing, sinks in seats.items():
        assert sinks["1002"] == [], routing
