"""A flow's recording step on the simulated PBX, in both routing modes: the caller's
channel sets SWITCHBOARD_RECORDING_MUTE over FastAGI, Asterisk reports the VarSet, and
switchboard sends MixMonitorMute for that channel (pause, then resume, in order). The
documented dialplans start recording at the queue, after the IVR, so the call's own
recording starts unpaused and is indexed whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.recorder.models import Recording, RecordingPause
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.testing.site import SiteOnSimNet
from tests.example_site import one_agent_site
from tests.ivr.helpers import EXAMPLES

PAY = """\
language: en
steps:
  hush: {type: recording, action: pause}
  card: {type: collect, var: account, prompts: [enter-account], min_digits: 4, max_digits: 19}
  loud: {type: recording, action: resume}
  sales: {type: queue, queue: sales}
"""


def _site(work: Path, routing: str) -> SiteOnSimNet:
    """The example site with this main menu (the other example flows as shipped)."""
    flows = work.with_name(work.name + "-flows")
    shutil.copytree(EXAMPLES, flows)
    (flows / "main-menu.yaml").write_text(PAY, encoding="utf-8")
    return one_agent_site(work, routing, flows)


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_the_flow_mutes_the_callers_channel_around_the_card_number(
    tmp_path: Path, routing: str
) -> None:
    run = _site(tmp_path / routing, routing)
    if routing == "switchboard":
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(
        ScriptedCall(
            at_s=0.0,
            number="5550101",
            name="Zhang",
            keys=(KeyPress("4111#", 0.5, "enter-account"),),
        )
    )
    engine = run.site.app.database.engine

    def indexed() -> list[Recording]:
        with Session(engine) as session:
            return list(session.scalars(select(Recording)))

    run.until(indexed, "the call recorded and indexed")
    asked = [m for m in run.events if m.event == "VarSet"
             and m.get("Variable") == "SWITCHBOARD_RECORDING_MUTE"]  # fmt: skip
    assert [m.get("Value") for m in asked] == ["1:ivr:main-menu", "0:ivr:main-menu"]
    mutes = [m for m in run.events if m.event == "MixMonitorMute"]
    assert [(m.get("Channel"), m.get("State")) for m in mutes] == [
        (asked[0].get("Channel"), "1"),
        (asked[0].get("Channel"), "0"),
    ]
    [row] = indexed()
    assert (row.status, row.queue, row.agent_id) == ("ok", "sales", "1001")
    with Session(engine) as session:  # nothing was recording yet: nothing paused
        assert session.scalars(select(RecordingPause)).all() == []
    run.stop()
