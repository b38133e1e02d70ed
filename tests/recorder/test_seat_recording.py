"""The agent's recording buttons, end to end on the simulated PBX in both routing modes:
the seat is told whether its call is recorded, the agent pauses and resumes it (logged
with their name), starts it when the site's dialplan did not, and may not touch another
agent's call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.recorder.models import Recording, RecordingPause
from switchboard.seat.ports import SeatActionError
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.testing.site import SiteOnSimNet
from tests.example_site import one_agent_site
from tests.seat.helpers import Sink, user

NUMBER = "5550101"
KEYS = (KeyPress("3", 0.5, "choose-language"), KeyPress("0", 0.5, "main-menu"))


def _states(sink: Sink) -> list[str]:
    return [m["state"] for m in sink.of("recording")]


def _ask(run: SiteOnSimNet, agent: str, call_id: str, action: str) -> Any:
    seat = run.site.app.seat
    return run.wait(seat.actions.recording(user(agent), call_id, action), f"{action} asked")


def _refusal(run: SiteOnSimNet, agent: str, call_id: str, action: str) -> SeatActionError:
    with pytest.raises(SeatActionError) as raised:
        _ask(run, agent, call_id, action)
    return raised.value


def _indexed(run: SiteOnSimNet) -> list[Recording]:
    with Session(run.site.app.database.engine) as session:
        return list(session.scalars(select(Recording)))


def _answered_call(run: SiteOnSimNet, routing: str, sink: Sink) -> str:
    run.site.app.seat.feed.subscribe("1001", sink.append)
    if routing == "switchboard":
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(ScriptedCall(at_s=0.0, number=NUMBER, name="Zhang", keys=KEYS))
    run.until(lambda: sink.of("recording"), "the seat told whether the call is recorded")
    [told] = sink.of("recording")
    [pop] = sink.of("pop")
    assert told["call_id"] == pop["call"]["call_id"]  # the call on the agent's card
    return str(told["call_id"])


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_the_agent_pauses_and_resumes_the_recording_of_their_call(
    tmp_path: Path, routing: str
) -> None:
    run = one_agent_site(tmp_path / routing, routing)
    sink = Sink()
    call_id = _answered_call(run, routing, sink)
    assert _states(sink) == ["recording"]  # the ACD / the dialplan recorded it already
    assert _refusal(run, "1001", call_id, "start").code == "conflict"
    assert _refusal(run, "1002", call_id, "pause").code == "forbidden"  # not theirs
    assert _refusal(run, "1001", call_id, "stop").code == "bad_request"
    _ask(run, "1001", call_id, "pause")
    run.until(lambda: _states(sink)[-1] == "paused", "paused")
    _ask(run, "1001", call_id, "resume")
    run.until(lambda: _states(sink)[-1] == "recording", "resumed")
    run.until(lambda: _indexed(run), "the recording indexed")
    with Session(run.site.app.database.engine) as session:
        logged = session.scalars(select(RecordingPause).order_by(RecordingPause.id)).all()
        assert [(p.paused, p.by) for p in logged] == [(True, "wang"), (False, "wang")]
    [row] = _indexed(run)
    assert (row.call_id, row.status, row.agent_id) == (call_id, "ok", "1001")
    run.stop()


def test_the_agent_records_a_call_the_dialplan_did_not(tmp_path: Path) -> None:
    """app_queue mode on a site whose dialplan has no MixMonitor before Queue() (the ACD
    records every call it dials, so there the button is only refused, above)."""
    run = one_agent_site(tmp_path / "on-demand", "app_queue")
    run.site.pbx.dialplan.recorder.dialplan_records = False
    sink = Sink()
    call_id = _answered_call(run, "app_queue", sink)
    assert _states(sink) == ["off"]
    assert _refusal(run, "1001", call_id, "pause").code == "conflict"
    answered_at = sink.of("recording")[0]["at"]
    run.until(lambda: run.site.clock.seconds() >= answered_at + 10, "10 s of talk")
    assert _ask(run, "1001", call_id, "start") == {"call_id": call_id, "action": "start"}
    run.until(lambda: _states(sink)[-1] == "recording", "recording")
    snapshot = run.wait(run.site.app.seat.feed.snapshot("1001"), "a reload's snapshot")
    assert snapshot["call"]["recording"] == "recording"  # a reloaded page shows it too
    run.until(lambda: _indexed(run), "the recording indexed")
    [row] = _indexed(run)
    assert (row.call_id, row.queue, row.agent_id, row.status) == (call_id, "sales", "1001", "ok")
    assert row.path.endswith(f"sales-{call_id}.wav")  # [queues] recording_name
    assert row.duration_s is not None and 15.0 < row.duration_s < 21.0  # from the button on
    run.stop()
