"""Listen, whisper and barge on the simulated PBX, as the ``ami-supervisor`` capture
shows them: ``Originate`` of the supervisor's phone into ``ChanSpy`` on the agent's
``;1`` full name, ``q[w|B]E``; the mode is ours to remember; each session is logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import ScriptedCall
from switchboard.supervise.monitor import Monitors
from switchboard.supervise.records import SupervisionRow
from switchboard.testing.site import SiteOnSimNet
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

SUPERVISOR = "Local/supervisor@switchboard-supervisor"  # the capture's supervisor phone


@pytest.mark.parametrize(
    ("mode", "options"), [("listen", "qE"), ("whisper", "qwE"), ("barge", "qBE")]
)
def test_monitoring_an_agent_on_a_call(tmp_path: Path, mode: str, options: str) -> None:
    queues = write_site_queue_file(EXAMPLE_QUEUES, 1, tmp_path / "queues.yaml", "switchboard")
    run = SiteOnSimNet(
        tmp_path,
        queues,
        {"agent1001": AgentBehaviour(answer_after_s=1.0, talk_s=30.0)},
        flows_dir=EXAMPLES,
        epoch=TUESDAY_10AM,
    )
    app = run.site.app
    monitors = Monitors(app.ami, app.calls.model.live_calls, app.database, run.site.clock.seconds)
    monitors.start()
    try:
        run.site.acd.log_in("1001", ready=True)
        run.site.pbx.place(ScriptedCall(at_s=0.0, number="5558001", name="Sam", keys=()))
        device = "Local/agent1001@switchboard-agents/n"
        run.until(
            lambda: any(
                ch.name.startswith("Local/agent1001@switchboard-agents-") and ch.state == "Up"
                for call in app.calls.model.live_calls()
                for ch in call.channels
            ),
            "the agent answered",
        )
        started = run.wait(monitors.monitor("boss", SUPERVISOR, "1001", device, mode), "originate")
        assert started.channel.startswith("Local/agent1001@switchboard-agents-")
        assert started.channel.endswith(";1")  # the full name of the ;1 half, not a prefix
        spies = run.site.pbx.dialplan.chanspy.spies
        run.until(lambda: bool(spies), "ChanSpy started")
        [(spied, sim_mode)] = spies.values()
        assert spied.name == started.channel and sim_mode == mode
        run.until(lambda: bool(monitors.active[started.id].spyer), "ChanSpyStart seen")
        spyer = monitors.active[started.id].spyer
        assert spyer.startswith(SUPERVISOR + "-")
        run.wait(monitors.hang_up(started.id), "hang up the supervisor")
        run.until(lambda: started.id not in monitors.active, "ChanSpyStop seen")
        with Session(app.database.engine) as session:
            [row] = session.scalars(select(SupervisionRow)).all()
        assert (row.supervisor, row.agent_id, row.mode, row.device) == (
            "boss",
            "1001",
            mode,
            SUPERVISOR,
        )
        assert row.channel == started.channel
        assert row.ended_at is not None and row.ended_at > row.started_at
    finally:
        monitors.stop()
        run.stop()
