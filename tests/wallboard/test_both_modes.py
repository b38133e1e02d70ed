"""The wallboard tells the same call alike whoever routes it: switchboard's ACD or
Asterisk's app_queue followed from AMI (the demo's site on SimNet, fake clock): waiting,
then answered, counted once, with the CRM's name on the waiting caller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer
from switchboard.queue.core.decisions import CallAnswered, CallHandled, CallQueued
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.example_site import one_agent_site

NUMBER = "5550101"
CALL = (KeyPress("3", 0.5, "choose-language"), KeyPress("0", 0.5, "main-menu"))


def _run(work: Path, routing: str) -> dict[str, Any]:
    run = one_agent_site(work, routing)
    app = run.site.app
    assert app.wallboard is not None
    with Session(app.database.engine) as session, session.begin():
        add_customer(session, "Zhang Wei", {"phone": NUMBER}, vip_level=1, language="en")
    pushed: list[dict[str, Any]] = []
    app.wallboard.feed.subscribe("all", pushed.append)
    if routing == "switchboard":  # app_queue's agents are its queues' static members
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(ScriptedCall(at_s=0.0, number=NUMBER, name="Zhang Wei", keys=CALL))
    run.until(lambda: any(isinstance(f, CallQueued) for f in run.facts), "queued")
    run.until(lambda: any(isinstance(f, CallAnswered) for f in run.facts), "answered")
    run.until(lambda: any(isinstance(f, CallHandled) for f in run.facts), "handled")
    run.until(  # the throttled push after the call was handled
        lambda: any(
            m["type"] == "queue" and m["queue"] == "sales" and m["tile"]["aht_s"] is not None
            for m in pushed
        ),
        "the push after the call",
    )
    waiting = [
        caller
        for m in pushed
        if m["type"] == "queue" and m["queue"] == "sales"
        for caller in m["waiting"]
    ]
    last = [m for m in pushed if m["type"] == "queue" and m["queue"] == "sales"][-1]
    run.stop()
    return {"waiting": waiting, "tile": last["tile"]}


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    work = tmp_path_factory.mktemp("wallboard-modes")
    return {routing: _run(work / routing, routing) for routing in ("switchboard", "app_queue")}


def test_both_modes_show_the_caller_waiting_then_count_the_answer_once(
    boards: dict[str, dict[str, Any]],
) -> None:
    for routing, board in boards.items():
        assert board["waiting"], f"{routing}: the waiting caller was never pushed"
        assert board["waiting"][0]["number"] == NUMBER, routing
        tile = board["tile"]
        assert (tile["offered"], tile["answered"], tile["waiting"]) == (1, 1, 0), routing
        assert tile["abandoned"] == 0 and tile["aht_s"] is not None, routing


def test_both_modes_name_the_waiting_caller_from_the_crm(
    boards: dict[str, dict[str, Any]],
) -> None:
    for routing, board in boards.items():
        assert any(c["customer"] == "Zhang Wei" for c in board["waiting"]), routing
