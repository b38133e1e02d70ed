"""The example centre on SimNet with one agent who answers: the site the both-routing-modes
tests of the seat, the wallboard and the recorder each place a call on."""

from __future__ import annotations

from pathlib import Path

from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.sim.pbx import AgentBehaviour
from switchboard.testing.site import SiteOnSimNet
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM


def one_agent_site(
    work: Path, routing: str, flows_dir: Path = EXAMPLES, survey_script: str = ""
) -> SiteOnSimNet:
    """The example flows (or ``flows_dir``) and queues routed by ``routing``, from Tuesday
    10:00 (open); agent 1001 answers after 1 s and talks 30 s."""
    work.mkdir()
    queues = write_site_queue_file(EXAMPLE_QUEUES, 1, work / "queues.yaml", routing)
    return SiteOnSimNet(
        work,
        queues,
        {"agent1001": AgentBehaviour(answer_after_s=1.0, talk_s=30.0)},
        flows_dir=flows_dir,
        epoch=TUESDAY_10AM,
        routing=routing,
        survey_script=survey_script,
    )
