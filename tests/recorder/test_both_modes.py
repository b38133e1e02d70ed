"""End to end on the simulated PBX, in both routing modes: the demo's site, one caller
who picks English and the operator, agent 1001 talks 30 s; the simulator writes the WAV
where MixMonitor would, and the recorder checks and indexes it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.config import SeatSettings
from switchboard.crm.directory import add_customer
from switchboard.queue.core.decisions import CallAnswered
from switchboard.recorder.models import Recording
from switchboard.recorder.search import RecordingQuery, search
from switchboard.seat.access import CustomerAccess
from switchboard.seat.actions import LiveSeatActions
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.example_site import one_agent_site
from tests.seat.helpers import user

NUMBER = "5550101"
ENGLISH = KeyPress("3", 0.5, "choose-language")
OPERATOR = KeyPress("0", 0.5, "main-menu")


def _recorded(work: Path, routing: str) -> tuple[Recording, str, int, list[int]]:
    run = one_agent_site(work, routing)
    app = run.site.app
    with Session(app.database.engine) as session, session.begin():
        customer = add_customer(session, "Zhang Wei", {"phone": NUMBER}).id
    if routing == "switchboard":
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(
        ScriptedCall(at_s=0.0, number=NUMBER, name="Zhang", keys=(ENGLISH, OPERATOR))
    )

    def indexed() -> list[Recording]:
        with Session(app.database.engine) as session:
            return list(session.scalars(select(Recording)))

    run.until(indexed, "the recording indexed")
    [answered] = [f for f in run.facts if isinstance(f, CallAnswered)]
    [row] = indexed()
    # In wrap-up the agent saves a disposition on the seat: the recording is filed under it.
    seat = LiveSeatActions(
        app.agent_control,  # type: ignore[arg-type]
        app.database,
        SeatSettings(),
        run.site.clock,
        CustomerAccess(),
        hub=app.hub,
    )
    run.wait(seat.save_disposition(user("1001"), answered.call_id, "resolved", ""), "saved")

    def filed() -> list[int]:
        with Session(app.database.engine) as session:
            page = search(session, RecordingQuery(disposition="resolved"))
        return [found["id"] for found in page.rows]

    run.until(filed, "the recording filed under its disposition")
    run.stop()
    return row, answered.call_id, customer, filed()


@pytest.fixture(scope="module")
def recorded(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Recording, str, int, list[int]]]:
    work = tmp_path_factory.mktemp("recorder-modes")
    return {routing: _recorded(work / routing, routing) for routing in ("switchboard", "app_queue")}


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_a_call_is_recorded_and_indexed(
    recorded: dict[str, tuple[Recording, str, int, list[int]]], routing: str
) -> None:
    row, call_id, customer, _ = recorded[routing]
    assert row.status == "ok", row.problem
    assert row.duration_s is not None and 29.0 <= row.duration_s <= 31.0
    assert (row.queue, row.agent_id, row.caller_number) == ("sales", "1001", NUMBER)
    assert (row.call_id, row.customer_id) == (call_id, customer)
    path = Path(row.path)
    assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row.size == path.stat().st_size
    assert row.ended_at is not None and row.ended_at > row.started_at


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_the_recording_is_found_by_the_disposition_its_agent_saved(
    recorded: dict[str, tuple[Recording, str, int, list[int]]], routing: str
) -> None:
    row, _, _, by_disposition = recorded[routing]
    assert by_disposition == [row.id]
