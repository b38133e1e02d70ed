# -*- test-case-name: tests.integration.test_demo_people -*-
"""The demo's seats for people: left logged out for the person, and once they log in and
go ready, offered calls that their simulated phone answers after its ring, in both
routing modes. The demo's site on SimNet (example flows and queues, fake clock)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.people import RING_S, TALK_S, human_seats, person_phone
from switchboard.demo.site import EXAMPLE_QUEUES, app_queue_members
from switchboard.queue import AgentState
from switchboard.queue.config.queue_file import load_queue_config
from switchboard.queue.core.decisions import CallAnswered, CallHandled, CallOffered
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.testing.site import SiteOnSimNet
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

ENGLISH = KeyPress("3", 0.5, "choose-language")
OPERATOR = KeyPress("0", 0.5, "main-menu")  # the example menu's 0: the sales queue


def test_one_seat_per_queue_each_of_that_queue_only() -> None:
    config = load_queue_config(EXAMPLE_QUEUES)
    seats = [(n, [a.id for a in human_seats(config.agents, config.queues, n)]) for n in range(4)]
    assert seats == [
        (0, []),
        (1, ["1001"]),
        (2, ["1001", "2001"]),  # sales, support
        (3, ["1001", "2001", "1002"]),
    ]


def test_a_persons_phone_rings_long_enough_to_read_the_pop_then_talks() -> None:
    config = load_queue_config(EXAMPLE_QUEUES)
    alice = config.agents[0]
    assert person_phone(alice, config.queues) == AgentBehaviour(
        answer_after_s=RING_S, talk_s=TALK_S
    )
    assert min(q.ring_timeout_s for q in config.queues) > RING_S  # answered, not missed
    hurried = [replace(q, ring_timeout_s=5.0) for q in config.queues]
    assert person_phone(alice, hurried).answer_after_s == 3.0  # within a short ring timeout


def test_in_app_queue_mode_people_are_not_static_members() -> None:
    config = load_queue_config(EXAMPLE_QUEUES)
    members = {q.name: [m.name for m in q.members] for q in app_queue_members(config, {"1001"})}
    assert "Alice Chen" not in members["sales"] and "Bo Wang" in members["sales"]


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_a_person_logs_in_goes_ready_and_the_phone_answers_after_its_ring(
    tmp_path: Path, routing: str
) -> None:
    queues = write_site_queue_file(EXAMPLE_QUEUES, 1, tmp_path / "queues.yaml", routing)
    config = load_queue_config(queues)
    run = SiteOnSimNet(
        tmp_path,
        queues,
        {"agent1001": person_phone(config.agents[0], config.queues)},
        flows_dir=EXAMPLES,
        epoch=TUESDAY_10AM,
        routing=routing,
        people=frozenset({"1001"}),
    )
    control = run.site.app.agent_control
    view = run.wait(control.agent("1001"), "the agent's view")
    assert view.state is AgentState.LOGGED_OUT  # nobody logged the person in
    run.wait(control.log_in("1001"), "the person logs in")
    run.wait(control.ready("1001"), "the person goes ready")
    run.site.pbx.place(
        ScriptedCall(at_s=0.0, number="5550101", name="Caller", keys=(ENGLISH, OPERATOR))
    )
    run.until(lambda: any(isinstance(f, CallHandled) for f in run.facts), "the call handled")
    [offered] = [f for f in run.facts if isinstance(f, CallOffered)]
    [answered] = [f for f in run.facts if isinstance(f, CallAnswered)]
    [handled] = [f for f in run.facts if isinstance(f, CallHandled)]
    assert offered.agent_id == answered.agent_id == "1001"
    assert answered.at - offered.at == pytest.approx(RING_S, abs=1.0), routing
    assert handled.talk_s == pytest.approx(TALK_S, abs=1.0), routing
    run.until(lambda: not run.site.pbx.pbx.channels, "every channel gone")
    run.stop()
